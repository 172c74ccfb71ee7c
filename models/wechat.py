"""Callback deduplication and small shared key/value state (the access token without Redis)."""
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import utcnow
from service.extensions import db


class InboundMessage(db.Model):
    """One processed callback delivery: key "m:<from>:<MsgId>" or "e:<from>:<CreateTime>:<Event>"
    (reply: the plaintext reply XML), or the replay seal of a plaintext delivery's signed query,
    key "s:<sha256>" (reply: the digest of the body it came with; service/wechat/replay.py)."""

    __tablename__ = "inbound_messages"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    reply: Mapped[str | None] = mapped_column(Text)  # the plaintext reply XML ("success" if none)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class KeyValue(db.Model):
    __tablename__ = "key_values"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column()


class Counter(db.Model):
    """Named sequences (member numbers, request numbers), advanced by one guarded UPDATE."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
