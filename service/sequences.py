"""Named counters (member numbers, request numbers): one row per name in `counters`, advanced by
one guarded UPDATE … RETURNING, so two transactions never get the same value — the row stays
locked until the caller's transaction ends."""
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.wechat import Counter
from service.extensions import db


def next_value(name: str, maximum: int | None = None) -> int | None:
    """The next value of counter `name` (1 the first time); None once it has reached `maximum`."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    bump = update(Counter).where(Counter.name == name)
    if maximum is not None:
        bump = bump.where(Counter.value < maximum)
    return db.session.execute(
        bump.values(value=Counter.value + 1).returning(Counter.value).execution_options(synchronize_session=False)
    ).scalar()
