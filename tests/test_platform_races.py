"""Duplicates and races, over real HTTP (threads against the live server), on SQLite (a file
database: the second writer waits for the first) and on PostgreSQL alike:
two staff claiming one request, two approvals of one application, a worker's first two calls,
and one help request submitted twice (a double tap, a retry)."""
import threading
import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from models.base import utcnow
from models.membership import Membership
from models.request import HelpRequest, RequestEvent, SubmissionKey
from models.worker import Worker
from service.extensions import db
from tests.factories import (cover, help_payload, join_form, make_federation, make_request, make_resident_id,
                             make_staff, make_upper, make_worker)

TRIALS = 4


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    return {"city": city, "changan": changan, "courier": courier}


def at_once(*calls):
    """Run the calls in threads released together; their answers, in order."""
    barrier, answers = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        answers[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def staff_session(base: str, staff) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{base}/api/auth/login", json={"username": staff.username, "password": "password123"})
    assert answer.status_code == 200, answer.text
    session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return session


def worker_session(app, base: str, openid: str) -> requests.Session:
    """A phone whose openid the OAuth flow has learned (the signed session cookie it would hold)."""
    session = requests.Session()
    session.cookies.set("session", app.session_interface.get_signing_serializer(app).dumps({"openid": openid}))
    return session


def test_two_staff_claiming_one_request_at_once_one_wins_the_other_gets_409(app, live_server, tree):
    chair, caseworker = make_staff(tree["courier"], role="chair"), make_staff(tree["courier"])
    first, second = staff_session(live_server.url, chair), staff_session(live_server.url, caseworker)
    for trial in range(TRIALS):
        request = make_request(make_worker(f"o-claim-{trial}"))
        url = f"{live_server.url}/api/inbox/requests/{request.id}/claim"
        answers = at_once(lambda: first.post(url, json={"expected_assignee_id": None}),
                          lambda: second.post(url, json={"expected_assignee_id": None}))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409).json()["error"]
        assert loser["code"] == "claimed" and loser["message"] == "该诉求刚被他人认领，请刷新后再试"
        db.session.expire_all()
        kinds = list(db.session.scalars(select(RequestEvent.kind).where(RequestEvent.request_id == request.id)))
        assert kinds.count("accepted") == 1 and kinds.count("claimed") == 1, kinds
        winner = chair.id if answers[0].status_code == 200 else caseworker.id
        assert db.session.get(HelpRequest, request.id).assignee_id == winner


def test_a_claim_after_someone_else_claimed_is_a_409_but_taking_over_on_purpose_works(app, live_server, tree):
    chair, caseworker = make_staff(tree["courier"], role="chair"), make_staff(tree["courier"])
    request = make_request(make_worker("o-claim-late"))
    url = f"{live_server.url}/api/inbox/requests/{request.id}/claim"
    assert staff_session(live_server.url, chair).post(url, json={"expected_assignee_id": None}).status_code == 200
    late = staff_session(live_server.url, caseworker)
    assert late.post(url, json={"expected_assignee_id": None}).status_code == 409  # the page showed it unassigned
    assert late.post(url, json={"expected_assignee_id": chair.id}).status_code == 200  # a deliberate takeover


def test_two_approvals_of_one_application_at_once_one_200_one_409(app, live_server, tree):
    from service.membership import applications

    admins = [make_staff(tree["changan"], role="admin") for _ in range(2)]
    sessions = [staff_session(live_server.url, admin) for admin in admins]
    for trial in range(TRIALS):
        worker = make_worker(f"o-approve-{trial}", name=None)
        application = applications.submit_application(
            worker, join_form(id_number=make_resident_id(seq=f"{101 + 2 * trial}")), fed_id=tree["courier"].id)
        db.session.commit()
        url = f"{live_server.url}/api/applications/{application.id}/approve"
        answers = at_once(lambda: sessions[0].post(url), lambda: sessions[1].post(url))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        # already_decided: both read it pending, the guarded UPDATE refused the second; conflict: the
        # second read it after the first had committed
        assert next(a for a in answers if a.status_code == 409).json()["error"]["code"] in ("already_decided", "conflict")
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Membership)
                                 .where(Membership.worker_id == worker.id)) == 1


def test_a_new_workers_first_two_calls_at_once_make_one_worker(app, live_server, tree):
    for trial in range(TRIALS):
        openid = f"o-first-{uuid.uuid4().hex[:16]}"
        phone = worker_session(app, live_server.url, openid)
        answers = at_once(lambda: phone.get(f"{live_server.url}/api/requests"),
                          lambda: phone.get(f"{live_server.url}/api/requests"))
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Worker).where(Worker.openid == openid)) == 1


def test_an_openid_longer_than_its_column_is_refused(app, client, tree):
    from tests.conftest import as_worker

    as_worker(client, "o" * 65)
    answer = client.get("/api/requests")
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_openid"


def test_one_submission_sent_twice_at_once_makes_one_request(app, live_server, tree):
    for trial in range(TRIALS):
        phone = worker_session(app, live_server.url, f"o-twice-{trial}")
        key = uuid.uuid4().hex
        send = lambda: phone.post(f"{live_server.url}/api/requests", json=help_payload(),  # noqa: E731
                                  headers={"Idempotency-Key": key})
        answers = at_once(send, send)
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert answers[0].json()["id"] == answers[1].json()["id"]
        assert sorted(str(a.headers.get("Idempotent-Replayed")) for a in answers) == ["None", "true"]
        retry = send()
        assert retry.status_code == 201 and retry.json()["id"] == answers[0].json()["id"]
        db.session.expire_all()
        worker = db.session.scalar(select(Worker).where(Worker.openid == f"o-twice-{trial}"))
        assert db.session.scalar(select(func.count()).select_from(HelpRequest)
                                 .where(HelpRequest.worker_id == worker.id)) == 1
        other = phone.post(f"{live_server.url}/api/requests", json=help_payload(),
                           headers={"Idempotency-Key": uuid.uuid4().hex})
        assert other.status_code == 201 and other.json()["id"] != answers[0].json()["id"]


def test_a_refused_submission_does_not_hold_its_key(client, tree):
    from tests.conftest import as_worker

    as_worker(client, "o-key-refused")
    headers = {"Idempotency-Key": "k" * 16}
    assert client.post("/api/requests", json=help_payload(facts="短"), headers=headers).status_code == 422
    assert client.post("/api/requests", json=help_payload(), headers=headers).status_code == 201


def test_keys_are_held_for_a_day(tree):
    from service.help_requests.idempotency import release_submission_keys_job, submit_once

    worker = make_worker("o-key-day")
    start = utcnow()
    first, made = submit_once(worker, help_payload(), "day-key-0001", now=start)
    db.session.commit()
    again, made_again = submit_once(worker, help_payload(), "day-key-0001", now=start + timedelta(hours=23))
    assert made and not made_again and again.id == first.id
    later, made_later = submit_once(worker, help_payload(), "day-key-0001", now=start + timedelta(days=1, minutes=1))
    assert made_later and later.id != first.id
    db.session.commit()
    assert release_submission_keys_job(now=start + timedelta(days=2, minutes=2)) == 1
    assert db.session.scalar(select(func.count()).select_from(SubmissionKey)) == 0


def test_a_bad_idempotency_key_is_refused(client, tree):
    from tests.conftest import as_worker

    as_worker(client, "o-key-bad")
    for key in ("short", "x" * 65, "has spaces in it"):
        answer = client.post("/api/requests", json=help_payload(), headers={"Idempotency-Key": key})
        assert answer.status_code == 422 and "Idempotency-Key" in answer.get_json()["error"]["fields"]
