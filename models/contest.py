"""Skill contests (劳动和技能竞赛) and sign-ups (DESIGN §4 Skill contests)."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin
from models.federation import Federation
from models.worker import Worker
from service.extensions import db

CONTEST_STATUSES = ("draft", "published", "closed", "finished", "cancelled")
SIGNUP_STATUSES = ("confirmed", "waitlisted", "cancelled", "removed")


class Contest(TimestampMixin, db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("federations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    registration_opens_at: Mapped[datetime] = mapped_column()
    registration_closes_at: Mapped[datetime] = mapped_column()
    cancel_cutoff_at: Mapped[datetime | None] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    # Confirmed places taken; moved only by a guarded UPDATE so it never passes capacity.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    members_only: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"scope": "any"|"federation"|"coverage", "region_prefix", "industry_prefix", "age_min", "age_max"}
    eligibility: Mapped[dict] = mapped_column(JSONType, default=dict)
    exclusions: Mapped[str | None] = mapped_column(Text)
    # [{"key", "label", "kind": "text"|"single"|"multiple", "options": [...], "required": bool}]
    questions: Mapped[list] = mapped_column(JSONType, default=list)
    scoring_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    qr_ticket: Mapped[str | None] = mapped_column(String(200))
    qr_expires_at: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    results_published_at: Mapped[datetime | None] = mapped_column()

    federation: Mapped[Federation] = relationship()


class Signup(TimestampMixin, db.Model):
    __tablename__ = "contest_signups"
    __table_args__ = (
        UniqueConstraint("contest_id", "worker_id", name="uq_signup_contest_worker"),
        Index("ix_signups_contest_status_seq", "contest_id", "status", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)  # arrival order; waitlist order (staff may reorder)
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)  # manual add/remove reason
    checked_in_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[float | None] = mapped_column(Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[str | None] = mapped_column(String(50))

    contest: Mapped[Contest] = relationship()
    worker: Mapped[Worker] = relationship()
