"""Staff accounts: creation, password login with lockout, and what each account may see.

Staff of a node of the union tree see that node and every node beneath it, nothing else
(DESIGN §5). `scope_ids(staff)` is the one place that decides it; every staff query filters
with `in_scope(staff, column)`.
"""
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import utcnow
from models.federation import Federation
from models.staff import ROLES, Staff
from service import audit
from service.errors import Conflict, Forbidden, Invalid, Unauthorized
from service.extensions import db
from service.staff.scope import require_scope
from service.staff.scope import get_in_scope

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 8


def create_staff(*, username: str, password: str, federation_id: int, role: str = "caseworker",
                 display_name: str | None = None, may_view_id: bool = False,
                 by: Staff | None = None) -> Staff:
    errors = {}
    username = (username or "").strip()
    if not username or len(username) > 50:
        errors["username"] = "请填写用户名（不超过50个字符）"
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = f"密码至少{MIN_PASSWORD}位"
    if role not in ROLES:
        errors["role"] = "角色应为 admin、chair 或 caseworker"
    if db.session.get(Federation, federation_id) is None:
        errors["federation_id"] = "所属工会不存在"
    if errors:
        raise Invalid(fields=errors)
    if by is not None:
        require_scope(by, federation_id)
    if db.session.scalar(select(Staff.id).where(Staff.username == username)):
        raise Conflict(f"用户名“{username}”已存在")
    staff = Staff(username=username, display_name=display_name or username,
                  password_hash=generate_password_hash(password), federation_id=federation_id,
                  role=role, may_view_id=may_view_id)
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.create", staff=by, actor=None if by else "cli", subject_type="staff",
                 subject_id=staff.id, federation_id=federation_id, detail={"role": role})
    return staff


def authenticate(username: str, password: str) -> Staff:
    """The staff account for these credentials; locks the account after repeated failures."""
    staff = db.session.scalar(select(Staff).where(Staff.username == (username or "").strip()))
    now = utcnow()
    if staff is not None and staff.locked_until and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        raise Forbidden(f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试", code="locked")
    if staff is None or not staff.active or not check_password_hash(staff.password_hash, password or ""):
        if staff is not None:
            staff.failed_logins += 1
            if staff.failed_logins >= MAX_FAILED_LOGINS:
                staff.locked_until = now + LOCKOUT
                staff.failed_logins = 0
                audit.record("staff.locked", actor="system", subject_type="staff", subject_id=staff.id,
                             federation_id=staff.federation_id)
        raise Unauthorized("用户名或密码错误", code="bad_credentials")
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    audit.record("staff.login", staff=staff, subject_type="staff", subject_id=staff.id,
                 federation_id=staff.federation_id)
    return staff


def get_staff(staff_id: int, *, viewer: Staff) -> Staff:
    return get_in_scope(viewer, Staff, staff_id)

