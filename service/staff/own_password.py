"""A staff member changes their own password (the current one first); audited, never logged."""
from werkzeug.security import check_password_hash, generate_password_hash

from models.staff import Staff
from service import audit
from service.errors import Invalid
from service.staff.accounts import MIN_PASSWORD


def change_own_password(staff: Staff, current: str, new: str) -> None:
    """Check the current password, then set the new one (at least MIN_PASSWORD characters)."""
    if not check_password_hash(staff.password_hash, current or ""):
        raise Invalid(fields={"current": "当前密码不正确"})
    if len(new or "") < MIN_PASSWORD:
        raise Invalid(fields={"new": f"新密码至少{MIN_PASSWORD}位"})
    if new == current:
        raise Invalid(fields={"new": "新密码不能与当前密码相同"})
    staff.password_hash = generate_password_hash(new)
    audit.record("staff.change_own_password", staff=staff, subject_type="staff", subject_id=staff.id,
                 federation_id=staff.federation_id)
