"""Periodic jobs run by `flask worker run`. A job is a function returning a count of work done;
features add theirs with @job(name, every=seconds)."""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete

from models.base import utcnow
from models.wechat import InboundMessage
from service.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: float
    fn: Callable[[], int]


JOBS: list[Job] = []


def job(name: str, every: float):
    def register(fn: Callable[[], int]) -> Callable[[], int]:
        JOBS.append(Job(name, every, fn))
        return fn
    return register


def run_due(last_run: dict[str, float]) -> None:
    """Run each job whose interval has passed; a failing job is logged and does not stop the rest."""
    now = time.monotonic()
    for entry in JOBS:
        if now - last_run.get(entry.name, -1e9) < entry.every:
            continue
        last_run[entry.name] = now
        try:
            done = entry.fn()
            if done:
                log.info("job %s: %s", entry.name, done)
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", entry.name)
        finally:
            db.session.remove()


@job("purge-inbound", every=3600)
def purge_inbound() -> int:
    result = db.session.execute(delete(InboundMessage).where(InboundMessage.expires_at < utcnow()))
    db.session.commit()
    return result.rowcount or 0
