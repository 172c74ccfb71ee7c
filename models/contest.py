"""Skill contests (劳动和技能竞赛) and sign-ups (DESIGN §4 Skill contests).

Counters on the contest row (confirmed_count, waitlisted_count, last_seq) are moved only by
guarded UPDATEs on that row, whose lock serialises every sign-up, cancellation and promotion
of one contest: confirmed_count never passes capacity and seq never repeats.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin
from models.federation import Federation
from models.position import Position
from models.worker import Worker
from models.encrypted import encrypted_phone
from service.extensions import db

# draft → published → closed (registration closed) → finished (results); or → cancelled
CONTEST_STATUSES = ("draft", "published", "closed", "finished", "cancelled")
CONTEST_STATUS_LABELS = {
    "draft": "草稿", "published": "报名中", "closed": "报名已截止", "finished": "已结束", "cancelled": "已取消",
}
SIGNUP_STATUSES = ("confirmed", "waitlisted", "cancelled", "removed")
SIGNUP_STATUS_LABELS = {"confirmed": "已确认", "waitlisted": "候补", "cancelled": "已取消", "removed": "已移出"}
QUESTION_KINDS = ("text", "single", "multiple")
ELIGIBILITY_SCOPES = ("any", "federation", "coverage")


class Contest(TimestampMixin, db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    industry_code: Mapped[str | None] = mapped_column(String(8))  # the trade (GB/T 4754-2017)
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    # The service position where it is held (optional; `venue` then adds the room or the floor).
    venue_position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    registration_opens_at: Mapped[datetime] = mapped_column()
    registration_closes_at: Mapped[datetime] = mapped_column()
    cancel_cutoff_at: Mapped[datetime | None] = mapped_column()  # None: until registration closes
    capacity: Mapped[int] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlisted_count: Mapped[int] = mapped_column(Integer, default=0)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # the per-contest arrival counter
    members_only: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"scope": "any"|"federation"|"coverage", "region_prefix", "industry_prefix", "age_min", "age_max"}
    eligibility: Mapped[dict] = mapped_column(JSONType, default=dict)
    exclusions: Mapped[str | None] = mapped_column(Text)  # shown to workers as written
    # [{"key", "label", "kind": "text"|"single"|"multiple", "options": [...], "required": bool}]
    questions: Mapped[list] = mapped_column(JSONType, default=list)
    scoring_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    published_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    results_published_at: Mapped[datetime | None] = mapped_column()
    # The temporary WeChat QR code of scene "contest:<id>" for the poster.
    qr_ticket: Mapped[str | None] = mapped_column(String(200))
    qr_url: Mapped[str | None] = mapped_column(String(300))
    qr_expires_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    federation: Mapped[Federation] = relationship()
    venue_position: Mapped[Position | None] = relationship()

    @property
    def scene(self) -> str:
        return f"contest:{self.id}"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)

    def __repr__(self) -> str:
        return f"<Contest {self.id} {self.status}>"


class Signup(TimestampMixin, db.Model):
    __tablename__ = "contest_signups"
    __table_args__ = (
        UniqueConstraint("contest_id", "worker_id", name="uq_signup_contest_worker"),
        UniqueConstraint("contest_id", "seq", name="uq_signup_contest_seq"),
        Index("ix_signups_contest_status_seq", "contest_id", "status", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)  # arrival order; waitlist order (staff may reorder)
    source: Mapped[str] = mapped_column(String(8), default="worker")  # "worker" | "staff"
    # What the worker filled in (the roster needs a name and a phone even for non-members).
    name: Mapped[str] = mapped_column(String(50))
    # The mobile number, encrypted; found by phone_hash, shown as phone_masked (models/encrypted.py).
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(11))
    phone = encrypted_phone("phone")
    birth_date: Mapped[date | None] = mapped_column(Date)  # declared, when the worker has none on file
    member_no: Mapped[str | None] = mapped_column(String(20), index=True)  # at sign-up time
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)  # manual add/remove reason
    confirmed_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[str | None] = mapped_column(String(50))
    erased_at: Mapped[datetime | None] = mapped_column()  # name, mobile, birth date, answers erased

    contest: Mapped[Contest] = relationship()
    worker: Mapped[Worker] = relationship()

    def __repr__(self) -> str:
        return f"<Signup {self.id} {self.status} #{self.seq}>"
