"""Periodic jobs run by `flask worker run`: the runner and ONE list of every job.

A job is a plain function that returns a count of work done and only flushes; the runner is the
jobs' commit point (one commit per job run, a rollback when it fails). The outbox deliverer is the
one exception: it commits each message's outcome itself, since each send leaves the database.
"""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete

from models.base import utcnow
from models.wechat import InboundMessage
from service.contests import checkin
from service.extensions import db
from service.help_requests import attachments, deadlines
from service.privacy import retention, worker_data
from service.wechat import outbox, replay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds
    fn: Callable[[], int]


def purge_inbound() -> int:
    """Delete expired callback de-duplication rows."""
    result = db.session.execute(delete(InboundMessage).where(InboundMessage.expires_at < utcnow()))
    return result.rowcount or 0


JOBS: list[Job] = [
    Job("outbox", 1, outbox.deliver_due),
    Job("fetch-attachments", 5, attachments.fetch_job),
    Job("requests-sweep", 60, deadlines.sweep_job),
    Job("contest-close-registration", 60, checkin.close_registration_job),
    Job("contest-reminders", 300, checkin.reminders_job),
    Job("purge-inbound", 3600, purge_inbound),
    Job("privacy-purge", 24 * 3600, retention.purge_job),
    Job("privacy-deletion-requests", 3600, worker_data.deletion_requests_job),
    Job("wechat-forget-signatures", 600, replay.forget_expired_job),
]


def run_job(entry: Job) -> int:
    """Run one job in its own transaction: committed when it returns, rolled back when it raises."""
    try:
        done = entry.fn()
        db.session.commit()
        return done
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def run_due(last_run: dict[str, float]) -> None:
    """Run each job whose interval has passed; a failing job is logged and does not stop the rest."""
    now = time.monotonic()
    for entry in JOBS:
        if now - last_run.get(entry.name, -1e9) < entry.every:
            continue
        last_run[entry.name] = now
        try:
            done = run_job(entry)
            if done:
                log.info("job %s: %s", entry.name, done)
        except Exception:
            log.exception("job %s failed", entry.name)
