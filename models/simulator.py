"""State of the local WeChat stand-in (development and tests only, WECHAT_SIMULATOR=1).

Kept in the database so every gunicorn worker plays the same WeChat: the tokens it issued,
its QR codes, the simulated users, every message the service sent them, injected faults,
uploaded media and OAuth codes. The tables exist in every deployment (one schema) but only
the stand-in writes them.
"""
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSONType, utcnow
from service.extensions import db


class SimToken(db.Model):
    """An access token the stand-in issued ("token" from /cgi-bin/token, "stable" from stable_token)."""

    __tablename__ = "sim_tokens"

    token: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimCall(db.Model):
    """Every API call the stand-in answered, with the errcode it gave (0 for success)."""

    __tablename__ = "sim_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(64), index=True)
    errcode: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimFault(db.Model):
    """A failure to inject into the next `times_left` calls of an endpoint."""

    __tablename__ = "sim_faults"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(64), index=True)
    errcode: Mapped[int | None] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
    delay: Mapped[float | None] = mapped_column()
    times_left: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimQrCode(db.Model):
    __tablename__ = "sim_qrcodes"

    ticket: Mapped[str] = mapped_column(String(128), primary_key=True)
    scene: Mapped[str] = mapped_column(String(64), index=True)
    permanent: Mapped[bool] = mapped_column(Boolean, default=True)
    url: Mapped[str] = mapped_column(String(300))
    expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimUser(db.Model):
    """A simulated WeChat user, as WeChat knows them: following or not, when they last wrote
    (48-hour window) and last clicked/scanned/followed (1-minute window)."""

    __tablename__ = "sim_users"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    following: Mapped[bool] = mapped_column(Boolean, default=False)
    last_wrote_at: Mapped[datetime | None] = mapped_column()
    last_event_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimMessage(db.Model):
    """The conversation as the phone shows it. source: "user" (what the simulated user did),
    "reply" (the passive reply), "custom" / "template" (sent by the service through the API)."""

    __tablename__ = "sim_messages"
    __table_args__ = (Index("ix_sim_messages_openid_id", "openid", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(16))  # text, image, event, news, template
    payload: Mapped[dict] = mapped_column(JSONType)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimMedia(db.Model):
    __tablename__ = "sim_media"

    media_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SimOAuthCode(db.Model):
    __tablename__ = "sim_oauth_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class SimMenu(db.Model):
    """Menus pushed by menu/create; the newest is the one the phone shows."""

    __tablename__ = "sim_menus"

    id: Mapped[int] = mapped_column(primary_key=True)
    menu: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
