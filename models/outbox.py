"""Outbound WeChat messages, written in the same transaction as the change that causes them."""
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSONType, utcnow
from service.extensions import db

# pending → delivered | undeliverable | failed (gave up after the last retry)
OUTBOX_STATUSES = ("pending", "delivered", "undeliverable", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    # payload: {"text", "url", "template": kind, "fields": [[key, value], ...]} (service/wechat/outbox.py)
    payload: Mapped[dict] = mapped_column(JSONType)
    # Optional idempotency key: the same event never queues two messages.
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    channel: Mapped[str | None] = mapped_column(String(16))  # how it went: "custom" | "template"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
