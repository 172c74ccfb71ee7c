"""One writer at a time on SQLite, without SQLite's busy-wait.

SQLite lets one transaction write at a time; a second writer gets SQLITE_BUSY and its busy
handler sleeps 1, 2, 5, 10 … 100 ms before it looks again, so under a burst of side-effect
messages most of the time goes to sleeping while the lock is free. The callback's transactions
(and the last-contact writer) queue on an OS file lock (fcntl.flock) instead, which hands the
turn over the moment it is released — across threads and gunicorn workers alike. PostgreSQL has
row locks and needs none of this: there `serialized()` does nothing.
"""
import fcntl
import os
import threading
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from sqlalchemy import text

from models.base import utcnow
from service.extensions import db
from service.wechat import autocommit, dedup
from service.wechat.replay import Seal

_thread_lock = threading.Lock()
_files: dict[tuple[int, str], int] = {}


def _lock_file(path: str) -> int:
    key = (os.getpid(), path)
    fd = _files.get(key)
    if fd is None:
        fd = _files[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def _flocked(path: str):
    with _thread_lock:  # threads of one process take turns here, processes on the flock
        fd = _lock_file(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def serialized(engine):
    """A context manager around a write transaction: a file lock beside an SQLite database file,
    nothing for any other database."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return nullcontext()
    return _flocked(url.database + ".writer-lock")


class IdempotentWrite:
    """An idempotent ``INSERT … SELECT … WHERE {guard} … ON CONFLICT …`` (a follow's upsert):
    running it twice leaves what running it once does, so a delivery whose only write it is needs
    no exactly-once claim. Both statements are built once: as it is (guard ``true``), and on
    PostgreSQL with the delivery's replay seal in the same statement — the seal's row inserted by
    a CTE, the write guarded by it, so a forged body under a seen signature writes nothing."""

    def __init__(self, sql: str, *binds):
        self.plain = text(sql.format(guard="true")).bindparams(*binds)
        # the seal's row is dedup's own INSERT, with dedup.seal_row's parameters (key, reply, created,
        # expires: a write's own parameters must be named otherwise)
        self.sealed = text(
            f"WITH sealed AS ({dedup.INSERT_ONCE_SQL}), written AS ({sql.format(guard=_SEAL_GUARD)} RETURNING 1) "
            "SELECT count(*) FROM sealed").bindparams(*binds, *dedup.TIMES)


# First delivery: the seal was just inserted; WeChat's retry: the seal is there with this body.
_SEAL_GUARD = "(EXISTS (SELECT 1 FROM sealed) OR EXISTS (SELECT 1 FROM inbound_messages WHERE key = :key AND reply = :reply))"
_seal: ContextVar[Seal | None] = ContextVar("gonglian_write_seal", default=None)


@contextmanager
def sealing(seal: Seal | None):
    """Inside: the first ``write_alone`` records `seal` (a plaintext delivery's, not recorded in
    Redis) with its write — on PostgreSQL in the write's own statement."""
    token = _seal.set(seal)
    try:
        yield
    finally:
        _seal.reset(token)


def write_alone(write: IdempotentWrite, params: dict) -> None:
    """An idempotent write that is a whole transaction by itself (a follow's upsert).

    On PostgreSQL, when the session has no transaction open (no claim row in it), it is one
    statement on a pooled connection in autocommit, the seal included: one round trip instead of
    BEGIN, the statements and COMMIT. Otherwise (SQLite, or the session's transaction is open)
    it joins the session's transaction, atomic with the rest. Because it is idempotent, a retry
    after a later failure may simply run it again. Raises ``replay.Replayed`` for a seal recorded
    before with another body."""
    seal = _seal.get()
    if seal is not None:
        _seal.set(None)  # one seal per delivery: the first write carries it
    registry = db.session.registry
    session = registry() if registry.has() else None
    open_transaction = session is not None and (session.in_transaction() or session.new or session.dirty or session.deleted)
    if open_transaction or db.engine.dialect.name != "postgresql":
        if session is not None:
            session.flush()  # the ORM's pending changes first, so nothing overwrites this one
        if seal is not None:
            dedup.insert_seal(seal)
        db.session.execute(write.plain, params)
        return
    if seal is None:
        autocommit.execute(write.plain, params)
        return
    now = utcnow()
    sealed = autocommit.scalar(write.sealed, {**params, **dedup.seal_row(seal, now)})
    if not sealed:  # recorded before: WeChat's retry (the write ran again) or a replay (it did not)
        dedup.check_recorded(seal, now)
