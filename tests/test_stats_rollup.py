"""The rollup job: idempotent, picks up late changes to old items, rebuilds when the tree changes."""
from datetime import timedelta

from sqlalchemy import select

from models.base import utcnow
from models.request import HelpRequest
from models.stats import StatsRollup, StatsState
from service.extensions import db
from service.stats import figures, rollup
from service.stats.periods import make_period
from tests import stats_fixtures
from tests.factories import make_federation

MAY = make_period("month", "2026-05")


def snapshot() -> list[tuple]:
    r = StatsRollup
    return list(db.session.execute(select(r.node_id, r.grain, r.day, r.metric, r.k1, r.k2, r.n, r.total)
                                   .order_by(r.node_id, r.grain, r.day, r.metric, r.k1, r.k2)))


def run_job() -> int:
    """The job as the runner runs it: one call, one commit."""
    done = rollup.rollup_stats_job()
    db.session.commit()
    return done


def test_the_job_is_idempotent(app):
    t = stats_fixtures.build()
    assert run_job() == 3  # April, May, June 2026 hold items
    first = snapshot()
    uppers, federations = {t.P.id, t.C.id, t.K.id, t.K2.id}, {t.F1.id, t.F2.id, t.F3.id}
    assert first and all(row[0] in uppers for row in first if row[1] in ("m", "d"))
    assert {row[0] for row in first if row[1] == "f"} == uppers | federations  # the drill-down's compact rows
    # Run again at once: the items changed within the watermark's lag are counted again, alike.
    assert run_job() == 3
    assert snapshot() == first
    state = db.session.get(StatsState, rollup.STATE)
    state.watermark = utcnow()  # a later run: nothing changed since
    db.session.commit()
    assert run_job() == 0
    assert snapshot() == first
    rollup.refresh_rollups(rebuild=True)
    db.session.commit()
    assert snapshot() == first


def test_a_late_change_to_an_old_item_is_recounted(app):
    t = stats_fixtures.build()
    run_job()
    state = db.session.get(StatsState, rollup.STATE)
    state.watermark = utcnow()  # as if the last run came after the build
    db.session.commit()
    assert figures.request_figures(t.K, MAY)["totals"]["resolved"] == 3  # r1, r3, r7
    r5 = db.session.scalar(select(HelpRequest).where(HelpRequest.type == "legal_aid"))
    r5.status, r5.resolved_at, r5.outcome = "resolved", r5.created_at + timedelta(days=3), {"result": "granted"}
    db.session.commit()
    assert run_job() == 1  # May only
    after = figures.request_figures(t.K, MAY)
    assert after["totals"]["resolved"] == 4
    assert {(o["type"], o["result"]) for o in after["outcomes"]} >= {("legal_aid", "granted")}


def test_a_new_node_rebuilds_everything(app):
    t = stats_fixtures.build()
    run_job()
    state = db.session.get(StatsState, rollup.STATE)
    state.watermark = utcnow()
    db.session.commit()
    make_federation("石家庄市裕华区家政服务行业工会联合会", region="130108", industry="O8010", parent=t.K2)
    assert run_job() == 3
    assert figures.request_figures(t.P, MAY)["totals"]["new"] == 6
