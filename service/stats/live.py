"""Figures read straight from the live tables (small at any scale): the nodes below a node for
the drill-down, contests, per-caseworker load and low ratings; and the node a viewer looks at."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import Integer, cast, func, literal_column, select

from models.base import utcnow
from models.contest import Contest, Signup
from models.federation import KIND_LABELS, LEVEL_LABELS, Federation
from models.position import Position
from models.request import OPEN_STATUSES, REQUEST_TYPE_LABELS, HelpRequest
from models.staff import ROLE_LABELS, Staff
from models.stats import StatsRollup
from service.errors import Forbidden, NotFound
from service.extensions import db
from service.stats.collect import Counts, scope_clause, uses_rollups
from service.stats.figures import share, yuan
from service.stats.periods import Period
from service.positions import summary as positions

CHILD_METRICS = ("mem_new", "req_new", "req_res_ok", "req_amount", "gap_req", "gap_app")
PROMOTED_AFTER = timedelta(seconds=1)  # confirmed this long after signing up: came off the waitlist
LOW_RATING = 2
MAX_DEPTH = 32  # far deeper than the union tree; a cycle cannot loop forever


def node_for(viewer: Staff, node_id: int | None) -> Federation:
    """The node to show: the viewer's own by default; another only within the viewer's subtree
    (a guessed id outside it is a 404). Checked upwards — is the viewer's node on the path from
    the node to the top? — a few primary-key reads, where the subtree of a province is 10,000."""
    node_id = viewer.federation_id if node_id is None else node_id
    if not isinstance(node_id, int) or not 0 < node_id < 2**31:
        raise NotFound()
    node = cursor = db.session.get(Federation, node_id)
    for _ in range(MAX_DEPTH):
        if cursor is None:
            break
        if cursor.id == viewer.federation_id:
            return node
        cursor = cursor.parent
    raise NotFound()


def describe_node(viewer: Staff, node: Federation) -> dict:
    """The node, the path from the viewer's own node down to it (breadcrumbs) and its children."""
    path, cursor = [], node
    while cursor is not None:
        path.append({"id": cursor.id, "name": cursor.name})
        if cursor.id == viewer.federation_id:
            break
        cursor = cursor.parent
    children = db.session.scalars(select(Federation).where(Federation.parent_id == node.id).order_by(Federation.id))
    return {"id": node.id, "name": node.name, "kind": node.kind, "kind_label": KIND_LABELS[node.kind],
            "level": node.level, "level_label": LEVEL_LABELS.get(node.level, node.level),
            "path": list(reversed(path)), "counted": "rollup" if uses_rollups(node) else "live",
            "children": [{"id": c.id, "name": c.name, "kind": c.kind} for c in children]}


def _summary(counts: Counts) -> dict:
    states = counts.by("req_res_ok", key="k2")
    ok, late = states.get("ontime", [0])[0], states.get("late", [0])[0]
    statuses = counts.by("req_new", key="k2")
    return {"members_new": counts.total("mem_new")[0], "requests_new": counts.total("req_new")[0],
            "resolved": sum(statuses.get(s, [0])[0] for s in ("resolved", "closed")),
            "resolution_on_time_share": share(ok, ok + late),
            "amount_recovered": yuan(counts.total("req_amount")[1]),
            "unrouted": counts.total("gap_req")[0] + counts.total("gap_app")[0]}


def child_figures(node: Federation, period: Period) -> list[dict]:
    """Key figures of each node directly below `node`, from the compact rollups (grain "f"; kept
    by the job for every node, its subtree included)."""
    children = list(db.session.scalars(select(Federation).where(Federation.parent_id == node.id)
                                       .order_by(Federation.id)))
    counts: dict[int, Counts] = defaultdict(Counts)
    r = StatsRollup
    if children:
        rows = db.session.execute(select(r.node_id, r.metric, r.k2, func.sum(r.n), func.sum(r.total)).where(
            r.node_id.in_([c.id for c in children]), r.grain == "f", r.metric.in_(CHILD_METRICS),
            r.day >= period.start, r.day <= period.end).group_by(r.node_id, r.metric, r.k2))
        for node_id, metric, k2, n, total in rows:
            counts[node_id].add("m", None, metric, "", k2, int(n), total)
    return [{"id": c.id, "name": c.name, "kind": c.kind, "kind_label": KIND_LABELS[c.kind],
             "status": c.status, **_summary(counts[c.id])} for c in children]


def contest_figures(node: Federation, period: Period) -> dict:
    """Contests of the subtree published in the period: sign-ups, fill rate, waitlist
    promotions and attendance."""
    start, end = period.utc_bounds
    scope = scope_clause(node, Contest.federation_id)
    c_ = Contest  # the columns only: a province's year is hundreds of contests with JSON columns
    contests = list(db.session.execute(select(
        c_.id, c_.title, c_.federation_id, c_.status, c_.starts_at, c_.capacity, c_.confirmed_count,
        c_.waitlisted_count).where(scope, c_.published_at >= start, c_.published_at < end).order_by(c_.published_at)))
    ids = [c.id for c in contests]
    per: dict[int, dict] = {c.id: {"signups": 0, "promoted": 0, "checked_in": 0} for c in contests}
    if ids:
        s = Signup
        for contest_id, created, confirmed, checked in db.session.execute(
                select(s.contest_id, s.created_at, s.confirmed_at, s.checked_in_at).where(s.contest_id.in_(ids))):
            counts = per[contest_id]
            counts["signups"] += 1
            counts["promoted"] += confirmed is not None and confirmed > created + PROMOTED_AFTER
            counts["checked_in"] += checked is not None
    live = [c for c in contests if c.status != "cancelled"]
    capacity = sum(c.capacity for c in live)
    confirmed = sum(c.confirmed_count for c in live)
    now = utcnow()
    held = [c for c in live if c.starts_at < now]
    held_confirmed = sum(c.confirmed_count for c in held)
    held_checked = sum(per[c.id]["checked_in"] for c in held)
    return {
        "totals": {"published": len(contests), "cancelled": len(contests) - len(live),
                   "signups": sum(p["signups"] for p in per.values()), "capacity": capacity,
                   "confirmed": confirmed, "fill_rate": share(confirmed, capacity),
                   "waitlisted": sum(c.waitlisted_count for c in live),
                   "promoted": sum(p["promoted"] for p in per.values()),
                   "held": len(held), "checked_in": held_checked, "attendance": share(held_checked, held_confirmed)},
        "contests": [{"id": c.id, "title": c.title, "federation_id": c.federation_id, "status": c.status,
                      "starts_at": c.starts_at, "capacity": c.capacity, "confirmed": c.confirmed_count,
                      "waitlisted": c.waitlisted_count, **per[c.id]} for c in contests],
    }


def caseworker_figures(viewer: Staff, node: Federation, period: Period) -> list[dict]:
    """Per staff member of `node` (chairs and admins only): open load now, and of the requests
    in its inbox resolved in the period, how many and the share on time."""
    if viewer.role not in ("admin", "chair"):
        raise Forbidden("只有主席和管理员可以查看办事员统计")
    start, end = period.utc_bounds
    r = HelpRequest
    staff = list(db.session.scalars(select(Staff).where(Staff.federation_id == node.id, Staff.active)
                                    .order_by(Staff.id)))
    load = dict(db.session.execute(select(r.assignee_id, func.count()).where(
        r.federation_id == node.id, r.status.in_(OPEN_STATUSES), r.assignee_id.is_not(None)
    ).group_by(r.assignee_id)).all())
    handled: dict[int, list[int]] = {}
    on_time = func.sum(cast(r.resolved_at <= r.resolution_due, Integer))
    for assignee, n, ok in db.session.execute(select(r.assignee_id, func.count(), on_time).where(
            r.federation_id == node.id, r.resolved_at >= start, r.resolved_at < end,
            r.assignee_id.is_not(None)).group_by(r.assignee_id)):
        handled[assignee] = [n, int(ok or 0)]
    return [{"staff_id": s.id, "name": s.display_name, "role": s.role, "role_label": ROLE_LABELS[s.role],
             "open": load.get(s.id, 0), "handled": handled.get(s.id, [0, 0])[0],
             "on_time": handled.get(s.id, [0, 0])[1],
             "on_time_share": share(handled.get(s.id, [0, 0])[1], handled.get(s.id, [0, 0])[0])}
            for s in staff]


def low_ratings(node: Federation, period: Period, limit: int = 20) -> list[dict]:
    """The latest requests of the period rated 1 or 2 (newest submitted first)."""
    start, end = period.utc_bounds
    r = HelpRequest
    rows = db.session.execute(select(r.id, r.number, r.type, r.rating, r.rating_comment, r.rated_at,
                                     Federation.name).join(Federation, Federation.id == r.federation_id).where(
        scope_clause(node, r.federation_id), r.created_at >= start, r.created_at < end,
        # the bound inline, so the planner can always use the partial index ix_help_requests_low_rated
        r.rating <= literal_column(str(LOW_RATING))).order_by(r.created_at.desc(), r.id.desc()).limit(limit))
    return [{"id": i, "number": number, "type": kind, "type_label": REQUEST_TYPE_LABELS.get(kind, kind),
             "rating": rating, "comment": comment, "rated_at": rated_at, "federation_name": fed}
            for i, number, kind, rating, comment, rated_at, fed in rows]



def position_figures(node: Federation, *, now=None) -> dict:
    """The service positions of the subtree as they are now (not of a period): per county how
    many, how many open, open now and their average weekly opening hours, and in all."""
    now = now or utcnow()
    rows = positions.region_figures(scope_clause(node, Position.federation_id), level="county", now=now)
    return {"as_of": now, "totals": positions.totals(rows), "regions": rows}
