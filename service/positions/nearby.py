"""Finding positions for workers: the nearest open ones to a point, and lists by region.

The nearest search is a bounding-box prefilter on the (status, latitude, longitude) index,
which both SQLite and PostgreSQL range-scan, then exact great-circle distances in Python:
search a box of radius r; if at least `limit` positions lie within r (not merely inside the
box), they are the nearest (anything outside the box is farther than r); otherwise widen the
box fourfold, up to `max_km`. A worker in a town with stations a few hundred metres apart reads
a few dozen index entries; one in the mountains a few more rounds.
"""
from dataclasses import dataclass
from sqlalchemy import select

from models.position import FACILITIES, Position
from service.errors import NotFound
from service.extensions import db
from service.positions.geo import box_around, distance_km

FIRST_RADIUS_KM = 2.0
MAX_KM = 50.0
PUBLIC_STATUSES = ("open", "suspended")  # a suspended station is shown with its note; closed ones never


@dataclass(frozen=True)
class Hit:
    position: Position
    km: float


def _in_box(lat: float, lng: float, radius_km: float, statuses: tuple[str, ...], with_facilities: bool):
    """(id, latitude, longitude[, facilities]) of the box: read from the index alone (SQLite's
    index holds the rowid, PostgreSQL's includes id) unless facilities are asked for."""
    box = box_around(lat, lng, radius_km)
    columns = [Position.id, Position.latitude, Position.longitude]
    if with_facilities:
        columns.append(Position.facilities)
    query = (select(*columns)
             .where(Position.status.in_(statuses),
                    Position.latitude.between(box.south, box.north),
                    Position.longitude.between(box.west, box.east)))
    return db.session.execute(query).all()


def nearest_ids(lat: float, lng: float, *, limit: int = 3, facilities: tuple[str, ...] = (),
                max_km: float = MAX_KM, statuses: tuple[str, ...] = ("open",)) -> list[tuple[int, float]]:
    """(id, km) of the `limit` nearest positions within `max_km` having every facility asked
    for, nearest first (ties by id)."""
    wanted = set(facilities)
    radius = min(FIRST_RADIUS_KM, max_km)
    while True:
        found = []
        for row in _in_box(lat, lng, radius, statuses, bool(wanted)):
            km = distance_km(lat, lng, row.latitude, row.longitude)
            if km <= radius and (not wanted or wanted.issubset(row.facilities or ())):
                found.append((km, row.id))
        if len(found) >= limit or radius >= max_km:
            found.sort()
            return [(pid, km) for km, pid in found[:limit]]
        radius = min(radius * 4, max_km)


def find_nearest(lat: float, lng: float, *, limit: int = 3, facilities: tuple[str, ...] = (),
                 max_km: float = MAX_KM, statuses: tuple[str, ...] = ("open",)) -> list[Hit]:
    """The nearest positions as Hits (only the winners' rows are loaded whole), nearest first."""
    ranked = nearest_ids(lat, lng, limit=limit, facilities=facilities, max_km=max_km, statuses=statuses)
    if not ranked:
        return []
    loaded = {p.id: p for p in db.session.scalars(select(Position).where(Position.id.in_([i for i, _ in ranked])))}
    return [Hit(loaded[pid], km) for pid, km in ranked if pid in loaded]


def list_in_region(region_prefix: str | None, *, facilities: tuple[str, ...] = (), near: tuple[float, float] | None = None,
                   limit: int = 50) -> list[Hit]:
    """Public positions of a region (code prefix), with every facility asked for; sorted by
    distance from `near` when given (km is then set), else by region and name."""
    query = select(Position).where(Position.status.in_(PUBLIC_STATUSES))
    if region_prefix:
        query = query.where(Position.region_code.startswith(region_prefix, autoescape=True))
    rows = [p for p in db.session.scalars(query.order_by(Position.region_code, Position.name, Position.id).limit(2000))
            if set(facilities).issubset(p.facilities or ())]
    if near is None:
        return [Hit(p, None) for p in rows[:limit]]
    hits = [Hit(p, distance_km(near[0], near[1], p.latitude, p.longitude)) for p in rows]
    return sorted(hits, key=lambda h: (h.km, h.position.id))[:limit]


def get_public(position_id: int) -> Position:
    """A position workers may see (not closed)."""
    position = db.session.get(Position, position_id) if 0 < position_id < 2**31 else None
    if position is None or position.status not in PUBLIC_STATUSES:
        raise NotFound("找不到该服务阵地")
    return position


def known_facilities(keys) -> tuple[str, ...]:
    """The facility keys among `keys` that exist (unknown ones are ignored by the public lists)."""
    return tuple(key for key in FACILITIES if key in set(keys or ()))
