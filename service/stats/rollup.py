"""Monthly rollups for the upper unions, kept by a job (the figures of a federation itself are
counted live from its own rows: a few hundred at most, read through its federation index).

Every item counted by service/stats/sources.py is added to each upper union above (or at) its
inbox, per China-time month (grain "m"); a few series figures also per day (grain "d") for the
charts of one month. A month is always recomputed whole from the source rows — delete, count,
insert — so running the job twice changes nothing (idempotent), and a late change to an old
item is picked up by recomputing that item's month. The job finds such months from
`updated_at` (and `created_at` for transfers, which never change) since its last watermark; a
change of the tree (a node added, moved or its kind changed) rebuilds everything.
"""
import hashlib
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from models.base import utcnow
from models.federation import Federation
from models.membership import Application, Membership
from models.request import HelpRequest, Transfer
from models.stats import StatsRollup, StatsState
from service.extensions import db
from service.stats import sources
from service.stats.periods import china_date, day_start_utc, month_start, next_month

STATE = "rollup"
# Commits that began before a run can land after it with an older updated_at: look back this far.
WATERMARK_LAG = timedelta(minutes=10)
# Figures also kept per day (for the charts of a month), with the k1 they keep.
DAILY = {"req_new": True, "mem_new": False, "mem_withdrawn": False, "app_new": False, "gap_req": False,
         "gap_app": False}
# The few figures also kept compactly per node (grain "f", monthly, k1 dropped; True keeps k2),
# federations included: the drill-down's row for each node beneath another.
SUMMARY = {"mem_new": False, "req_new": True, "req_res_ok": True, "req_amount": False, "gap_req": False,
           "gap_app": False}
COLUMNS = ("node_id", "grain", "day", "metric", "k1", "k2", "n", "total")  # of the acc keys + n, total


class Tree:
    """The union tree as the rollups see it: each node's chain of upper unions (itself first if it
    is one), and a fingerprint that changes with the tree."""

    def __init__(self, rows: list[tuple[int, int | None, str]]):
        self.parent = {node: parent for node, parent, _ in rows}
        self.upper = {node for node, _, kind in rows if kind == "upper"}
        self.fingerprint = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()
        self._chains: dict[int, tuple[int, ...]] = {}
        self._federations: dict[int, tuple[int, ...]] = {}

    @classmethod
    def load(cls) -> "Tree":
        return cls(list(db.session.execute(select(Federation.id, Federation.parent_id, Federation.kind))))

    def chain(self, node: int) -> tuple[int, ...]:
        found = self._chains.get(node)
        if found is None:
            path, cursor, seen = [], node, set()
            while cursor is not None and cursor not in seen:  # a cycle cannot loop forever
                seen.add(cursor)
                if cursor in self.upper:
                    path.append(cursor)
                cursor = self.parent.get(cursor)
            found = self._chains[node] = tuple(path)
        return found

    def federations(self, node: int) -> tuple[int, ...]:
        """The federation itself and any federation above it, up to the first upper union."""
        found = self._federations.get(node)
        if found is None:
            path, cursor = [], node
            while cursor is not None and cursor not in self.upper and cursor not in path:
                path.append(cursor)
                cursor = self.parent.get(cursor)
            found = self._federations[node] = tuple(path)
        return found


def count_months(first: date, last: date, credit: Callable[[int], tuple[int, ...]], now: datetime,
                 scope: set[int] | None = None, acc: dict | None = None, *,
                 summary: Callable[[int], tuple[int, ...]] | None = None,
                 sources_used: set[str] | None = None) -> dict[tuple, list]:
    """{(node, grain, day, metric, k1, k2): [n, total]} of the months `first`..`last`: each item
    is added to the nodes `credit(its federation)` names (and its SUMMARY figures, grain "f", to
    those and to the nodes `summary(its federation)` names). With `scope`, only items of those federations
    are read (the live count of a federation's own figures); `sources_used` limits the sources."""
    start, end = day_start_utc(month_start(first)), day_start_utc(next_month(last))
    acc = acc if acc is not None else defaultdict(lambda: [0, 0])

    def add(node_chain, federations, day, figure):
        metric, k1, k2, n, total = figure
        daily = DAILY.get(metric)
        month = day.replace(day=1)
        for node in node_chain:
            cell = acc[(node, "m", month, metric, k1, k2)]
            cell[0] += n
            cell[1] += total
            if daily is not None:
                acc[(node, "d", day, metric, k1 if daily else "", "")][0] += n
        keep = SUMMARY.get(metric) if summary is not None else None
        if keep is not None:
            for node in (*federations, *node_chain):
                cell = acc[(node, "f", month, metric, "", k2 if keep else "")]
                cell[0] += n
                cell[1] += total

    for name, query, figures in sources.SOURCES:
        if sources_used is not None and name not in sources_used:
            continue
        statement = query(start, end)
        if scope is not None:
            statement = statement.where(sources.scope_filter(name, statement, scope))
        else:  # the job reads whole months of the province: stream them
            statement = statement.execution_options(yield_per=20000)
        for row in db.session.execute(statement):
            day = china_date(row[1])
            chain = credit(row[0])
            federations = summary(row[0]) if summary else ()
            if chain or federations:
                for figure in figures(row, now):
                    add(chain, federations, day, figure)
            for other, figure in sources.extra_credits(name, row):
                add(credit(other), summary(other) if summary else (), day, figure)
    return acc


def _write(acc: dict[tuple, list]) -> int:
    if not acc:
        return 0
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # COPY: a province's rebuild writes millions of rows
        raw = connection.connection.driver_connection
        # Written in key order, so that a node's rows of a month lie together on disk: a
        # province's year is then a few hundred pages to read, not tens of thousands.
        with raw.cursor() as cursor, cursor.copy(f"COPY stats_rollups ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for key in sorted(acc, key=lambda k: (k[0], k[1], k[3], k[2], k[4], k[5])):
                n, total = acc[key]
                copy.write_row((*key, n, total))
    else:
        db.session.execute(insert(StatsRollup), [dict(zip(COLUMNS, (*key, n, total))) for key, (n, total) in acc.items()])
    return len(acc)


def recompute_month(month: date, tree: Tree, now: datetime | None = None) -> int:
    """Replace one month's rollups (both grains) by a fresh count; answers the rows written."""
    month = month_start(month)
    db.session.flush()
    db.session.execute(delete(StatsRollup).where(StatsRollup.day >= month, StatsRollup.day < next_month(month)))
    return _write(count_months(month, month, tree.chain, now or utcnow(), summary=tree.federations))


def _months_between(first: date, last: date) -> list[date]:
    months, cursor = [], month_start(first)
    while cursor <= last:
        months.append(cursor)
        cursor = next_month(cursor)
    return months


def _anchor_months(column, changed, since: datetime) -> set[date]:
    query = select(column).where(column.is_not(None), changed >= since).distinct()
    return {month_start(china_date(moment)) for moment in db.session.scalars(query)}


def changed_months(since: datetime | None) -> set[date]:
    """Months holding an item changed since `since` (every month with data when None)."""
    months: set[date] = set()
    for column, changed in ((HelpRequest.created_at, HelpRequest.updated_at),
                            (Application.submitted_at, Application.updated_at),
                            (Membership.joined_at, Membership.updated_at),
                            (Membership.withdrawn_at, Membership.updated_at),
                            (Transfer.created_at, Transfer.created_at)):
        if since is None:
            low, high = db.session.execute(select(func.min(column), func.max(column))).one()
            if low is not None:
                months.update(_months_between(china_date(low), china_date(high)))
        else:
            months |= _anchor_months(column, changed, since)
    return months


def refresh_rollups(now: datetime | None = None, *, rebuild: bool = False) -> int:
    """Bring the rollups up to date; answers the number of months recomputed. Flushes only."""
    now = now or utcnow()
    state = db.session.get(StatsState, STATE) or StatsState(name=STATE)
    db.session.add(state)
    tree = Tree.load()
    if rebuild or state.watermark is None or state.tree_hash != tree.fingerprint:
        db.session.execute(delete(StatsRollup))
        months = changed_months(None)
    else:
        months = changed_months(state.watermark)
    for month in sorted(months):
        recompute_month(month, tree, now)
    state.watermark, state.tree_hash, state.ran_at = now - WATERMARK_LAG, tree.fingerprint, now
    db.session.flush()
    return len(months)


def rollup_stats_job() -> int:
    """The periodic job (every 10 minutes): refresh the rollups (flushes; the runner commits)."""
    return refresh_rollups()


def last_run() -> datetime | None:
    state = db.session.get(StatsState, STATE)
    return state.ran_at if state else None
