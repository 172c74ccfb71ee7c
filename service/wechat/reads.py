"""Reads for the callback's answers that change nothing (pure handlers, and the look a handler
takes before deciding it has something to change): one statement on a pooled connection in
autocommit, so a read costs one round trip — no BEGIN, no ROLLBACK — and no ORM session."""
from weakref import WeakKeyDictionary

from service.extensions import db

_autocommit: "WeakKeyDictionary" = WeakKeyDictionary()


def _engine():
    engine = db.engine
    reading = _autocommit.get(engine)
    if reading is None:
        reading = _autocommit[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reading


def scalar(statement, params: dict | None = None):
    """The first column of the first row (or None)."""
    with _engine().connect() as connection:
        return connection.execute(statement, params or {}).scalar()
