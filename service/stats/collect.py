"""The counted rows behind a node's figures for a period: read from the rollups for an upper
union, counted live from the source rows for a federation (its own subtree is small). Both give
the same `Counts`, so every figure is computed one way."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from models.base import utcnow
from models.federation import Federation
from models.membership import Membership
from models.stats import StatsRollup
from service.extensions import db
from service.staff import subtree_ids_query
from service.stats import rollup
from service.stats.periods import Period, day_start_utc


@dataclass
class Counts:
    """(grain, day, metric, k1, k2) → [n, total] for one node and period."""

    cells: dict[tuple, list] = field(default_factory=lambda: defaultdict(lambda: [0, Decimal(0)]))

    def add(self, grain, day, metric, k1, k2, n, total) -> None:
        cell = self.cells[(grain, day, metric, k1, k2)]
        cell[0] += n
        cell[1] += Decimal(total or 0)

    def by(self, metric: str, *, key: str = "k1", where: dict | None = None) -> dict[str, list]:
        """Monthly cells of `metric` summed by k1 or k2 (optionally only where k1/k2 match)."""
        out: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        index = 3 if key == "k1" else 4
        for (grain, _, m, k1, k2), (n, total) in self.cells.items():
            if grain != "m" or m != metric:
                continue
            if where and any((k1 if name == "k1" else k2) != value for name, value in where.items()):
                continue
            cell = out[(grain, _, m, k1, k2)[index]]
            cell[0] += n
            cell[1] += total
        return out

    def total(self, metric: str, **where) -> tuple[int, Decimal]:
        n, total = 0, Decimal(0)
        for k, (cn, ct) in self.by(metric, where=where).items():
            n += cn
            total += ct
        return n, total

    def pairs(self, metric: str) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for (grain, _, m, k1, k2), (n, _t) in self.cells.items():
            if grain == "m" and m == metric:
                out[(k1, k2)] += n
        return out

    def series(self, metric: str, grain: str, *, split: bool = False) -> dict:
        """{day: n} (or {day: {k1: n}} with `split`) of `metric` at `grain`."""
        out: dict = defaultdict(lambda: defaultdict(int)) if split else defaultdict(int)
        for (g, day, m, k1, _), (n, _t) in self.cells.items():
            if g == grain and m == metric:
                if split:
                    out[day][k1] += n
                else:
                    out[day] += n
        return out


def uses_rollups(node: Federation) -> bool:
    return node.kind == "upper"


def counts_for(node: Federation, period: Period, metrics: tuple[str, ...] | None = None) -> Counts:
    """The counted rows of `node`'s subtree in `period` (month-aligned)."""
    counts = Counts()
    if uses_rollups(node):
        r = StatsRollup
        grains = [and_(r.grain == "m", r.day >= period.start, r.day <= period.end)]
        if period.daily_series:
            grains.append(and_(r.grain == "d", r.day >= period.start, r.day <= period.end))
        query = select(r.grain, r.day, r.metric, r.k1, r.k2, r.n, r.total).where(r.node_id == node.id, or_(*grains))
        if metrics:
            query = query.where(r.metric.in_(metrics))
        for row in db.session.execute(query):
            counts.add(*row)
        return counts
    ids = set(db.session.scalars(subtree_ids_query(node.id)))
    credit = lambda fed: (node.id,) if fed in ids else ()  # noqa: E731
    now = utcnow()
    acc: dict = defaultdict(lambda: [0, 0])
    rollup.count_months(period.start, period.end, credit, now, scope=ids, acc=acc)
    for (_, grain, day, metric, k1, k2), (n, total) in acc.items():
        if metrics and metric not in metrics:
            continue
        if grain == "d" and not period.daily_series:
            continue
        counts.add(grain, day, metric, k1, k2, n, total)
    return counts


def members_at(node: Federation, day: date) -> int:
    """Members (not withdrawn) of the subtree at 00:00 China time of `day`."""
    if uses_rollups(node):
        r = StatsRollup
        joined = db.session.scalar(select(func.coalesce(func.sum(r.n), 0)).where(
            r.node_id == node.id, r.grain == "m", r.metric == "mem_new", r.day < day))
        left = db.session.scalar(select(func.coalesce(func.sum(r.n), 0)).where(
            r.node_id == node.id, r.grain == "m", r.metric == "mem_withdrawn", r.day < day))
        return int(joined) - int(left)
    moment = day_start_utc(day)
    m = Membership
    return db.session.scalar(select(func.count()).where(
        m.federation_id.in_(subtree_ids_query(node.id)), m.joined_at < moment,
        or_(m.withdrawn_at.is_(None), m.withdrawn_at >= moment)))
