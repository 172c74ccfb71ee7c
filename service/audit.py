"""The audit log: every staff action, and every full view of personal data (DESIGN §7)."""
from models.audit import AuditEntry
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
