"""Help requests (legal aid, mediation, wage arrears, work injury, consultation), their timeline,
attachments, transfers and canned replies (DESIGN §3–§5)."""
from datetime import date, datetime
from typing import TYPE_CHECKING
from decimal import Decimal

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin, utcnow
from models.federation import Federation
from models.position import Position
from models.worker import Worker
from models.encrypted import encrypted_phone
from service.extensions import db

if TYPE_CHECKING:
    from models.staff import Staff

REQUEST_TYPES = ("legal_aid", "mediation", "wage_arrears", "work_injury", "consultation")
REQUEST_TYPE_LABELS = {
    "legal_aid": "法律援助",
    "mediation": "劳动争议调解",
    "wage_arrears": "欠薪",
    "work_injury": "工伤",
    "consultation": "法律咨询",
}
REQUEST_STATUSES = ("new", "in_progress", "awaiting_worker", "resolved", "closed", "withdrawn")
OPEN_STATUSES = ("new", "in_progress", "awaiting_worker")
OPEN_SQL = "('new', 'in_progress', 'awaiting_worker')"
# What staff read in the console, and what the worker reads in plain words.
STATUS_LABELS = {
    "new": "待受理", "in_progress": "办理中", "awaiting_worker": "待职工补充", "resolved": "已办结",
    "closed": "已结案", "withdrawn": "已撤回",
}
WORKER_STATUS_LABELS = {
    "new": "已提交，等待工会受理", "in_progress": "工会正在办理", "awaiting_worker": "需要您补充材料",
    "resolved": "已办结", "closed": "已结案", "withdrawn": "您已撤回",
}
ATTACHMENT_STATUSES = ("pending", "stored", "failed")  # chat images wait for the fetch job


class HelpRequest(TimestampMixin, db.Model):
    __tablename__ = "help_requests"
    __table_args__ = (
        # Inbox keyset pagination is (created_at, id) descending: one ordered index per way in.
        Index("ix_help_requests_created", "created_at", "id"),
        Index("ix_help_requests_fed_created", "federation_id", "created_at", "id"),
        Index("ix_help_requests_assignee_created", "assignee_id", "created_at", "id"),
        # Small partial indexes for the views over few rows: walked in created_at order for a
        # whole tree, or per federation (then sorted) for a part of it. Open requests are a few
        # per cent of all; the sweeper reads the open ones too.
        Index("ix_help_requests_open_fed", "federation_id", "created_at", "id",
              postgresql_where=text(f"status IN {OPEN_SQL}"), sqlite_where=text(f"status IN {OPEN_SQL}")),
        Index("ix_help_requests_overdue_created", "created_at", "id",
              postgresql_where=text("overdue"), sqlite_where=text("overdue")),
        Index("ix_help_requests_incoming_created", "created_at", "id",
              postgresql_where=text("incoming"), sqlite_where=text("incoming")),
        Index("ix_help_requests_incoming_fed", "federation_id", "created_at", "id",
              postgresql_where=text("incoming"), sqlite_where=text("incoming")),
        # The statistics' low ratings (1 or 2 stars, newest first): a few per cent of all requests.
        Index("ix_help_requests_low_rated", "created_at", "id",
              postgresql_where=text("rating <= 2"), sqlite_where=text("rating <= 2")),
        # Search by worker name (exact or prefix; pattern ops so LIKE 'x%' uses it in any collation).
        Index("ix_help_requests_worker_name", "worker_name",
              postgresql_ops={"worker_name": "varchar_pattern_ops"}),
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
    # The mobile number, encrypted; found by worker_phone_hash, shown as worker_phone_masked (models/encrypted.py).
    worker_phone_enc: Mapped[str | None] = mapped_column(Text)
    worker_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    worker_phone_masked: Mapped[str | None] = mapped_column(String(11))
    worker_phone = encrypted_phone("worker_phone")
    employer_name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    industry_code: Mapped[str] = mapped_column(String(8))
    facts: Mapped[str] = mapped_column(Text)
    wants: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    learned_on: Mapped[date | None] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)  # type-specific fields
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column()
    routing: Mapped[dict | None] = mapped_column(JSONType)
    # The worker's last action on this request (submit, view, add info, image): chat images
    # sent within 10 minutes of it are attached here.
    worker_active_at: Mapped[datetime | None] = mapped_column()
    # Messages from the worker (chat, added information) staff have not opened yet: the inbox
    # flags them ("职工有新消息"); opening the request in the console clears it.
    worker_unread: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Merged into another request (a duplicate, or one worker of a group case): closed here, and
    # every update of that request reaches this request's worker too.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"), index=True)

    first_response_due: Mapped[datetime | None] = mapped_column()
    resolution_due: Mapped[datetime | None] = mapped_column()
    first_responded_at: Mapped[datetime | None] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    # Sticky: the request missed a target ("first_response" or "resolution") while open.
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_kind: Mapped[str | None] = mapped_column(String(16))
    overdue_since: Mapped[datetime | None] = mapped_column()
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column()
    limitation_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[dict | None] = mapped_column(JSONType)
    # Where a mediation meets (a service position picked by staff) and when or in which room.
    meeting_position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    meeting_note: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column()
    # Personal data erased (retention clock or the worker's own deletion request): name, mobile, facts,
    # wants, message texts and images; type, place, dates and outcome stay for statistics.
    erased_at: Mapped[datetime | None] = mapped_column()

    worker: Mapped[Worker] = relationship()
    federation: Mapped[Federation] = relationship()
    assignee: Mapped["Staff | None"] = relationship("Staff")
    meeting_position: Mapped[Position | None] = relationship()
    events: Mapped[list["RequestEvent"]] = relationship(back_populates="request", order_by="RequestEvent.id")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="request", order_by="Attachment.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


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
    actor: Mapped["Staff | None"] = relationship("Staff")


class Attachment(db.Model):
    """An image the worker gave as evidence: uploaded in the page, or sent in the chat (then
    ``pending`` with its MediaId until the fetch job downloads it)."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # "upload" | "chat"
    status: Mapped[str] = mapped_column(String(10), default="stored")
    media_id: Mapped[str | None] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column()

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


class CannedReply(TimestampMixin, db.Model):
    """A federation's ready-made reply text; staff pick one and edit it before sending."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("federation_id", "title", name="uq_canned_replies_federation_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class SubmissionKey(db.Model):
    """An idempotency key the help page sent with a submission: a retry (double tap, a resend
    on a bad network) with the same key answers the first request instead of making a second.
    Held for a day (service/help_requests/idempotency.py)."""

    __tablename__ = "submission_keys"

    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
