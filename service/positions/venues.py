"""A service position as the place of something else: a contest's venue, a mediation's meeting
place. Staff pick one they can see (their own subtree, service/staff/scope.py) that is open; the
worker's pages and messages show it with a link to its page (/h5/position.html?id=…)."""
from sqlalchemy import select

from models.position import Position
from models.staff import Staff
from service.errors import Invalid
from service.extensions import db
from service.links import h5_url
from service.staff.scope import in_scope

NOT_PICKABLE = "请选择您所在单位及下级单位登记的、开放中的服务阵地"


def pick(staff: Staff, position_id, *, field: str, current_id: int | None = None) -> Position | None:
    """The position `staff` chose for `field`: None clears it; the one chosen before stays as it
    is (whatever its state now, whoever edits); a new one must be open and in their scope.
    Anything else — no such id, outside their scope, suspended or closed — is the same Invalid,
    revealing nothing."""
    if position_id is None:
        return None
    if current_id is not None and position_id == current_id:
        return db.session.get(Position, current_id)
    valid = isinstance(position_id, int) and not isinstance(position_id, bool) and 0 < position_id < 2**31
    position = db.session.scalar(select(Position).where(
        Position.id == position_id, in_scope(staff, Position.federation_id))) if valid else None
    if position is None or position.status != "open":
        raise Invalid(fields={field: NOT_PICKABLE})
    return position


def page_url(position: Position) -> str | None:
    """The worker's page of the position; none once it is closed (the page would be a 404)."""
    return h5_url("position", id=position.id) if position.status != "closed" else None


def place_text(position: Position | None, extra: str | None = None, *, fallback: str = "另行通知") -> str:
    """One line for a message: 甲驿站（中山东路1号）二楼培训室; `extra` alone without a position."""
    extra = (extra or "").strip()
    if position is None:
        return extra or fallback
    return f"{position.name}（{position.address}）" + (f" {extra}" if extra else "")


def place_link(position: Position | None, label: str = "查看地点和导航") -> str:
    """A link for a customer-service message ('' without a position, or once it is closed)."""
    url = page_url(position) if position is not None else None
    return f'<a href="{url}">{label}</a>' if url else ""
