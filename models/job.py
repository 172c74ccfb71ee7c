"""A lease per periodic job, so each job runs once per interval across every worker process."""
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import utcnow
from service.extensions import db


class JobLease(db.Model):
    """Taken by one conditional UPDATE (service/jobs.py): due (next_run_at passed) and not held
    (locked_until passed or empty). A crashed holder's lease runs out after the job's timeout."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()
    holder: Mapped[str | None] = mapped_column(String(120))
    last_started_at: Mapped[datetime | None] = mapped_column()
    last_finished_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
