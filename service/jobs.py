"""Periodic jobs run by `flask worker run`: the runner and ONE list of every job.

A job is a plain function that returns a count of work done and only flushes; the runner is the
jobs' commit point (one commit per job run, a rollback when it fails). The outbox deliverer is the
one exception: it commits each message's outcome itself, since each send leaves the database.

Each run of a singleton job is taken with a lease (models/job.py): one conditional UPDATE that
succeeds for one process only while the job is due and not held, so with M workers on M machines
a sweep still runs once per interval. Queue jobs (the outbox, chat images) claim their rows with
SKIP LOCKED instead and run in every worker, side by side. The sweeps also lock the rows they
change (FOR UPDATE SKIP LOCKED on PostgreSQL), so even a lease that ran out while its holder was
still at work cannot make two processes change one row.
"""
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, update

from models.base import utcnow
from models.job import JobLease
from models.wechat import InboundMessage
from service.contests import checkin
from service.extensions import db
from service.governance import early_warning, reminders
from service.help_requests import attachments, clocks, deadlines, delivery, idempotency
from service.metrics import JOB_FAILURES, JOB_RUNS, JOB_SKIPS
from service.privacy import retention, worker_data
from service.stats import reports as stats_reports, rollup as stats_rollup
from service.wechat import deliverer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds
    fn: Callable[[], int]
    singleton: bool = True  # False: a queue job that claims its own rows; every worker runs it
    timeout: float = 900  # a lease outlives a crashed holder this long


def purge_inbound() -> int:
    """Delete expired callback de-duplication rows."""
    result = db.session.execute(delete(InboundMessage).where(InboundMessage.expires_at < utcnow()))
    return result.rowcount or 0


JOBS: list[Job] = [
    Job("outbox", 1, deliverer.deliver_due, singleton=False),
    Job("fetch-attachments", 5, attachments.fetch_job, singleton=False),
    Job("requests-sweep", 60, deadlines.sweep_job),
    Job("delivery-alerts", 60, delivery.delivery_alerts_job),
    Job("contest-close-registration", 60, checkin.close_registration_job),
    Job("contest-reminders", 300, checkin.reminders_job),
    Job("stats-rollup", 600, stats_rollup.rollup_stats_job),
    Job("labour-warnings", 3600, early_warning.labour_warnings_job),
    Job("stats-reports", 3600, stats_reports.stats_reports_job),
    Job("worker-clocks", 3600, clocks.worker_clocks_job),
    Job("purge-inbound", 3600, purge_inbound),
    Job("governance-reminders", 24 * 3600, reminders.governance_reminders_job),
    Job("privacy-purge", 24 * 3600, retention.purge_job),
    Job("release-submission-keys", 3600, idempotency.release_submission_keys_job),
    Job("privacy-deletion-requests", 3600, worker_data.deletion_requests_job),
]

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
_known: set[str] = set()


def _ensure_lease_row(name: str) -> None:
    if name in _known:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(JobLease.__table__).values(name=name, next_run_at=utcnow(), runs=0, failures=0)
                       .on_conflict_do_nothing(index_elements=["name"]))
    db.session.commit()
    _known.add(name)


def take_lease(entry: Job, holder: str = HOLDER) -> bool:
    """Take this interval's run of `entry` (committed at once); False when another process has
    it or it is not due yet."""
    _ensure_lease_row(entry.name)
    now = utcnow()
    taken = db.session.execute(
        update(JobLease)
        .where(JobLease.name == entry.name, JobLease.next_run_at <= now,
               or_(JobLease.locked_until.is_(None), JobLease.locked_until < now))
        .values(holder=holder, locked_until=now + timedelta(seconds=entry.timeout),
                next_run_at=now + timedelta(seconds=entry.every), last_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def release_lease(entry: Job, error: str | None = None, holder: str = HOLDER) -> None:
    values = {"holder": None, "locked_until": None, "last_finished_at": utcnow(), "runs": JobLease.runs + 1}
    if error:
        values.update(failures=JobLease.failures + 1, last_error=error[:200])
    db.session.execute(update(JobLease).where(JobLease.name == entry.name, JobLease.holder == holder)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


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


def run_leased(entry: Job) -> int | None:
    """Run `entry` if this process takes its lease (always for queue jobs); None when skipped."""
    if entry.singleton:
        try:
            if not take_lease(entry):
                JOB_SKIPS.labels(entry.name).inc()
                return None
        finally:
            db.session.remove()
    JOB_RUNS.labels(entry.name).inc()
    error = None
    try:
        return run_job(entry)
    except Exception as failure:
        JOB_FAILURES.labels(entry.name).inc()
        error = f"{type(failure).__name__}: {failure}"
        raise
    finally:
        if entry.singleton:
            try:
                release_lease(entry, error)
            finally:
                db.session.remove()


def run_due(last_run: dict[str, float]) -> None:
    """Try each job whose interval has passed on this process's clock (the lease decides across
    processes); a failing job is logged and does not stop the rest."""
    now = time.monotonic()
    for entry in JOBS:
        if now - last_run.get(entry.name, -1e9) < min(entry.every, 5.0 if entry.singleton else entry.every):
            continue
        last_run[entry.name] = now
        try:
            done = run_leased(entry)
            if done:
                log.info("job %s: %s", entry.name, done)
        except Exception:
            log.exception("job %s failed", entry.name)
