"""Coverage rules of a federation, kept by the admins of the unions above it, and the
overlaps between federations (DESIGN §1, §3).

A rule is (region prefix, industry prefix or none), stored in its shortest equivalent form:
the region code 130100 is stored as 1301, the industry G6020 as G602 (its only class).

It must lie inside the federation: its region is the federation's region or beneath it;
an industry federation's rule names an industry inside the federation's own industry; a
regional federation's rules name no industry (it covers every industry of its area).

**Overlap** (what `overlaps` lists): two active federations each holding a rule with the
same region prefix and the same industry prefix (both none, or the same code). Routing
cannot tell them apart by specificity, so a workplace there goes to whichever the worker
belongs to, then the higher priority, then the one with fewer open items — an answer that
changes with load, which an admin should settle. Rules that merely nest (1301 and 130102,
or G60 and G602) are not overlaps: the more specific one always wins.
"""
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from models.federation import FEDERATION_KINDS, CoverageRule, Federation
from models.staff import Staff
from service import audit, refdata
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.federations.tree import require_manager
from service.routing.router import describe_rule, industry_prefix, prefix_region_code, region_prefix

MSG_REGION = "行政区划代码无效（应为 GB/T 2260 代码，如 130102）"
MSG_INDUSTRY = "行业代码无效（应为 GB/T 4754-2017 代码，如 G6020）"


def normalise_region(code: str) -> str:
    """The stored prefix for a region code (130100 → 1301); a significant prefix such as
    1301 is accepted as well. Raises Invalid for anything else."""
    code = (code or "").strip()
    if refdata.is_region(code):
        return region_prefix(code)
    if code.isdigit() and len(code) in (2, 4) and refdata.is_region(prefix_region_code(code)):
        return code
    raise Invalid(fields={"region_code": MSG_REGION})


def rule_out(rule: CoverageRule) -> dict:
    return {
        "id": rule.id, "federation_id": rule.federation_id,
        "region_prefix": rule.region_prefix, "region_code": prefix_region_code(rule.region_prefix),
        "region_name": refdata.region_full_name(prefix_region_code(rule.region_prefix)),
        "industry_prefix": rule.industry_prefix,
        "industry_name": refdata.get_industry(rule.industry_prefix).name if rule.industry_prefix else None,
        "label": describe_rule(rule.region_prefix, rule.industry_prefix), "created_at": rule.created_at,
    }


def list_rules(federation: Federation) -> list[CoverageRule]:
    return list(db.session.scalars(
        select(CoverageRule).where(CoverageRule.federation_id == federation.id).order_by(CoverageRule.id)))


def add_rule(federation: Federation, *, region_code: str, industry_code: str | None = None,
             staff: Staff | None = None) -> CoverageRule:
    """Add a rule (flushed; the caller commits). `staff` must be an admin above the federation."""
    if staff is not None:
        require_manager(staff, federation)
    if federation.kind not in FEDERATION_KINDS:
        raise Conflict("上级工会不设覆盖范围：没有工会联合会覆盖的诉求会自动交给所在地的上级工会")
    if federation.status == "dissolved":
        raise Conflict("已撤销的工会联合会不能再设置覆盖范围")
    errors = {}
    try:
        region = normalise_region(region_code)
    except Invalid as error:
        errors.update(error.fields)
        region = None
    industry_code = (industry_code or "").strip().upper() or None
    industry = None
    if industry_code and not refdata.is_industry(industry_code):
        errors["industry_code"] = MSG_INDUSTRY
    elif industry_code:
        industry = industry_prefix(industry_code)
    home = region_prefix(federation.region_code)
    if region is not None and not region.startswith(home):
        errors["region_code"] = f"覆盖地区应在本联合会所在的行政区划（{refdata.region_full_name(federation.region_code)}）之内"
    if federation.kind == "regional" and industry:
        errors["industry_code"] = "区域性工会联合会覆盖本区域的全部行业，覆盖规则不设行业"
    if federation.kind == "industry" and "industry_code" not in errors:
        own = industry_prefix(federation.industry_code)
        if not industry:
            errors["industry_code"] = "行业性工会联合会的覆盖规则请选择行业"
        elif own and not industry.startswith(own):
            errors["industry_code"] = (f"行业应在本联合会所属行业（{refdata.get_industry(federation.industry_code).name}"
                                       f" {federation.industry_code}）之内")
    if errors:
        raise Invalid(fields=errors)
    exists = db.session.scalar(select(CoverageRule.id).where(
        CoverageRule.federation_id == federation.id, CoverageRule.region_prefix == region,
        CoverageRule.industry_prefix.is_(None) if industry is None else CoverageRule.industry_prefix == industry))
    if exists:
        raise Conflict("该覆盖规则已存在")
    rule = CoverageRule(federation_id=federation.id, region_prefix=region, industry_prefix=industry)
    db.session.add(rule)
    db.session.flush()
    audit.record("coverage.add", staff=staff, actor=None if staff else "cli", subject_type="federation",
                 subject_id=federation.id, federation_id=federation.id,
                 detail={"rule_id": rule.id, "region_prefix": region, "industry_prefix": industry})
    return rule


def remove_rule(federation: Federation, rule_id: int, *, staff: Staff | None = None) -> None:
    if staff is not None:
        require_manager(staff, federation)
    rule = db.session.get(CoverageRule, rule_id)
    if rule is None or rule.federation_id != federation.id:
        raise NotFound("找不到该覆盖规则")
    detail = {"rule_id": rule.id, "region_prefix": rule.region_prefix, "industry_prefix": rule.industry_prefix}
    db.session.delete(rule)
    db.session.flush()
    audit.record("coverage.remove", staff=staff, actor=None if staff else "cli", subject_type="federation",
                 subject_id=federation.id, federation_id=federation.id, detail=detail)


def overlaps(*, federation_ids=None) -> list[dict]:
    """Pairs of active federations with an identical rule (see the module docstring).

    `federation_ids` (a collection or a SELECT of ids, e.g. a staff member's scope) keeps
    the pairs where at least one side is among them."""
    a, b = aliased(CoverageRule), aliased(CoverageRule)
    fa, fb = aliased(Federation), aliased(Federation)
    query = (
        select(a.region_prefix, a.industry_prefix, fa.id, fa.name, fa.priority, fb.id, fb.name, fb.priority)
        .join(b, and_(b.region_prefix == a.region_prefix, b.federation_id > a.federation_id,
                      or_(b.industry_prefix == a.industry_prefix,
                          and_(a.industry_prefix.is_(None), b.industry_prefix.is_(None)))))
        .join(fa, fa.id == a.federation_id).join(fb, fb.id == b.federation_id)
        .where(fa.status == "active", fb.status == "active")
        .order_by(a.region_prefix, a.industry_prefix, fa.id, fb.id)
    )
    if federation_ids is not None:
        query = query.where(or_(fa.id.in_(federation_ids), fb.id.in_(federation_ids)))
    pairs = []
    for region, industry, a_id, a_name, a_priority, b_id, b_name, b_priority in db.session.execute(query):
        if a_priority != b_priority:
            winner = a_name if a_priority > b_priority else b_name
            effect, resolved_by = f"按优先级由{winner}受理", "priority"
        else:
            effect = "受理单位将按会员身份或待办数量临时决定，请调整覆盖范围或设置优先级"
            resolved_by = None
        pairs.append({
            "region_prefix": region, "industry_prefix": industry, "label": describe_rule(region, industry),
            "a": {"id": a_id, "name": a_name, "priority": a_priority},
            "b": {"id": b_id, "name": b_name, "priority": b_priority},
            "resolved_by": resolved_by, "effect": effect,
        })
    return pairs
