"""Staff sessions that can be ended: every account carries a session token, written into the
login cookie (Flask-Login's alternative-id pattern) and compared on every request. Logging out,
changing or resetting the password replaces the token, so every cookie issued before, on any
device, stops working at once."""
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from models.base import utcnow
from models.staff import Staff
from service import audit
from service.errors import Invalid
from service.extensions import db
from service.staff.accounts import MIN_PASSWORD


def new_token() -> str:
    return secrets.token_urlsafe(32)


def session_id(staff: Staff) -> str:
    """What the login cookie holds: "<id>:<token>" (a token is made on first use)."""
    if not staff.session_token:
        staff.session_token = new_token()
        db.session.flush()
    return f"{staff.id}:{staff.session_token}"


def load_session(value: str) -> Staff | None:
    """The active account a login cookie belongs to, or None when its token was replaced."""
    staff_id, _, token = (value or "").partition(":")
    if not staff_id.isdigit() or not token or len(staff_id) > 12:
        return None
    staff = db.session.get(Staff, int(staff_id))
    if staff is None or not staff.active or not staff.session_token:
        return None
    return staff if hmac.compare_digest(staff.session_token, token) else None


def end_all_sessions(staff: Staff) -> None:
    """Every login cookie of this account, on every device, stops working."""
    staff.session_token = new_token()
    db.session.flush()


def change_password(staff: Staff, current: str, new: str) -> Staff:
    """A staff member changes their own password (knowing the current one); every other session ends."""
    if not check_password_hash(staff.password_hash, current or ""):
        raise Invalid(fields={"current_password": "原密码不正确"})
    if len(new or "") < MIN_PASSWORD:
        raise Invalid(fields={"password": f"密码至少{MIN_PASSWORD}位"})
    staff.password_hash = generate_password_hash(new)
    staff.password_changed_at = utcnow()
    end_all_sessions(staff)
    audit.record("staff.change_password", staff=staff, subject_type="staff", subject_id=staff.id,
                 federation_id=staff.federation_id)
    return staff
