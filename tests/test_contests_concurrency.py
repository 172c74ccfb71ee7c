"""Bursts of simultaneous sign-ups and cancellations on PostgreSQL: real threads, each with its own
app context and database session. Never more confirmed than places; the waitlist in arrival order."""
import threading

import pytest
from sqlalchemy import func, insert, select

from models.contest import Contest, Signup
from models.outbox import OutboxMessage
from models.worker import Worker
from service.contests import signups
from service.extensions import db
from tests.conftest import as_worker
from tests.factories import make_contest, make_federation

pytestmark = pytest.mark.postgres

WORKERS = 200
PLACES = 50


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers anyway)")


def _workers(n: int, prefix: str) -> list[str]:
    openids = [f"{prefix}-{i}" for i in range(n)]
    db.session.execute(insert(Worker), [{"openid": o, "subscribed": True} for o in openids])
    db.session.commit()
    return openids


def _burst(app, openids, action):
    """Run action(openid) in one thread per openid, all released at once; answers the errors."""
    barrier = threading.Barrier(len(openids))
    errors = []

    def run(openid):
        barrier.wait()  # nothing touches the pool before every thread is ready
        with app.app_context():
            try:
                action(openid)
            except Exception as error:  # collected and asserted on below
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(o,)) for o in openids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return errors


def _sign_up_in_service(openid):
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    signups.sign_up(_sign_up_in_service.contest_id, worker, name="并发测试", phone="13900000000")
    db.session.commit()


def _check(contest_id: int, total: int, places: int):
    rows = list(db.session.scalars(select(Signup).where(Signup.contest_id == contest_id).order_by(Signup.id)))
    confirmed = [s for s in rows if s.status == "confirmed"]
    waiting = [s for s in rows if s.status == "waitlisted"]
    assert len(rows) == total and len({s.worker_id for s in rows}) == total  # no duplicates
    assert (len(confirmed), len(waiting)) == (places, total - places)
    # seq: 1..total, no gaps, no duplicates; places first, then the waitlist in arrival order
    assert sorted(s.seq for s in rows) == list(range(1, total + 1))
    assert sorted(s.seq for s in confirmed) == list(range(1, places + 1))
    assert [s.seq for s in rows] == sorted(s.seq for s in rows)  # insert (arrival) order == seq order
    contest = db.session.get(Contest, contest_id)
    db.session.refresh(contest)
    assert (contest.confirmed_count, contest.waitlisted_count, contest.last_seq) == (places, total - places, total)
    positions = [signups.waitlist_position(s) for s in sorted(waiting, key=lambda s: s.seq)]
    assert positions == list(range(1, total - places + 1))


@pytest.mark.parametrize("path", ["service", "http"])
def test_burst_of_200_sign_ups_for_50_places(app, path):
    contest_id = make_contest(make_federation(), capacity=PLACES).id  # threads must not touch test objects
    openids = _workers(WORKERS, f"o-burst-{path}")
    if path == "service":
        _sign_up_in_service.contest_id = contest_id
        errors = _burst(app, openids, _sign_up_in_service)
    else:
        clients = {o: as_worker(app.test_client(), o) for o in openids}

        def post(openid):
            response = clients[openid].post(f"/api/contests/{contest_id}/signup",
                                            json={"name": "并发测试", "phone": "13900000000"})
            assert response.status_code == 201, response.get_json()
        errors = _burst(app, openids, post)
    assert errors == []
    _check(contest_id, WORKERS, PLACES)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == WORKERS


def test_simultaneous_double_submit_by_one_worker_makes_one_sign_up(app):
    contest = make_contest(make_federation(), capacity=5)
    openid = _workers(1, "o-double")[0]
    _sign_up_in_service.contest_id = contest.id
    errors = _burst(app, [openid] * 10, _sign_up_in_service)
    assert len(errors) == 9 and all("已报名" in e for e in errors)
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1
    db.session.refresh(contest)
    assert (contest.confirmed_count, contest.last_seq) == (1, 1)


def test_simultaneous_cancellations_promote_the_waitlist_in_order(app):
    contest = make_contest(make_federation(), capacity=20)
    contest_id = contest.id
    openids = _workers(60, "o-cancel")
    for openid in openids:  # 20 confirmed, 40 waiting, in this order
        _sign_up_in_service.contest_id = contest.id
        _sign_up_in_service(openid)
    leaving = openids[:15]

    def cancel(openid):
        worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
        signups.cancel_signup(contest_id, worker)
        db.session.commit()
    assert _burst(app, leaving, cancel) == []
    status = {s.worker.openid: s.status for s in db.session.scalars(select(Signup))}
    assert [status[o] for o in openids[:15]] == ["cancelled"] * 15
    assert [status[o] for o in openids[15:35]] == ["confirmed"] * 20  # 5 kept + the first 15 waiting
    assert [status[o] for o in openids[35:]] == ["waitlisted"] * 25
    db.session.refresh(contest)
    assert (contest.confirmed_count, contest.waitlisted_count) == (20, 25)
