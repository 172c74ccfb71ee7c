"""The union tree: upper unions and federations — create, look up, update, rename, and the
lifecycle preparing → active → dissolved (DESIGN §1).

Placement rules (Hebei opinion 2020, 二.1):
- a node's level is its region's level in the reference data (province, city, county,
  township); a federation is never provincial, and at city level only an industry one;
- a federation's parent is an upper union that is not dissolved, whose region is the
  federation's region or one of its ancestors, at the same level or above;
- an upper union's parent (if any) is an upper union strictly above it, whose region
  contains it;
- an industry federation names its industry (GB/T 4754-2017); a regional one names none.

Staff changes: `staff` is the acting account. Any admin may act on the nodes in their scope;
what decides who answers for the tree (create, rename, status, priority, coverage) needs an
admin of a node above the target (`require_manager`). Every staff change is audited.
"""
from datetime import date, timedelta

from sqlalchemy import func, select

from models.base import utcnow
from models.federation import (FEDERATION_KINDS, KINDS, LEVEL_LABELS, LEVELS, STATUS_LABELS, STATUSES,
                               TERM_YEARS, Federation)
from models.membership import Application
from models.request import HelpRequest
from models.staff import Staff
from service import audit, refdata
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from service.federations.names import name_problems
from service.routing.router import OPEN_APPLICATION_STATUSES, OPEN_REQUEST_STATUSES
from service.staff.scope import require_scope, subtree_ids_query

LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
PROFILE_FIELDS = ("description", "contact_name", "contact_phone", "address")
FLAG_FIELDS = ("own_funds", "many_women", "has_funds_committee", "has_women_committee")
TERM_FIELDS = ("term_start", "term_years")
MANAGER_FIELDS = ("priority",)
EXTRA_FIELDS = PROFILE_FIELDS + FLAG_FIELDS + TERM_FIELDS + MANAGER_FIELDS
PERSONAL_FIELDS = ("contact_name", "contact_phone")  # audited by name only, never by value


# ------------------------------------------------------------------ look-ups

def get_federation(federation_id: int) -> Federation:
    federation = db.session.get(Federation, federation_id)
    if federation is None:
        raise NotFound("找不到该工会或工会联合会")
    return federation


def get_visible(staff: Staff, federation_id: int) -> Federation:
    """The node if `staff` may see it; a guessed id is a 404 either way."""
    require_scope(staff, federation_id)
    return get_federation(federation_id)


def list_active_federations() -> list[Federation]:
    """Active federations (not upper unions), for the public list and the simulator."""
    return list(
        db.session.scalars(
            select(Federation)
            .where(Federation.kind.in_(FEDERATION_KINDS), Federation.status == "active")
            .order_by(Federation.id)
        )
    )


def visible_tree(staff: Staff) -> list[Federation]:
    """The caller's node and everything beneath it, parents before children."""
    nodes = list(db.session.scalars(
        select(Federation).where(Federation.id.in_(subtree_ids_query(staff.federation_id)))
        .order_by(Federation.id)
    ))
    return sorted(nodes, key=lambda n: (LEVEL_RANK[n.level], n.kind != "upper", n.id))


# ------------------------------------------------------------------ permissions

def require_admin(staff: Staff, federation: Federation) -> None:
    """An admin whose scope holds `federation` (their own node included)."""
    require_scope(staff, federation.id)
    if staff.role != "admin":
        raise Forbidden("只有管理员可以修改工会联合会信息")


def require_manager(staff: Staff, federation: Federation) -> None:
    """An admin of a node above `federation`: the upper union answers for what its
    federations cover, what they are called and whether they run."""
    require_admin(staff, federation)
    if staff.federation_id == federation.id:
        raise Forbidden("此项须由上级工会的管理员办理")


# ------------------------------------------------------------------ validation

def _placement_errors(*, kind: str, level: str | None, region_code: str, industry_code: str | None,
                      parent: Federation | None, parent_given: bool) -> tuple[dict, str | None]:
    """(field errors, the level) for putting a node of `kind` at `region_code` under `parent`."""
    errors: dict[str, str] = {}
    region = refdata.get_region(region_code)
    if kind not in KINDS:
        errors["kind"] = "类型应为 upper（上级工会）、regional（区域性）或 industry（行业性）"
    if region is None:
        errors["region_code"] = "行政区划代码无效（应为 GB/T 2260 代码，如 130102）"
        return errors, level
    if level is not None and level != region.level:
        errors["level"] = f"层级应与所在行政区划一致（{refdata.region_full_name(region_code)}为{LEVEL_LABELS[region.level]}）"
    level = region.level
    if kind in FEDERATION_KINDS:
        if level == "province":
            errors["region_code"] = "工会联合会一般建立在县（市、区）及以下，不能建在省级"
        elif level == "city" and kind != "industry":
            errors["region_code"] = "市级只能建立行业性工会联合会；区域性工会联合会应建在县级及以下"
        if kind == "industry" and not industry_code:
            errors["industry_code"] = "行业性工会联合会请选择所属行业"
        if kind == "regional" and industry_code:
            errors["industry_code"] = "区域性工会联合会不设所属行业"
    elif industry_code:
        errors["industry_code"] = "上级工会不设所属行业"
    if industry_code and "industry_code" not in errors and not refdata.is_industry(industry_code):
        errors["industry_code"] = "行业代码无效（应为 GB/T 4754-2017 代码，如 G6020）"
    if parent is None:
        if parent_given:
            errors["parent_id"] = "上一级工会不存在"
        elif kind in FEDERATION_KINDS:
            errors["parent_id"] = "请选择上一级工会（负责批准成立的工会）"
        return errors, level
    if parent.kind != "upper":
        errors["parent_id"] = "上一级必须是上级工会（总工会或乡镇、街道、园区工会），不能是工会联合会"
    elif parent.status == "dissolved":
        errors["parent_id"] = f"{parent.name}已撤销，不能作为上一级工会"
    elif parent.region_code not in [region_code] + refdata.region_ancestors_codes(region_code):
        errors["parent_id"] = f"上一级工会{parent.name}的行政区划不包含{refdata.region_full_name(region_code)}"
    elif kind == "upper" and LEVEL_RANK[parent.level] >= LEVEL_RANK[level]:
        errors["parent_id"] = "上一级工会的层级应高于本工会"
    return errors, level


def _extra_errors(values: dict) -> dict:
    errors = {}
    years = values.get("term_years")
    if years is not None and years not in TERM_YEARS:
        errors["term_years"] = "任期应为3年或5年"
    if values.get("term_start") is not None and years is None:
        errors["term_years"] = "请选择任期年限（3年或5年）"
    if years is not None and values.get("term_start") is None:
        errors["term_start"] = "请填写本届任期的开始日期"
    start = values.get("term_start")
    if isinstance(start, date) and start > date.today() + timedelta(days=366):
        errors["term_start"] = "任期开始日期不能晚于一年之后"
    priority = values.get("priority")
    if priority is not None and not -100 <= priority <= 100:
        errors["priority"] = "优先级应在 -100 到 100 之间"
    return errors


def _unique_name(name: str, federation_id: int | None = None) -> None:
    clash = db.session.scalar(select(Federation.id).where(Federation.name == name))
    if clash is not None and clash != federation_id:
        raise Conflict(f"名称“{name}”已被使用")


# ------------------------------------------------------------------ changes

def create_federation(
    *, name: str, kind: str, region_code: str, level: str | None = None, industry_code: str | None = None,
    parent_id: int | None = None, status: str = "active", staff: Staff | None = None, **extra,
) -> Federation:
    """Create a node of the union tree (flushed; the caller commits).

    With `staff`, it must be an admin whose scope holds the parent, and the new node starts
    preparing or active. Without (CLI, demo, tests) any status may be given, for imports."""
    name = (name or "").strip()
    region_code = (region_code or "").strip()
    industry_code = (industry_code or "").strip().upper() or None
    unknown = set(extra) - set(EXTRA_FIELDS)
    if unknown:
        raise TypeError(f"unknown federation fields: {sorted(unknown)}")
    if staff is not None:
        if parent_id is None:
            raise Invalid(fields={"parent_id": "请选择上一级工会（负责批准成立的工会）"})
        require_admin(staff, get_visible(staff, parent_id))
    parent = db.session.get(Federation, parent_id) if parent_id is not None else None
    errors, level = _placement_errors(kind=kind, level=level, region_code=region_code,
                                      industry_code=industry_code, parent=parent,
                                      parent_given=parent_id is not None)
    allowed = ("preparing", "active") if staff is not None else STATUSES
    if status not in allowed:
        errors["status"] = "新建时状态应为 preparing（筹备中）或 active（运行中）"
    elif kind == "upper" and staff is not None:
        status = "active"  # an upper union has no preparing stage here: it exists or it does not
    problems = name_problems(name, kind=kind, region_code=region_code) if kind in KINDS else []
    if problems:
        errors["name"] = "；".join(problems)
    errors.update(_extra_errors(extra))
    if errors:
        raise Invalid(fields=errors)
    _unique_name(name)
    now = utcnow()
    federation = Federation(
        name=name, kind=kind, level=level, region_code=region_code, industry_code=industry_code,
        parent_id=parent_id, status=status, activated_at=now if status == "active" else None, **extra,
    )
    if status == "dissolved":
        federation.dissolved_at, federation.dissolved_on = now, date.today()
    db.session.add(federation)
    db.session.flush()
    if staff is not None:
        audit.record("federation.create", staff=staff, subject_type="federation", subject_id=federation.id,
                     federation_id=federation.id,
                     detail={"name": name, "kind": kind, "region_code": region_code,
                             "industry_code": industry_code, "parent_id": parent_id, "status": status})
    return federation


def update_federation(federation: Federation, changes: dict, *, staff: Staff) -> Federation:
    """Profile, contact details, flags, term and priority. Priority changes routing, so it
    needs an admin above the federation; the rest may be done by the node's own admin."""
    unknown = set(changes) - set(EXTRA_FIELDS)
    if unknown:
        raise Invalid(fields={key: "不能修改此项" for key in unknown})
    if any(key in changes for key in MANAGER_FIELDS):
        require_manager(staff, federation)
    else:
        require_admin(staff, federation)
    if federation.status == "dissolved":
        raise Conflict("已撤销的工会联合会不能再修改")
    merged = {key: getattr(federation, key) for key in EXTRA_FIELDS} | changes
    errors = _extra_errors(merged)
    if errors:
        raise Invalid(fields=errors)
    changed = {}
    for key, value in changes.items():
        if isinstance(value, str):
            value = value.strip() or None
        if getattr(federation, key) != value:
            changed[key] = value
            setattr(federation, key, value)
    if changed:
        db.session.flush()
        audit.record("federation.update", staff=staff, subject_type="federation", subject_id=federation.id,
                     federation_id=federation.id,
                     detail={key: ("(已修改)" if key in PERSONAL_FIELDS else _plain(value))
                             for key, value in changed.items()})
    return federation


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def rename_federation(federation: Federation, name: str, *, staff: Staff) -> Federation:
    """Rename, checked by the name rule (an upper union's name only has to end with 工会)."""
    require_manager(staff, federation)
    if federation.status == "dissolved":
        raise Conflict("已撤销的工会联合会不能改名")
    name = (name or "").strip()
    problems = name_problems(name, kind=federation.kind, region_code=federation.region_code)
    if problems:
        raise Invalid(fields={"name": "；".join(problems)})
    if name == federation.name:
        return federation
    _unique_name(name, federation.id)
    old, federation.name = federation.name, name
    db.session.flush()
    audit.record("federation.rename", staff=staff, subject_type="federation", subject_id=federation.id,
                 federation_id=federation.id, detail={"from": old, "to": name})
    return federation


def _require_lifecycle(federation: Federation) -> None:
    if federation.kind not in FEDERATION_KINDS:
        raise Conflict("上级工会不适用筹备、运行、撤销的状态变更")


def activate_federation(federation: Federation, *, staff: Staff | None) -> Federation:
    """preparing → active (the preparatory group has held the founding election)."""
    if staff is not None:
        require_manager(staff, federation)
    _require_lifecycle(federation)
    if federation.status != "preparing":
        raise Conflict(f"只有筹备中的工会联合会可以转为运行（当前：{STATUS_LABELS[federation.status]}）")
    federation.status = "active"
    federation.activated_at = utcnow()
    db.session.flush()
    audit.record("federation.activate", staff=staff, actor=None if staff else "cli", subject_type="federation",
                 subject_id=federation.id, federation_id=federation.id)
    return federation


def dissolve_federation(federation: Federation, *, on: date, reason: str | None = None,
                        staff: Staff | None) -> Federation:
    """preparing|active → dissolved, effective `on` (not in the future). Refused while the
    inbox still holds open requests or applications: transfer them first."""
    if staff is not None:
        require_manager(staff, federation)
    _require_lifecycle(federation)
    if federation.status == "dissolved":
        raise Conflict("该工会联合会已撤销")
    if on is None:
        raise Invalid(fields={"dissolved_on": "请填写撤销日期"})
    if on > date.today():
        raise Invalid(fields={"dissolved_on": "撤销日期不能晚于今天"})
    reason = (reason or "").strip() or None
    if reason and len(reason) > 500:
        raise Invalid(fields={"reason": "原因不超过500字"})
    requests = db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.federation_id == federation.id, HelpRequest.status.in_(OPEN_REQUEST_STATUSES)))
    applications = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.federation_id == federation.id, Application.status.in_(OPEN_APPLICATION_STATUSES)))
    if requests or applications:
        raise Conflict(f"收件箱中还有{requests}件未办结的诉求、{applications}份待审核的入会申请，请先转办后再撤销")
    federation.status = "dissolved"
    federation.dissolved_on = on
    federation.dissolved_reason = reason
    federation.dissolved_at = utcnow()
    db.session.flush()
    audit.record("federation.dissolve", staff=staff, actor=None if staff else "cli", subject_type="federation",
                 subject_id=federation.id, federation_id=federation.id,
                 detail={"dissolved_on": on.isoformat(), "reason": reason})
    return federation

