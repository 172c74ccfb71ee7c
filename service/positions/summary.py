"""Counts of service positions for the rest of Gonglian: per federation (its profile, the
governance flag for a federation with none) and per region (statistics: how many, how many
open now, how many hours a week they open)."""
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from models.base import utcnow
from models.position import Position
from models.staff import Staff
from service import refdata
from service.extensions import db
from service.positions.hours import is_open, weekly_hours
from service.staff.scope import in_scope

LEVELS = {"city": 4, "county": 6}


def counts_by_federation(federation_ids) -> dict[int, int]:
    """federation id → positions it registered that are not closed."""
    ids = list(federation_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Position.federation_id, func.count()).where(
        Position.federation_id.in_(ids), Position.status != "closed").group_by(Position.federation_id))
    return dict(rows.all())


def for_federation(federation_id: int) -> list[Position]:
    """A federation's own positions, open ones first."""
    order = (Position.status != "open", Position.status == "closed", Position.name, Position.id)
    return list(db.session.scalars(select(Position).where(Position.federation_id == federation_id).order_by(*order)))


def by_region(staff: Staff, *, level: str = "county", now: datetime | None = None) -> list[dict]:
    """Per city or county of the staff member's subtree (see region_figures)."""
    return region_figures(in_scope(staff, Position.federation_id), level=level, now=now)


def region_figures(scope, *, level: str = "county", now: datetime | None = None) -> list[dict]:
    """Per city or county of the positions whose federation satisfies `scope` (a clause on
    Position.federation_id): positions (not closed), open (in service), open now, and the
    average hours a week an open one opens."""
    width = LEVELS[level]
    now = now or utcnow()
    groups: dict[str, dict] = defaultdict(lambda: {"positions": 0, "open": 0, "open_now": 0, "hours": 0.0})
    query = select(Position.region_code, Position.status, Position.hours).where(scope, Position.status != "closed")
    for region_code, status, hours in db.session.execute(query):
        code = region_code[:width].ljust(6, "0")
        group = groups[code]
        group["positions"] += 1
        if status == "open":
            group["open"] += 1
            group["hours"] += weekly_hours(hours)
            group["open_now"] += is_open(hours, now)
    return [{"region_code": code, "region_name": refdata.region_full_name(code), "positions": g["positions"],
             "open": g["open"], "open_now": g["open_now"],
             "weekly_hours_avg": round(g["hours"] / g["open"], 1) if g["open"] else 0.0}
            for code, g in sorted(groups.items())]


def totals(rows: list[dict]) -> dict:
    """The sum of region_figures' rows; the weekly hours averaged over the open positions."""
    opened = sum(r["open"] for r in rows)
    hours = sum(r["weekly_hours_avg"] * r["open"] for r in rows)
    return {"positions": sum(r["positions"] for r in rows), "open": opened,
            "open_now": sum(r["open_now"] for r in rows),
            "weekly_hours_avg": round(hours / opened, 1) if opened else 0.0}
