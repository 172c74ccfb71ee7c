"""Joining the union: applications and memberships (DESIGN §4 Join)."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin
from models.federation import Federation
from models.worker import Worker
from models.encrypted import encrypted_phone
from service.extensions import db

# pending → approved | rejected | correction (→ pending again when the worker resubmits);
# an open application (pending/correction) may also be withdrawn by the worker.
APPLICATION_STATUSES = ("pending", "correction", "approved", "rejected", "withdrawn")
OPEN_APPLICATION_STATUSES = ("pending", "correction")
APPLICATION_STATUS_LABELS = {"pending": "审核中", "correction": "待补正", "approved": "已通过",
                             "rejected": "未通过", "withdrawn": "已撤回"}
# active ⇄ transferring (to another federation), active ⇄ retained (retired/unemployed),
# any of them → withdrawn (final; a new application gets a new member number).
MEMBERSHIP_STATUSES = ("active", "transferring", "retained", "withdrawn")
LIVE_MEMBERSHIP_STATUSES = ("active", "transferring", "retained")
MEMBERSHIP_STATUS_LABELS = {"active": "正常", "transferring": "转会中", "retained": "保留会籍", "withdrawn": "已退会"}
EMPLOYMENT_FORMS = ("employee", "platform", "flexible")
EMPLOYMENT_FORM_LABELS = {"employee": "单位职工", "platform": "平台劳动者", "flexible": "灵活就业"}
RETAINED_REASONS = {"retired": "退休", "unemployed": "失业"}


class Application(TimestampMixin, db.Model):
    """One application to join; what the worker submitted, where it went and what was decided."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Set to the worker's id while the application is open (pending/correction), NULL otherwise:
    # the unique index makes a double submit create one application on every database.
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True)

    name: Mapped[str | None] = mapped_column(String(50))
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_masked: Mapped[str | None] = mapped_column(String(18))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    # The mobile number, encrypted; found by phone_hash, shown as phone_masked (models/encrypted.py).
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(11))
    phone = encrypted_phone("phone")
    employment_form: Mapped[str] = mapped_column(String(16))
    employer: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    industry_code: Mapped[str] = mapped_column(String(8))
    declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    constitution: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column()

    source: Mapped[str] = mapped_column(String(16), default="routed")  # "qr" | "routed" | "transfer"
    routing: Mapped[dict | None] = mapped_column(JSONType)
    submitted_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # rejection reason or correction request
    retention_until: Mapped[datetime | None] = mapped_column(index=True)
    erased_at: Mapped[datetime | None] = mapped_column()
    # What happened, oldest first: [{"at", "action", "by", "note"?}] (notes go with the purge).
    history: Mapped[list | None] = mapped_column(JSONType)

    worker: Mapped[Worker] = relationship()
    federation: Mapped[Federation] = relationship()


class Membership(TimestampMixin, db.Model):
    """A worker's union membership; the member number is unique and never reused."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    member_no: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # The worker's id while the membership is not withdrawn: one live membership per worker.
    live_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    joined_at: Mapped[datetime] = mapped_column()
    # Workplace at joining, kept for anonymous statistics after the purge.
    region_code: Mapped[str | None] = mapped_column(String(12))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    # A transfer: requested (by "worker" or "staff:<id>"), released by the old federation,
    # accepted by the new one; status "transferring" meanwhile.
    transfer_to_id: Mapped[int | None] = mapped_column(ForeignKey("federations.id"), index=True)
    transfer_reason: Mapped[str | None] = mapped_column(String(200))
    transfer_requested_at: Mapped[datetime | None] = mapped_column()
    transfer_requested_by: Mapped[str | None] = mapped_column(String(32))
    transfer_released_at: Mapped[datetime | None] = mapped_column()
    retained_reason: Mapped[str | None] = mapped_column(String(20))  # "retired" | "unemployed"
    retained_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))
    retention_until: Mapped[datetime | None] = mapped_column(index=True)

    worker: Mapped[Worker] = relationship()
    federation: Mapped[Federation] = relationship(foreign_keys=[federation_id])
    transfer_to: Mapped[Federation | None] = relationship(foreign_keys=[transfer_to_id])
