"""The audit log: every staff action, and every full view of personal data (DESIGN §7)."""
from datetime import timedelta

from sqlalchemy import and_, or_, select

from models.audit import AuditEntry
from models.federation import Federation
from models.staff import Staff
from service.extensions import db


def record(
    action: str,
    *,
    staff: Staff | None = None,
    actor: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    federation_id: int | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add one audit line (flushed with the change it describes). Never put ID numbers or
    phone numbers in `detail`."""
    entry = AuditEntry(
        actor_staff_id=staff.id if staff else None,
        actor=actor or (f"staff:{staff.id}" if staff else "system"),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        federation_id=federation_id,
        detail=detail,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# --- reading it (console audit.html) ----------------------------------------------------------------
KINDS = {
    "id_views": lambda action: action == "pii.view_id",
    "exports": lambda action: or_(action.like("%.export"), action == "privacy.export"),
    "staff": lambda action: and_(action.like("staff.%"), action != "staff.login"),
    "privacy": lambda action: action.like("privacy.%"),
}
ACTION_LABELS = {
    "pii.view_id": "查看完整身份证号", "request.export": "导出求助列表", "contest.export": "导出竞赛名单",
    "privacy.export": "职工导出本人信息", "privacy.delete_request": "职工申请删除个人信息",
    "privacy.delete_done": "删除职工个人信息", "privacy.purge": "到期清理个人信息",
    "staff.create": "新建员工账号", "staff.update": "修改员工账号（角色、权限）", "staff.reset_password": "重置密码",
    "staff.change_password": "修改本人密码", "staff.deactivate": "停用账号", "staff.activate": "启用账号",
    "staff.login": "登录",
}


def list_entries(viewer: Staff, *, kind: str = "all", action: str | None = None, actor_staff_id: int | None = None,
                 federation_id: int | None = None, date_from=None, date_to=None, before_id: int | None = None,
                 limit: int = 50) -> dict:
    """Audit lines the viewer may read, newest first: those of their node and beneath it (lines of no
    node, such as the nightly purge, only for the top of the tree). Filters narrow it; paged by id."""
    from service import clock
    from service.staff.scope import in_scope

    root = viewer.federation.parent_id is None
    scope = in_scope(viewer, AuditEntry.federation_id)
    query = (select(AuditEntry, Staff.display_name, Federation.name)
             .outerjoin(Staff, Staff.id == AuditEntry.actor_staff_id)
             .outerjoin(Federation, Federation.id == AuditEntry.federation_id)
             .where(or_(scope, AuditEntry.federation_id.is_(None)) if root else scope))
    if kind in KINDS:
        query = query.where(KINDS[kind](AuditEntry.action))
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditEntry.action == action)
    if actor_staff_id:
        query = query.where(AuditEntry.actor_staff_id == actor_staff_id)
    if federation_id:
        query = query.where(AuditEntry.federation_id == federation_id)
    if date_from:
        query = query.where(AuditEntry.created_at >= clock.day_start(date_from))
    if date_to:
        query = query.where(AuditEntry.created_at < clock.day_start(date_to + timedelta(days=1)))
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    items = [{"id": e.id, "created_at": e.created_at, "action": e.action,
              "action_label": ACTION_LABELS.get(e.action, e.action), "actor": e.actor, "actor_name": name,
              "subject_type": e.subject_type, "subject_id": e.subject_id, "federation_id": e.federation_id,
              "federation_name": federation, "detail": e.detail} for e, name, federation in rows[:limit]]
    return {"items": items, "next_before_id": items[-1]["id"] if len(rows) > limit else None}
