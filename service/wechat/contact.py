"""Last contact (WeChat's customer-service window), written behind the callback.

Every delivery tells us the worker is reachable: writing opens the 48-hour window, a click, scan
or follow the 1-minute one (service/wechat/outbox.in_window). The callback only notes the time
in this process's memory (``note``); a thread writes the notes once a second in one upsert
(``flush``), and the last notes are written when the process exits cleanly (gunicorn's
worker_exit hook and atexit call ``flush``). A time is at most about a second late: the
deliverer, seeing an older time, may send a template where a customer-service message was
allowed, and a refused customer-service message falls back to a template — never lost.

With WECHAT_CONTACT_FLUSH_SECONDS = 0 (tests) every note is written at once.
"""
import atexit
import logging
import os
import threading
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import DateTime, bindparam, text

from models.base import utcnow
from service.metrics import CONTACT_FLUSHES
from service.wechat.writes import serialized

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: dict[str, list[datetime | None]] = {}  # openid → [last_message_at, last_event_at]
_state = {"pid": None, "app": None, "thread": None}


def note(openid: str, *, event: bool, at: datetime | None = None) -> None:
    """Remember that `openid` wrote (event=False) or clicked/scanned/followed (event=True)."""
    at = at or utcnow()
    app = current_app._get_current_object()
    interval = float(app.config.get("WECHAT_CONTACT_FLUSH_SECONDS", 1.0))
    with _lock:
        _adopt(app, interval)
        times = _pending.setdefault(openid, [None, None])
        slot = 1 if event else 0
        if times[slot] is None or times[slot] < at:
            times[slot] = at
    if interval <= 0:
        flush()


def _adopt(app, interval: float) -> None:
    """Start this process's flusher on first use (after a fork, the child starts its own)."""
    if _state["pid"] == os.getpid():
        return
    _pending.clear()
    _state.update(pid=os.getpid(), app=app, thread=None)
    if interval > 0:
        thread = threading.Thread(target=_run, args=(app, interval), name="contact-flusher", daemon=True)
        _state["thread"] = thread
        thread.start()


def _run(app, interval: float) -> None:
    while True:
        time.sleep(interval)
        try:
            flush(app)
        except Exception:
            log.exception("contact flush failed; the notes are kept for the next try")


def _later(newest: str, column: str) -> str:
    return f"{newest}(COALESCE(workers.{column}, excluded.{column}), COALESCE(excluded.{column}, workers.{column}))"


_COLUMNS = "INSERT INTO workers (openid, last_message_at, last_event_at, subscribed, created_at, updated_at) "
_DATES = ("last_message_at", "last_event_at", "now")
# PostgreSQL: the whole batch in one statement, its columns as three arrays (a thousand rows cost one
# parameter set to adapt, not a thousand).
PG_UPSERT = text(
    _COLUMNS + "SELECT openid, last_message_at, last_event_at, false, :now, :now "
    "FROM unnest(CAST(:openids AS varchar[]), CAST(:last_message_at AS timestamp[]), "
    "CAST(:last_event_at AS timestamp[])) AS batch (openid, last_message_at, last_event_at) "
    f"ON CONFLICT (openid) DO UPDATE SET last_message_at = {_later('GREATEST', 'last_message_at')}, "
    f"last_event_at = {_later('GREATEST', 'last_event_at')}"
).bindparams(bindparam("now", type_=DateTime()))
# SQLite: one row's upsert, run with executemany (compiled once).
SQLITE_UPSERT = text(
    _COLUMNS + "VALUES (:openid, :last_message_at, :last_event_at, false, :now, :now) "
    f"ON CONFLICT (openid) DO UPDATE SET last_message_at = {_later('MAX', 'last_message_at')}, "
    f"last_event_at = {_later('MAX', 'last_event_at')}"
).bindparams(*(bindparam(name, type_=DateTime()) for name in _DATES))


def _write(conn, batch: list[tuple[str, list]], now: datetime) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(PG_UPSERT, {"openids": [openid for openid, _ in batch],
                                 "last_message_at": [times[0] for _, times in batch],
                                 "last_event_at": [times[1] for _, times in batch], "now": now})
    else:
        conn.execute(SQLITE_UPSERT, [{"openid": openid, "last_message_at": times[0], "last_event_at": times[1],
                                      "now": now} for openid, times in batch])


def flush(app=None) -> int:
    """Write the pending notes in one statement on a connection of its own; returns the count.
    On failure the notes go back into the buffer (a newer note wins)."""
    app = app or _state["app"]
    with _lock:
        if not _pending or app is None:
            return 0
        batch = dict(_pending)
        _pending.clear()
    rows = sorted(batch.items())  # one order: two processes' upserts never deadlock
    from service.extensions import db

    try:
        with app.app_context():
            with serialized(db.engine), db.engine.begin() as conn:
                _write(conn, rows, utcnow())
    except Exception:
        with _lock:
            for openid, times in batch.items():
                current = _pending.setdefault(openid, [None, None])
                for slot in (0, 1):
                    if times[slot] is not None and (current[slot] is None or current[slot] < times[slot]):
                        current[slot] = times[slot]
        raise
    CONTACT_FLUSHES.inc(len(rows))
    return len(rows)


def pending() -> int:
    with _lock:
        return len(_pending)


@atexit.register
def _flush_at_exit() -> None:
    if _state["pid"] == os.getpid():
        try:
            flush()
        except Exception:
            log.exception("contact flush at exit failed")
