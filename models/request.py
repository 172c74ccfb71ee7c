"""Help requests (legal aid, mediation, wage arrears, work injury, consultation), their timeline,
attachments, transfers and canned replies (DESIGN §3–§5)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin, utcnow
from models.federation import Federation
from models.worker import Worker
from service.extensions import db

REQUEST_TYPES = ("legal_aid", "mediation", "wage_arrears", "work_injury", "consultation")
REQUEST_TYPE_LABELS = {
    "legal_aid": "法律援助",
    "mediation": "劳动争议调解",
    "wage_arrears": "欠薪",
    "work_injury": "工伤",
    "consultation": "法律咨询",
}
REQUEST_STATUSES = ("new", "in_progress", "awaiting_worker", "resolved", "closed", "withdrawn")


class HelpRequest(TimestampMixin, db.Model):
    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_inbox", "federation_id", "status", "created_at"),
        Index("ix_help_requests_assignee", "assignee_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"))
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Transferred or escalated in and not yet claimed by the receiving inbox.
    incoming: Mapped[bool] = mapped_column(Boolean, default=False)

    worker_name: Mapped[str | None] = mapped_column(String(50))
    worker_phone: Mapped[str | None] = mapped_column(String(11), index=True)
    employer_name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    industry_code: Mapped[str] = mapped_column(String(8))
    facts: Mapped[str] = mapped_column(Text)
    wants: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    learned_on: Mapped[date | None] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)  # type-specific fields
    consent_at: Mapped[datetime | None] = mapped_column()
    routing: Mapped[dict | None] = mapped_column(JSONType)

    first_response_due: Mapped[datetime | None] = mapped_column()
    resolution_due: Mapped[datetime | None] = mapped_column(index=True)
    first_responded_at: Mapped[datetime | None] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    overdue_since: Mapped[datetime | None] = mapped_column()
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    limitation_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[dict | None] = mapped_column(JSONType)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)

    worker: Mapped[Worker] = relationship()
    federation: Mapped[Federation] = relationship()
    events: Mapped[list["RequestEvent"]] = relationship(back_populates="request", order_by="RequestEvent.id")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="request", order_by="Attachment.id")


class RequestEvent(db.Model):
    """One line of a request's timeline; ``public`` lines are shown to the worker."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    by_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="events")


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # "upload" | "chat"
    media_id: Mapped[str | None] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="attachments")


class Transfer(db.Model):
    """One hop of a request, application or membership between inboxes (transfer or escalation)."""

    __tablename__ = "transfers"
    __table_args__ = (Index("ix_transfers_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # "request" | "application" | "membership"
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="transfer")  # "transfer" | "escalate"
    from_federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"))
    to_federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedReply(db.Model):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
