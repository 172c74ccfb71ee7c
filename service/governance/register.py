"""What a federation covers (Hebei opinion §二.2) and the committees it must have (§二.3, §三.3):
the register of covered base unions (three kinds) and units (with a union, or covered directly:
small units and scattered workers), the coverage rate, and the funds review, women workers' and
labour-law supervision committees as records.

- coverage rate = units with a base union / units in the coverage (scattered workers excluded);
- a unit without a union of its own must be covered by the federation directly;
- a federation that manages its own funds has a funds review committee (经费审查委员会);
- one whose base unions have many women members has a women workers' committee (女职工委员会):
  "many" is the federation's flag, or women at least WOMEN_SHARE of the recorded members;
- every active federation has a labour-law supervision committee (劳动法律监督委员会, §三.3).
"""
from datetime import date

from sqlalchemy import select

from models.federation import Federation
from models.governance import (BASE_UNION_KINDS, SPECIAL_COMMITTEE_LABELS, SPECIAL_COMMITTEES, UNIT_KINDS,
                               BaseUnion, CoveredUnit, SpecialCommittee)
from models.staff import Staff
from service import clock
from service.errors import Conflict
from service.extensions import db
from service.governance.access import check_past, get_owned, lookup, raise_if, record, require_writer, text

WOMEN_SHARE = 0.5
MAX_COUNT = 1_000_000


def _count(value, field: str, label: str, errors: dict) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        errors[field] = f"{label}应为0到{MAX_COUNT}之间的整数"
        return 0
    return value


def add_base_union(federation: Federation, *, name: str, kind: str, chair_name: str | None = None,
                   member_count: int = 0, women_count: int = 0, staff: Staff | None) -> BaseUnion:
    require_writer(staff, federation)
    errors: dict = {}
    name = text(name, "name", "基层工会名称", 100, errors, required=True)
    if kind not in BASE_UNION_KINDS:
        errors["kind"] = "类型应为基层工会委员会、联合基层工会委员会或基层工会联合会"
    chair_name = text(chair_name, "chair_name", "主席姓名", 50, errors)
    members = _count(member_count, "member_count", "会员人数", errors)
    women = _count(women_count, "women_count", "女会员人数", errors)
    if women > members:
        errors["women_count"] = "女会员人数不能多于会员人数"
    raise_if(errors)
    if db.session.scalar(select(BaseUnion.id).where(BaseUnion.federation_id == federation.id,
                                                    BaseUnion.name == name, BaseUnion.left_on.is_(None))):
        raise Conflict(f"已登记基层工会“{name}”")
    union = BaseUnion(federation_id=federation.id, name=name, kind=kind, chair_name=chair_name,
                      member_count=members, women_count=women)
    db.session.add(union)
    db.session.flush()
    record("governance.base_union.add", staff, federation, "base_union", union.id, {"name": name, "kind": kind})
    return union


def add_unit(federation: Federation, *, name: str, kind: str = "unit", head_name: str | None = None,
             workers: int = 0, base_union_id: int | None = None, covered_directly: bool = False,
             staff: Staff | None) -> CoveredUnit:
    """A unit inside the coverage (with its base union, or covered directly) or scattered workers."""
    require_writer(staff, federation)
    errors: dict = {}
    name = text(name, "name", "单位名称", 100, errors, required=True)
    if kind not in UNIT_KINDS:
        errors["kind"] = "类型应为基层单位或零散就业人员"
    head_name = text(head_name, "head_name", "行政主要负责人", 50, errors)
    workers = _count(workers, "workers", "职工人数", errors)
    if base_union_id is not None:
        union = lookup(BaseUnion, base_union_id)
        if union is None or union.federation_id != federation.id:
            errors["base_union_id"] = "请选择本联合会登记的基层工会"
        elif covered_directly:
            errors["covered_directly"] = "已建立基层工会的单位不由联合会直接覆盖"
    if kind == "scattered":
        covered_directly, head_name = True, None
    raise_if(errors)
    unit = CoveredUnit(federation_id=federation.id, kind=kind, name=name, head_name=head_name, workers=workers,
                       base_union_id=base_union_id, covered_directly=bool(covered_directly))
    db.session.add(unit)
    db.session.flush()
    record("governance.unit.add", staff, federation, "covered_unit", unit.id, {"name": name, "kind": kind})
    return unit


def update_unit(federation: Federation, unit_id: int, changes: dict, *, staff: Staff | None) -> CoveredUnit:
    """Link a unit to its new base union, mark it covered directly, or record its head."""
    require_writer(staff, federation)
    unit = get_owned(CoveredUnit, unit_id, federation)
    errors: dict = {}
    if "head_name" in changes:
        unit.head_name = text(changes["head_name"], "head_name", "行政主要负责人", 50, errors)
    if "workers" in changes:
        unit.workers = _count(changes["workers"], "workers", "职工人数", errors)
    if "base_union_id" in changes:
        bu_id = changes["base_union_id"]
        union = lookup(BaseUnion, bu_id)
        if bu_id is not None and (union is None or union.federation_id != federation.id):
            errors["base_union_id"] = "请选择本联合会登记的基层工会"
        else:
            unit.base_union_id = bu_id
    if "covered_directly" in changes:
        unit.covered_directly = bool(changes["covered_directly"])
    if unit.base_union_id is not None and unit.covered_directly and unit.kind == "unit":
        errors["covered_directly"] = "已建立基层工会的单位不由联合会直接覆盖"
    raise_if(errors)
    db.session.flush()
    record("governance.unit.update", staff, federation, "covered_unit", unit.id, {"fields": sorted(changes)})
    return unit


def coverage_figures(units: list[CoveredUnit], unions: list[BaseUnion]) -> dict:
    """Counts for the register and the board: units, with a union, covered directly, the rate."""
    base = [u for u in units if u.kind == "unit"]
    with_union = [u for u in base if u.base_union_id is not None]
    direct = [u for u in base if u.base_union_id is None and u.covered_directly]
    members = sum(b.member_count for b in unions if b.left_on is None)
    women = sum(b.women_count for b in unions if b.left_on is None)
    return {"units": len(base), "units_with_union": len(with_union), "units_covered_directly": len(direct),
            "units_uncovered": len(base) - len(with_union) - len(direct),
            "scattered_workers": sum(u.workers for u in units if u.kind == "scattered"),
            "coverage_rate": round(len(with_union) / len(base), 4) if base else None,
            "base_unions": len([b for b in unions if b.left_on is None]), "members": members, "women": women}


def women_committee_required(federation: Federation, figures: dict) -> bool:
    return federation.many_women or (figures["members"] > 0 and figures["women"] / figures["members"] >= WOMEN_SHARE)


def record_special_committee(federation: Federation, *, kind: str, established_on: date, chair_name: str,
                             members: list | None = None, document: str | None = None, staff: Staff | None,
                             today: date | None = None) -> SpecialCommittee:
    """Record a funds review, women workers' or labour-law supervision committee."""
    require_writer(staff, federation)
    errors: dict = {}
    if kind not in SPECIAL_COMMITTEES:
        errors["kind"] = "请选择经费审查委员会、女职工委员会或劳动法律监督委员会"
    check_past(established_on, "established_on", "成立日期", today or clock.today(), errors)
    chair_name = text(chair_name, "chair_name", "主任（召集人）姓名", 50, errors, required=True)
    names = []
    if members is not None and (not isinstance(members, list) or len(members) > 100):
        errors["members"] = "成员名单应为不超过100人的姓名列表"
    else:
        for index, raw in enumerate(members or []):
            name = text(raw, f"members.{index}", "成员姓名", 50, errors, required=True)
            if name:
                names.append(name)
    document = text(document, "document", "文件", 300, errors)
    raise_if(errors)
    if current_special(federation.id, kind) is not None:
        raise Conflict(f"已登记{SPECIAL_COMMITTEE_LABELS[kind]}")
    committee = SpecialCommittee(federation_id=federation.id, kind=kind, established_on=established_on,
                                 chair_name=chair_name, members=names, document=document)
    db.session.add(committee)
    if kind == "funds_review":
        federation.has_funds_committee = True
    elif kind == "women":
        federation.has_women_committee = True
    db.session.flush()
    record("governance.committee.add", staff, federation, "special_committee", committee.id, {"kind": kind})
    return committee


def current_special(federation_id: int, kind: str) -> SpecialCommittee | None:
    return db.session.scalar(select(SpecialCommittee).where(
        SpecialCommittee.federation_id == federation_id, SpecialCommittee.kind == kind,
        SpecialCommittee.dissolved_on.is_(None)))


def register_checks(federation: Federation, units: list[CoveredUnit], unions: list[BaseUnion],
                    specials: list[SpecialCommittee]) -> list[dict]:
    """Missing committees and uncovered units, for the board."""
    if federation.status != "active":
        return []
    kinds = {s.kind for s in specials if s.dissolved_on is None}
    figures = coverage_figures(units, unions)
    found = []
    if federation.own_funds and "funds_review" not in kinds:
        found.append({"code": "funds_committee_missing", "severity": "red",
                      "message": "独立管理经费，应同时成立工会经费审查委员会（《实施意见》二.3）",
                      "evidence": "经费：独立管理；经费审查委员会：未登记"})
    if women_committee_required(federation, figures) and "women" not in kinds:
        share = f"女会员{figures['women']}人/会员{figures['members']}人" if figures["members"] else "标记为女职工较多"
        found.append({"code": "women_committee_missing", "severity": "red",
                      "message": "所覆盖基层工会女职工较多，应建立女职工委员会（《实施意见》二.3）", "evidence": share})
    if "labour_law_supervision" not in kinds:
        found.append({"code": "supervision_committee_missing", "severity": "yellow",
                      "message": "应成立工会劳动法律监督委员会，落实“一函两书”制度（《实施意见》三.3）",
                      "evidence": "劳动法律监督委员会：未登记"})
    if figures["units_uncovered"]:
        names = [u.name for u in units if u.kind == "unit" and u.base_union_id is None and not u.covered_directly]
        found.append({"code": "units_uncovered", "severity": "yellow",
                      "message": f"{figures['units_uncovered']}个覆盖单位既未建立基层工会，也未由联合会直接覆盖（《实施意见》二.2）",
                      "evidence": "、".join(names[:5]) + ("等" if len(names) > 5 else "")})
    return found

