"""A worker's requests about their own personal data (PIPL arts. 44–47): deletion, for now."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import utcnow
from models.worker import Worker
from service.extensions import db

# pending (held: something the union must keep blocks it) → done (erased)
DATA_REQUEST_STATUSES = ("pending", "done")


class DataRequest(db.Model):
    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="delete")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Why it cannot be done yet, in Chinese, as the worker is told (open cases, live membership).
    held_because: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()

    worker: Mapped[Worker] = relationship()
