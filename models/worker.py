"""A worker, known by their WeChat openid; personal data is filled in when they apply."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import TimestampMixin
from models.encrypted import encrypted_phone
from service.extensions import db


class Worker(TimestampMixin, db.Model):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    subscribed_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()
    # The last scene scanned ("fed:3"), so later links can name that federation.
    last_scene: Mapped[str | None] = mapped_column(String(64))
    # WeChat's customer-service window: 48 h after the user wrote, 1 min after a click/scan/follow.
    last_message_at: Mapped[datetime | None] = mapped_column()
    last_event_at: Mapped[datetime | None] = mapped_column()
    # Where the worker last was: a location they sent or WeChat's LOCATION report (GCJ-02), and
    # the county it falls in (service/positions/areas.py), for nearby services.
    last_latitude: Mapped[float | None] = mapped_column(Float)
    last_longitude: Mapped[float | None] = mapped_column(Float)
    last_located_at: Mapped[datetime | None] = mapped_column()
    last_area_code: Mapped[str | None] = mapped_column(String(12))

    # Personal data (empty until the worker applies or asks for help; erased by the purge).
    name: Mapped[str | None] = mapped_column(String(50))
    id_number_enc: Mapped[str | None] = mapped_column(Text)  # Fernet token, never plaintext
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed HMAC for lookup
    id_masked: Mapped[str | None] = mapped_column(String(18))
    gender: Mapped[str | None] = mapped_column(String(1))  # "M" / "F", derived from the ID
    birth_date: Mapped[date | None] = mapped_column(Date)
    # The mobile number, encrypted; found by phone_hash, shown as phone_masked (models/encrypted.py).
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(11))
    phone = encrypted_phone("phone")
    erased_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<Worker {self.id}>"
