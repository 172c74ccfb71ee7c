"""What each staff member may see: their own node of the union tree and everything beneath it
(DESIGN §5). A guessed or out-of-scope id is a 404, never a 403, so it does not reveal that it exists."""
from typing import TypeVar

from sqlalchemy import Select, literal, select

from models.federation import Federation
from models.staff import Staff
from service.errors import Forbidden, NotFound
from service.extensions import db

Row = TypeVar("Row")


def subtree_ids_query(root_id: int) -> Select:
    """SELECT id of `root_id` and every node beneath it (a recursive CTE, both databases)."""
    tree = select(Federation.id).where(Federation.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Federation.id).where(Federation.parent_id == tree.c.id))
    return select(tree.c.id)


def scope_ids(staff: Staff) -> set[int]:
    return set(db.session.scalars(subtree_ids_query(staff.federation_id)))


def in_scope(staff: Staff, column):
    """A filter clause: `column` (a federation id) is within what `staff` may see."""
    return column.in_(subtree_ids_query(staff.federation_id))


def can_see(staff: Staff, federation_id: int | None) -> bool:
    if federation_id is None:
        return False
    query = subtree_ids_query(staff.federation_id).subquery()
    return db.session.scalar(select(literal(True)).where(query.c.id == federation_id)) is not None


def require_scope(staff: Staff, federation_id: int | None) -> None:
    """Raise NotFound (not Forbidden: a guessed id must not reveal that it exists)."""
    if not can_see(staff, federation_id):
        raise NotFound()


def require_role(staff: Staff, *roles: str) -> None:
    if staff.role not in roles:
        raise Forbidden("您的角色无权执行此操作")


def get_in_scope(staff: Staff, model: type[Row], row_id: int, *, message: str | None = None,
                 federation_of=lambda row: row.federation_id, lock: bool = False) -> Row:
    """The one scoped get-or-404: the row `row_id` of `model` if `staff` may see it (its
    federation, or any of `federation_of(row)` when that answers several, is in their subtree);
    otherwise NotFound with `message`, the same answer as for an id that does not exist."""
    query = select(model).where(model.id == row_id)
    row = db.session.scalar(query.with_for_update() if lock else query)
    if row is not None:
        owners = federation_of(row)
        owners = owners if isinstance(owners, (tuple, list)) else (owners,)
        if any(can_see(staff, owner) for owner in owners):
            return row
    raise NotFound(message)
