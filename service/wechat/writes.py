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

from service.extensions import db
from service.wechat import autocommit

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


def write_alone(statement, params: dict) -> None:
    """An idempotent write that is a whole transaction by itself (a follow's upsert).

    On PostgreSQL, when the session has no transaction open (the delivery was claimed in Redis),
    it is one statement on a pooled connection in autocommit: one round trip instead of BEGIN,
    the statement and COMMIT. Otherwise (SQLite, or the claim's row is in the session's
    transaction) it joins the session's transaction, atomic with the rest. Because it is
    idempotent, a retry after a later failure may simply run it again."""
    registry = db.session.registry
    session = registry() if registry.has() else None
    if session is not None and (session.in_transaction() or session.new or session.dirty or session.deleted):
        session.flush()  # the ORM's pending changes first, so nothing overwrites this one
        session.execute(statement, params)
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(statement, params)
        return
    autocommit.execute(statement, params)
