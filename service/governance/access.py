"""Who may record what in a federation's governance, and the small helpers every governance
module shares (look-ups in scope, date checks, audit).

- The federation's own admins and chairs (and any admin or chair above it) record its
  congresses, members, base unions, letters and warnings.
- What the opinion reserves for the upper union — approving the preparing group, approving an
  early or late renewal — needs an admin of a union above the federation.
"""
from datetime import date, timedelta

from models.federation import FEDERATION_KINDS, Federation
from models.staff import Staff
from service import audit
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from service.staff.scope import require_scope

WRITER_ROLES = ("admin", "chair")
MAX_ID = 2**31 - 1


def get_governed(staff: Staff | None, federation_id: int) -> Federation:
    """A federation (not an upper union) the caller may see; a guessed id is a 404."""
    if not 0 < federation_id <= MAX_ID:  # beyond any row, and beyond what SQLite can bind
        raise NotFound("找不到该工会联合会")
    if staff is not None:
        require_scope(staff, federation_id)
    federation = db.session.get(Federation, federation_id)
    if federation is None or federation.kind not in FEDERATION_KINDS:
        raise NotFound("找不到该工会联合会")
    return federation


def require_writer(staff: Staff | None, federation: Federation) -> None:
    """An admin or chair of the federation or of a union above it (None: CLI, demo, jobs)."""
    if staff is None:
        return
    require_scope(staff, federation.id)
    if staff.role not in WRITER_ROLES:
        raise Forbidden("只有管理员或主席可以登记联合会治理事项")
    if federation.status == "dissolved":
        raise Conflict("已撤销的工会联合会不能再登记治理事项")


def require_upper(staff: Staff | None, federation: Federation, what: str) -> None:
    """An admin of a union above the federation: `what` is reserved to the upper union."""
    if staff is None:
        return
    require_scope(staff, federation.id)
    if staff.role != "admin" or staff.federation_id == federation.id:
        raise Forbidden(f"{what}须由上一级工会的管理员办理")


def lookup(model, record_id):
    """The row of `model` with this id, or None (also for a non-integer or out-of-range id)."""
    if isinstance(record_id, bool) or not isinstance(record_id, int) or not 0 < record_id <= MAX_ID:
        return None
    return db.session.get(model, record_id)


def get_owned(model, record_id: int, federation: Federation):
    """A record of `model` belonging to `federation` (another federation's id is a 404)."""
    record = lookup(model, record_id)
    if record is None or record.federation_id != federation.id:
        raise NotFound()
    return record


def check_past(value: date | None, field: str, label: str, today: date, errors: dict, *,
               required: bool = True) -> None:
    """A date that has happened: not empty (if required) and not after today."""
    if value is None:
        if required:
            errors[field] = f"请填写{label}"
        return
    if value > today:
        errors[field] = f"{label}不能晚于今天"
    elif value < date(1950, 1, 1):
        errors[field] = f"{label}有误"


def text(value, field: str, label: str, max_len: int, errors: dict, *, required: bool = False) -> str | None:
    """A trimmed string, or None; records a Chinese error for a missing or too long one."""
    value = value.strip() if isinstance(value, str) else None
    if value and "\x00" in value:
        errors[field] = f"{label}含有无效字符"
        return None
    if not value:
        if required:
            errors[field] = f"请填写{label}"
        return None
    if len(value) > max_len:
        errors[field] = f"{label}不超过{max_len}个字"
    return value


def raise_if(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


def add_years(start: date, years: int) -> date:
    """`start` plus whole years (29 February → 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def add_months(start: date, months: int) -> date:
    """`start` plus calendar months, clamped to the month's last day."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def record(action: str, staff: Staff | None, federation: Federation, subject_type: str, subject_id: int,
           detail: dict | None = None) -> None:
    """Audit a governance change (names of people are allowed; never ID numbers or phones)."""
    audit.record(action, staff=staff, actor=None if staff else "system", subject_type=subject_type,
                 subject_id=subject_id, federation_id=federation.id, detail=detail)


DAY = timedelta(days=1)
