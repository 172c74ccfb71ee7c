"""The counted rows behind a node's figures for a period: read from the rollups for an upper
union, counted live from the source rows for a federation (its own subtree is small). Both give
the same `Counts`, so every figure is computed one way."""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, or_, select

from models.base import utcnow
from models.federation import Federation
from models.membership import Membership
from models.stats import StatsRollup
from service.extensions import db
from service.staff.scope import subtree_ids_query
from service.stats import rollup, sources
from service.stats.periods import Period, day_start_utc


class Counts:
    """metric → {(grain, day, k1, k2): [n, total]} for one node and period: grain "m" holds the
    period's totals (day None), grain "s" the chart series (per day or per month)."""

    def __init__(self):
        self.cells: dict[str, dict[tuple, list]] = defaultdict(dict)

    def add(self, grain, day, metric, k1, k2, n, total) -> None:
        cells = self.cells[metric]
        cell = cells.get((grain, day, k1, k2))
        if cell is None:
            cells[(grain, day, k1, k2)] = [n, Decimal(total or 0)]
        else:
            cell[0] += n
            cell[1] += Decimal(total or 0)

    def by(self, metric: str, *, key: str = "k1", where: dict | None = None) -> dict[str, list]:
        """Monthly cells of `metric` summed by k1 or k2 (optionally only where k1/k2 match)."""
        out: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        want_k1, want_k2 = (where or {}).get("k1"), (where or {}).get("k2")
        for (grain, _, k1, k2), (n, total) in self.cells.get(metric, {}).items():
            if grain != "m" or (want_k1 is not None and k1 != want_k1) or (want_k2 is not None and k2 != want_k2):
                continue
            cell = out[k1 if key == "k1" else k2]
            cell[0] += n
            cell[1] += total
        return out

    def total(self, metric: str, **where) -> tuple[int, Decimal]:
        n, total = 0, Decimal(0)
        for cn, ct in self.by(metric, where=where).values():
            n += cn
            total += ct
        return n, total

    def pairs(self, metric: str) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for (grain, _, k1, k2), (n, _t) in self.cells.get(metric, {}).items():
            if grain == "m":
                out[(k1, k2)] += n
        return out

    def series(self, metric: str, grain: str, *, split: bool = False) -> dict:
        """{day: n} (or {day: {k1: n}} with `split`) of `metric` at `grain`."""
        out: dict = defaultdict(lambda: defaultdict(int)) if split else defaultdict(int)
        for (g, day, k1, _), (n, _t) in self.cells.get(metric, {}).items():
            if g == grain:
                if split:
                    out[day][k1] += n
                else:
                    out[day] += n
        return out


# Figures charted over time (the daily rollups hold exactly these; req_new split by type).
SERIES = tuple(rollup.DAILY)
SPLIT_SERIES = tuple(metric for metric, split in rollup.DAILY.items() if split)


def subtree_ids(node: Federation) -> list[int]:
    """The ids of a node's subtree, read first: a literal IN list lets PostgreSQL use the
    per-federation indexes (it cannot estimate a recursive CTE, and then scans whole tables)."""
    return list(db.session.scalars(subtree_ids_query(node.id)))


def scope_clause(node: Federation, column, *, small: int = 500):
    """`column` within the node's subtree: a literal list for a small subtree, else the CTE."""
    if node.kind == "upper" and node.level in ("province", "city"):
        return column.in_(subtree_ids_query(node.id))
    ids = subtree_ids(node)
    if len(ids) <= small:
        return column.in_(ids)
    return column.in_(subtree_ids_query(node.id))


def uses_rollups(node: Federation) -> bool:
    return node.kind == "upper"


def counts_for(node: Federation, period: Period, metrics: tuple[str, ...] | None = None) -> Counts:
    """The counted rows of `node`'s subtree in `period` (month-aligned)."""
    counts = Counts()
    if uses_rollups(node):
        r = StatsRollup
        # Totals summed by the database (a province's year is tens of thousands of rows)…
        query = select(r.metric, r.k1, r.k2, func.sum(r.n), func.sum(r.total)).where(
            r.node_id == node.id, r.grain == "m", r.day >= period.start, r.day <= period.end
        ).group_by(r.metric, r.k1, r.k2)
        if metrics:
            query = query.where(r.metric.in_(metrics))
        for metric, k1, k2, n, total in db.session.execute(query):
            counts.add("m", None, metric, k1, k2, int(n), total)
        # …and the chart series: per day (grain "d") or per month, k1 kept only where split.
        wanted = [m for m in SERIES if not metrics or m in metrics]
        if wanted:
            grain = "d" if period.daily_series else "m"
            k1 = case((r.metric.in_(SPLIT_SERIES), r.k1), else_="") if grain == "m" else r.k1
            series = select(r.metric, r.day, k1, func.sum(r.n)).where(
                r.node_id == node.id, r.grain == grain, r.metric.in_(wanted), r.day >= period.start,
                r.day <= period.end).group_by(r.metric, r.day, k1)
            for metric, day, key, n in db.session.execute(series):
                counts.add("s", day, metric, key, "", int(n), 0)
        return counts
    ids = set(subtree_ids(node))
    credit = lambda fed: (node.id,) if fed in ids else ()  # noqa: E731
    now = utcnow()
    acc: dict = defaultdict(lambda: [0, 0])
    rollup.count_months(period.start, period.end, credit, now, scope=ids, acc=acc,
                        sources_used=sources.sources_for(metrics))
    for (_, grain, day, metric, k1, k2), (n, total) in acc.items():
        if (metrics and metric not in metrics) or grain == "f":
            continue
        if grain == "m":
            counts.add("m", None, metric, k1, k2, n, total)
            if not period.daily_series and metric in SERIES:
                counts.add("s", day, metric, k1 if metric in SPLIT_SERIES else "", "", n, 0)
        elif period.daily_series:  # grain "d"
            counts.add("s", day, metric, k1, k2, n, 0)
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
        m.federation_id.in_(subtree_ids(node)), m.joined_at < moment,
        or_(m.withdrawn_at.is_(None), m.withdrawn_at >= moment)))
