"""One help request per submission, however often it is sent.

The help page makes a random key when it opens and sends it (header `Idempotency-Key`) with the
submission. The first submission with a key claims it (an INSERT that a concurrent twin waits on)
and stores the request beside it; a retry — a double tap, a resend after a lost answer, even one
racing the first — answers the first request. Keys are held for a day."""
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from models.base import utcnow
from models.request import HelpRequest, SubmissionKey
from models.worker import Worker
from service.extensions import db
from service.guarded import insert_unless_exists
from service.help_requests.worker import submit

KEY_TTL = timedelta(days=1)


def _answered(worker: Worker, key: str, now: datetime) -> HelpRequest | None:
    row = db.session.get(SubmissionKey, (worker.id, key), populate_existing=True)
    if row is None:
        return None
    if row.created_at < now - KEY_TTL:  # a day old: the key is free again
        db.session.execute(delete(SubmissionKey).where(SubmissionKey.worker_id == worker.id,
                                                       SubmissionKey.key == key))
        return None
    return db.session.get(HelpRequest, row.request_id) if row.request_id else None


def submit_once(worker: Worker, data: dict, key: str | None, *,
                now: datetime | None = None) -> tuple[HelpRequest, bool]:
    """Submit a help request unless this key already made one; (request, made now)."""
    now = now or utcnow()
    if not key:
        return submit(worker, data, now=now), True
    first = _answered(worker, key, now)
    if first is not None:
        return first, False
    if not insert_unless_exists(SubmissionKey, ["worker_id", "key"], worker_id=worker.id, key=key, created_at=now):
        first = _answered(worker, key, now)  # a twin held the key; it has committed by now
        if first is not None:
            return first, False
    created = submit(worker, data, now=now)
    db.session.execute(update(SubmissionKey).where(SubmissionKey.worker_id == worker.id, SubmissionKey.key == key)
                       .values(request_id=created.id))
    return created, True


def release_submission_keys_job(now: datetime | None = None) -> int:
    """Forget keys older than a day; the number forgotten."""
    cutoff = (now or utcnow()) - KEY_TTL
    return db.session.execute(delete(SubmissionKey).where(SubmissionKey.created_at < cutoff)).rowcount
