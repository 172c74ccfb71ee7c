"""Guarded writes: change a row only if it is still as the caller read it.

Two staff members acting on one record at once (two claims, two approvals) both read the same
state; the first UPDATE … WHERE <that state still holds> wins and the second changes no row and
gets a Conflict. This works the same on SQLite, where SELECT … FOR UPDATE does nothing (the
second writer waits for the first to commit, then finds the state changed), and on PostgreSQL
(READ COMMITTED re-checks the WHERE clause after the first commit)."""
from sqlalchemy import update

from service.errors import Conflict
from service.extensions import db


def guarded_update(entity, *conditions, conflict: str, code: str = "conflict", **values) -> None:
    """UPDATE `entity`'s row SET `values` WHERE its id matches and every condition still holds;
    raise Conflict(`conflict`) when it no longer does. The entity in the session is updated too."""
    model = type(entity)
    statement = (update(model).where(model.id == entity.id, *conditions).values(**values)
                 .execution_options(synchronize_session="fetch"))
    if db.session.execute(statement).rowcount != 1:
        db.session.refresh(entity)
        raise Conflict(conflict, code=code)


def same_as(column, value):
    """`column` equals `value`, NULL included (IS NULL for None)."""
    return column.is_(None) if value is None else column == value


def insert_unless_exists(model, index_elements: list[str], **values) -> bool:
    """INSERT a row unless one with the same unique key exists (or is being inserted by a
    concurrent transaction: the database waits for it, then does nothing); True if inserted."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements))
    return result.rowcount == 1
