"""Reads for the callback's answers that change nothing (pure handlers, and the look a handler
takes before deciding it has something to change): one statement on a pooled connection in
autocommit, so a read costs one round trip — no BEGIN, no ROLLBACK — and no ORM session."""
from service.extensions import db


def scalar(statement, params: dict | None = None):
    """The first column of the first row (or None)."""
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")  # before anything begins
        return connection.execute(statement, params or {}).scalar()
