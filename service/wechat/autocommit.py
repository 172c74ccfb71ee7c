"""Single statements that are each a transaction by itself, for the hot paths: the callback's
reads for answers that change nothing (pure handlers, and the look a handler takes before
deciding it has something to change), its idempotent writes that need no transaction (a
follow's upsert, service/wechat/writes.write_alone), and the outbox's one UPDATE for a group of
deliveries. One round trip each — no BEGIN, no COMMIT — and no session.

On PostgreSQL they run on a pool of their own whose connections are in autocommit from birth,
straight on the driver: the statement is compiled once, so a call costs a pool checkout and one
``cursor.execute`` (about 45 µs of CPU here, against 120 µs through an SQLAlchemy Connection
that switches the shared pool's connection to autocommit and back). Driver errors come out as
SQLAlchemy's (OperationalError when the server is gone, the connection then dropped from the
pool), so callers handle one family. Elsewhere (SQLite) they run on an SQLAlchemy Connection
in autocommit.
"""
import os
import threading

from flask import current_app
from sqlalchemy import create_engine, exc

from service.extensions import db

_lock = threading.Lock()
_engines: dict[tuple[int, object], object] = {}  # (pid, the app's engine) → the autocommit engine
# (id(statement), dialect name) → (sql, constants, the statement: its id stays its own)
_compiled: dict[tuple[int, str], tuple[str, dict, object]] = {}


def scalar(statement, params: dict | None = None):
    """The first column of the first row (or None)."""
    rows = _run(statement, params or {}, fetch=True)
    return rows[0] if rows else None


def scalars(statement, params: dict | None = None) -> list:
    """The first column of every row (an UPDATE … RETURNING's ids)."""
    return _run(statement, params or {}, fetch=True)


def execute(statement, params: dict | None = None) -> None:
    """A write that is a whole transaction by itself."""
    _run(statement, params or {}, fetch=False)


def _run(statement, params: dict, fetch: bool):
    engine = db.engine
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")  # before anything begins
            result = connection.execute(statement, params)
            return result.scalars().all() if fetch else None
    pool_engine = _autocommit_engine(engine)
    sql, constants, _ = _sql(statement, pool_engine.dialect)
    values = {**constants, **params}
    dbapi = pool_engine.dialect.loaded_dbapi
    raw = None
    try:
        raw = pool_engine.raw_connection()  # a refused connection raises the driver's error too
        cursor = raw.driver_connection.execute(sql, values)
        if not fetch:
            return None
        return [row[0] for row in cursor.fetchall()]
    except dbapi.Error as error:
        gone = isinstance(error, (dbapi.OperationalError, dbapi.InterfaceError))
        if gone and raw is not None:
            raw.invalidate(error)
        raise exc.DBAPIError.instance(sql, values, error, dbapi.Error, connection_invalidated=gone,
                                      dialect=pool_engine.dialect) from error
    finally:
        if raw is not None:
            raw.close()  # back to the pool (nothing to roll back in autocommit)


def _autocommit_engine(engine):
    """This process's autocommit engine for the app's database (made on first use: a worker
    never inherits one from the master), with the app's engine options."""
    key = (os.getpid(), engine)  # the app's engine lives as long as the app
    found = _engines.get(key)
    if found is None:
        with _lock:
            found = _engines.get(key)
            if found is None:
                options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
                found = _engines[key] = create_engine(engine.url, isolation_level="AUTOCOMMIT", **options)
    return found


def _sql(statement, dialect) -> tuple[str, dict, object]:
    """The statement's SQL for the driver, and the values of the constants it binds (an IN
    list's members, a LIMIT): compiled once per statement."""
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is None:
        unbound = [name for name, value in statement.compile(dialect=dialect).params.items() if value is None]
        compiled = statement.params({name: None for name in unbound}).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True})
        if dialect.paramstyle != "pyformat" or compiled._bind_processors:
            raise TypeError(f"{dialect.name}: a statement needing bind processing cannot run on the driver")
        constants = {name: value for name, value in compiled.params.items() if name not in unbound}
        found = _compiled[key] = (compiled.string, constants, statement)
    return found


def dispose() -> None:
    """Close this process's autocommit pools (tests that drop their database; a worker's exit)."""
    with _lock:
        for (pid, _), engine in list(_engines.items()):
            if pid == os.getpid():
                engine.dispose()
        _engines.clear()
