"""Managing staff accounts from the console (admins), and the caller's own federation summary.
Accounts are created with service.staff.accounts.create_staff; scope rules are in service/staff/accounts.py."""
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from models.base import utcnow
from models.federation import KIND_LABELS, STATUS_LABELS
from models.request import OPEN_STATUSES, HelpRequest
from models.staff import ROLES, Staff
from service import audit, refdata
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from service.staff.sessions import end_all_sessions
from service.staff.accounts import MIN_PASSWORD, get_staff
from service.staff.scope import in_scope, require_role, subtree_ids_query


def list_staff(viewer: Staff, *, include_inactive: bool = True) -> list[Staff]:
    """Staff of the viewer's node and every node beneath it."""
    query = select(Staff).where(in_scope(viewer, Staff.federation_id))
    if not include_inactive:
        query = query.where(Staff.active.is_(True))
    return list(db.session.scalars(query.order_by(Staff.federation_id, Staff.username).limit(1000)))


def _not_self(viewer: Staff, target: Staff, what: str) -> None:
    if viewer.id == target.id:
        raise Conflict(f"不能{what}自己的账号，请让其他管理员操作")


def _require_level_above(viewer: Staff, target: Staff, what: str) -> None:
    """Only an admin of a node above the target's may do this: not the target themself, nor a peer
    admin of the same node (who could otherwise grant it to each other)."""
    if target.federation_id == viewer.federation_id:
        raise Forbidden(f"{what}须由上级工会的管理员办理")


def update_staff(viewer: Staff, staff_id: int, *, role: str | None = None, display_name: str | None = None,
                 openid: str | None = None, may_view_id: bool | None = None) -> Staff:
    require_role(viewer, "admin")
    target = get_staff(staff_id, viewer=viewer)
    changes = {}
    if role is not None and role != target.role:
        if role not in ROLES:
            raise Invalid(fields={"role": "角色应为 admin、chair 或 caseworker"})
        _not_self(viewer, target, "修改")
        changes["role"] = [target.role, role]
        target.role = role
    if display_name is not None:
        display_name = display_name.strip()
        if not 1 <= len(display_name) <= 50:
            raise Invalid(fields={"display_name": "姓名应为1–50个字"})
        target.display_name = display_name
        changes["display_name"] = True
    if openid is not None:
        target.openid = openid.strip() or None
        changes["openid"] = bool(target.openid)
    if may_view_id is not None and may_view_id != target.may_view_id:
        if may_view_id:  # revoking is always allowed; granting takes the level above
            _require_level_above(viewer, target, "授予查看完整身份证号的权限")
        target.may_view_id = may_view_id
        changes["may_view_id"] = may_view_id
    audit.record("staff.update", staff=viewer, subject_type="staff", subject_id=target.id,
                 federation_id=target.federation_id, detail=changes)
    return target


def set_active(viewer: Staff, staff_id: int, active: bool) -> Staff:
    """Deactivate (can no longer log in; keeps their history) or reactivate an account."""
    require_role(viewer, "admin")
    target = get_staff(staff_id, viewer=viewer)
    _not_self(viewer, target, "停用")
    target.active = active
    target.deactivated_at = None if active else utcnow()
    if not active:  # every session ends; their open requests go back to the unassigned view
        end_all_sessions(target)
        for request in db.session.scalars(select(HelpRequest).where(
                HelpRequest.assignee_id == target.id, HelpRequest.status.in_(OPEN_STATUSES))):
            request.assignee_id = None
    audit.record("staff.activate" if active else "staff.deactivate", staff=viewer, subject_type="staff",
                 subject_id=target.id, federation_id=target.federation_id)
    return target


def reset_password(viewer: Staff, staff_id: int, password: str) -> Staff:
    """Set a new password (the admin tells the colleague); also lifts a lockout."""
    require_role(viewer, "admin")
    target = get_staff(staff_id, viewer=viewer)
    if target.id == viewer.id:
        raise Conflict("请在“修改密码”中修改自己的密码（需要输入原密码）")
    if target.role == "admin":
        _require_level_above(viewer, target, "重置管理员的密码")
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(fields={"password": f"密码至少{MIN_PASSWORD}位"})
    target.password_hash = generate_password_hash(password)
    target.failed_logins, target.locked_until = 0, None
    target.password_changed_at = utcnow()
    end_all_sessions(target)  # a stolen session of the colleague ends with the old password
    audit.record("staff.reset_password", staff=viewer, subject_type="staff", subject_id=target.id,
                 federation_id=target.federation_id)
    return target


def federation_summary(viewer: Staff) -> dict:
    """The caller's own federation, read-only, with what its inbox holds."""
    node = viewer.federation
    counts = dict(db.session.execute(
        select(HelpRequest.status, func.count()).where(in_scope(viewer, HelpRequest.federation_id),
                                                       HelpRequest.status.in_(OPEN_STATUSES))
        .group_by(HelpRequest.status)).all())
    overdue = db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        in_scope(viewer, HelpRequest.federation_id), HelpRequest.status.in_(OPEN_STATUSES),
        HelpRequest.overdue))
    beneath = db.session.scalar(select(func.count()).select_from(subtree_ids_query(node.id).subquery())) - 1
    industry = refdata.get_industry(node.industry_code) if node.industry_code else None
    term_end = None
    if node.term_start and node.term_years:
        term_end = node.term_start.replace(year=node.term_start.year + node.term_years)
    return {
        "id": node.id, "name": node.name, "kind": node.kind, "kind_label": KIND_LABELS.get(node.kind, node.kind),
        "level": node.level, "status": node.status, "status_label": STATUS_LABELS.get(node.status, node.status),
        "region_code": node.region_code, "region_name": refdata.region_full_name(node.region_code),
        "industry_code": node.industry_code, "industry_name": industry.name if industry else None,
        "parent_name": node.parent.name if node.parent else None,
        "term_start": node.term_start, "term_years": node.term_years, "term_end": term_end,
        "contact_name": node.contact_name, "contact_phone": node.contact_phone, "address": node.address,
        "coverage": [{"region_prefix": r.region_prefix, "region_name": refdata.region_full_name(r.region_prefix.ljust(6, "0"))
                      or r.region_prefix, "industry_prefix": r.industry_prefix} for r in node.coverage],
        "nodes_beneath": beneath, "scene": node.scene,
        "poster_url": f"/api/federations/{node.id}/poster.png",
        "staff_count": db.session.scalar(select(func.count()).select_from(Staff).where(
            Staff.federation_id == node.id, Staff.active.is_(True))),
        "open_requests": {status: counts.get(status, 0) for status in OPEN_STATUSES}, "overdue_requests": overdue,
    }
