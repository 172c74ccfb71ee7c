"""Routing: which federation is responsible for a workplace (DESIGN §3).

1. Candidates: active federations with a coverage rule whose region prefix is a prefix of the
   workplace region and whose industry prefix is empty or a prefix of the industry.
2. Most specific wins: longest region prefix, then longest industry prefix. Among equals,
   the federation the worker is a member of, then the higher priority, then the fewest open
   requests (then the lowest id, so the answer is deterministic).
3. No candidate: the nearest active upper union up the region tree (county, then city…).
4. The decision keeps its inputs, candidates, winner and a sentence anyone can read.
"""
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, or_, select

from models.federation import CoverageRule, Federation
from models.membership import Membership
from models.request import HelpRequest
from service import refdata
from service.errors import Invalid
from service.extensions import db

OPEN_REQUEST_STATUSES = ("new", "in_progress", "awaiting_worker")
_REGION_CUTS = (2, 4, 6, 9, 12)


def region_prefix(code: str) -> str:
    """The significant prefix of a region code: 130000 → 13, 130100 → 1301, 130102 → 130102."""
    code = (code or "").strip()
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def region_prefixes(code: str) -> list[str]:
    """Every coverage prefix that contains this workplace region, shortest first."""
    significant = region_prefix(code)
    return [significant[:n] for n in _REGION_CUTS if n <= len(significant)]


def industry_prefixes(code: str | None) -> list[str]:
    """G6020 → [G, G60, G602, G6020]."""
    code = (code or "").strip().upper()
    if not code:
        return []
    return [code[:1]] + [code[:n] for n in range(3, len(code) + 1)]


@dataclass
class Candidate:
    federation_id: int
    name: str
    kind: str
    region_prefix: str
    industry_prefix: str | None
    priority: int
    member: bool = False
    open_requests: int | None = None

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.region_prefix), len(self.industry_prefix or "")


@dataclass
class Decision:
    federation_id: int
    federation_name: str
    reason: str  # "coverage" | "fallback"
    explanation: str
    inputs: dict
    candidates: list[dict] = field(default_factory=list)
    tie_break: str | None = None  # "membership" | "priority" | "load" | "id"

    def as_dict(self) -> dict:
        return asdict(self)


def _check_inputs(region_code: str, industry_code: str | None) -> tuple[str, str | None]:
    region_code = (region_code or "").strip()
    industry_code = (industry_code or "").strip().upper() or None
    errors = {}
    if not refdata.is_region(region_code):
        errors["region"] = "工作地行政区划代码无效"
    if industry_code and not refdata.is_industry(industry_code):
        errors["industry"] = "行业代码无效（应为 GB/T 4754-2017 代码，如 G6020）"
    if errors:
        raise Invalid(fields=errors)
    return region_code, industry_code


def find_candidates(region_code: str, industry_code: str | None) -> list[Candidate]:
    """Every (active federation, matching rule) pair, most specific first."""
    industries = industry_prefixes(industry_code)
    industry_match = CoverageRule.industry_prefix.is_(None)
    if industries:
        industry_match = or_(industry_match, CoverageRule.industry_prefix.in_(industries))
    rows = db.session.execute(
        select(Federation.id, Federation.name, Federation.kind, CoverageRule.region_prefix,
               CoverageRule.industry_prefix, Federation.priority)
        .join(CoverageRule, CoverageRule.federation_id == Federation.id)
        .where(CoverageRule.region_prefix.in_(region_prefixes(region_code)), industry_match,
               Federation.status == "active", Federation.kind.in_(("regional", "industry")))
    ).all()
    candidates = [Candidate(*row) for row in rows]
    candidates.sort(key=lambda c: (c.specificity, c.federation_id), reverse=True)
    return candidates


def _break_tie(tied: list[Candidate], worker_id: int | None) -> tuple[Candidate, str | None]:
    if len({c.federation_id for c in tied}) == 1:
        return tied[0], None
    ids = [c.federation_id for c in tied]
    if worker_id is not None:
        member_of = set(db.session.scalars(
            select(Membership.federation_id).where(
                Membership.worker_id == worker_id, Membership.federation_id.in_(ids),
                Membership.status.in_(("active", "transferring", "retained")))
        ))
        for c in tied:
            c.member = c.federation_id in member_of
        members = [c for c in tied if c.member]
        if len({c.federation_id for c in members}) == 1:
            return members[0], "membership"
        tied = members or tied
    top = max(c.priority for c in tied)
    by_priority = [c for c in tied if c.priority == top]
    if len({c.federation_id for c in by_priority}) == 1:
        return by_priority[0], "priority"
    loads = dict(db.session.execute(
        select(HelpRequest.federation_id, func.count())
        .where(HelpRequest.federation_id.in_([c.federation_id for c in by_priority]),
               HelpRequest.status.in_(OPEN_REQUEST_STATUSES))
        .group_by(HelpRequest.federation_id)
    ).all())
    for c in by_priority:
        c.open_requests = loads.get(c.federation_id, 0)
    least = min(c.open_requests for c in by_priority)
    by_load = sorted((c for c in by_priority if c.open_requests == least), key=lambda c: c.federation_id)
    return by_load[0], ("load" if len({c.federation_id for c in by_load}) == 1 else "id")


def _fallback_union(region_code: str) -> Federation:
    """The nearest active upper union up the region tree; the tree's root as the last resort."""
    codes = [region_code] + refdata.region_ancestors_codes(region_code)
    rows = db.session.execute(
        select(Federation.id, Federation.region_code).where(
            Federation.kind == "upper", Federation.status == "active", Federation.region_code.in_(codes))
    ).all()
    by_code = {}
    for federation_id, code in sorted(rows):
        by_code.setdefault(code, federation_id)
    for code in codes:
        if code in by_code:
            return db.session.get(Federation, by_code[code])
    root = db.session.scalar(
        select(Federation).where(Federation.kind == "upper", Federation.status == "active")
        .order_by(Federation.parent_id.is_not(None), Federation.id).limit(1)
    )
    if root is None:
        raise RuntimeError("no active upper union exists: routing has nowhere to fall back to")
    return root


def _describe_inputs(region_code: str, industry_code: str | None) -> str:
    region_name = refdata.region_full_name(region_code)
    text = f"工作地 {region_code}（{region_name}）"
    if industry_code:
        industry = refdata.get_industry(industry_code)
        text += f"，行业 {industry_code}（{industry.name}）"
    else:
        text += "，行业未填写"
    return text


TIE_BREAK_TEXT = {
    "membership": "您是该联合会会员，因此由其受理",
    "priority": "多个联合会同样匹配，按设定的优先级确定",
    "load": "多个联合会同样匹配，由当前待办较少的一家受理",
    "id": "多个联合会同样匹配，按登记顺序确定",
}


def route(region_code: str, industry_code: str | None = None, request_type: str | None = None,
          worker_id: int | None = None) -> Decision:
    """Decide who handles a request or application from this workplace. Never unrouted."""
    region_code, industry_code = _check_inputs(region_code, industry_code)
    inputs = {"region": region_code, "industry": industry_code, "request_type": request_type,
              "worker_id": worker_id}
    described = _describe_inputs(region_code, industry_code)
    candidates = find_candidates(region_code, industry_code)
    if not candidates:
        union = _fallback_union(region_code)
        return Decision(
            federation_id=union.id, federation_name=union.name, reason="fallback", inputs=inputs,
            explanation=f"由{union.name}受理：{described}。当地暂无覆盖该行业的工会联合会，由上级工会直接受理。",
        )
    best = candidates[0].specificity
    tied = [c for c in candidates if c.specificity == best]
    winner, tie_break = _break_tie(tied, worker_id)
    rule = f"地区 {winner.region_prefix}" + (f"、行业 {winner.industry_prefix}" if winner.industry_prefix else "、不限行业")
    explanation = f"由{winner.name}受理：{described}。该联合会的覆盖范围（{rule}）与之最为匹配"
    if tie_break:
        explanation += f"；{TIE_BREAK_TEXT[tie_break]}"
    return Decision(
        federation_id=winner.federation_id, federation_name=winner.name, reason="coverage",
        explanation=explanation + "。", inputs=inputs, tie_break=tie_break,
        candidates=[{**asdict(c), "specificity": list(c.specificity)} for c in candidates],
    )
