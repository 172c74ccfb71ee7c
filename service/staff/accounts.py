"""Staff accounts: creation, password login, and what each account may see.

Staff of a node of the union tree see that node and every node beneath it, nothing else
(DESIGN §5). `scope_ids(staff)` is the one place that decides it; every staff query filters
with `in_scope(staff, column)`.
"""
import secrets

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
        if may_view_id and federation_id == by.federation_id:
            raise Forbidden("授予查看完整身份证号的权限须由上级工会的管理员办理")
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


def _dummy_hash() -> str:
    """A hash of the configured kind, to check unknown usernames against (same cost as a real one)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = generate_password_hash(secrets.token_urlsafe(16))
    return _DUMMY


_DUMMY: str | None = None


def authenticate(username: str, password: str) -> Staff:
    """The staff account for these credentials.

    An unknown username, a deactivated account and a wrong password get the same answer after the
    same work (one password hash check each). Repeated failures are throttled per address and per
    account at the HTTP edge (handlers/throttle.py), never by locking the account: a lock would let
    anyone who knows a username keep its owner out."""
    staff = db.session.scalar(select(Staff).where(Staff.username == (username or "").strip()))
    valid = check_password_hash(staff.password_hash if staff is not None else _dummy_hash(), password or "")
    if staff is None or not staff.active or not valid:
        if staff is not None:
            staff.failed_logins += 1
        raise Unauthorized("用户名或密码错误", code="bad_credentials")
    now = utcnow()
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    audit.record("staff.login", staff=staff, subject_type="staff", subject_id=staff.id,
                 federation_id=staff.federation_id)
    return staff


def get_staff(staff_id: int, *, viewer: Staff) -> Staff:
    return get_in_scope(viewer, Staff, staff_id)

