"""The worker is told the clocks that matter: mediation past 15 days without agreement, the
arbitration limitation near; and after 办结 they may ask to reopen within 15 days."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.outbox import OutboxMessage
from models.request import RequestEvent
from service.extensions import db
from service.help_requests import casework, clocks
from tests.conftest import as_worker
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker


@pytest.fixture
def fed():
    county = make_upper("石家庄市长安区总工会", region="130102")
    return cover(make_federation("石家庄市长安区快递行业工会联合会", parent=county), "130102", "G602")


def told(request, kind):
    return db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id,
                                                         RequestEvent.kind == kind)).all()


def test_a_mediation_past_15_days_is_told_once_in_chat_and_on_the_page(client, fed):
    staff = make_staff(fed)
    request = make_request(make_worker("o-clock"), type="mediation")
    casework.claim(staff, request.id, now=utcnow() - timedelta(days=16))
    db.session.commit()
    assert clocks.worker_clocks_job() == 1 and clocks.worker_clocks_job() == 0
    db.session.commit()
    [line] = told(request, "clock_mediation")
    assert line.public and "可以直接向劳动人事争议仲裁委员会申请仲裁" in line.body
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == f"request:{request.id}:event:{line.id}"))
    assert "申请仲裁" in sent.payload["text"]
    page = as_worker(client, "o-clock").get(f"/api/requests/{request.id}").get_json()
    assert any("申请仲裁" in c for c in page["clocks"])


def test_a_young_mediation_says_from_when_and_is_not_sent(fed):
    request = make_request(make_worker(), type="mediation")
    casework.claim(make_staff(fed), request.id)
    db.session.commit()
    assert clocks.worker_clocks_job() == 0
    today = (utcnow() + timedelta(hours=8)).date()
    [sentence] = clocks.worker_clocks(request, today)
    assert sentence.startswith("调解自受理起15日内（至")


def test_the_limitation_date_is_told_when_near(client, fed):
    learned = (utcnow() - timedelta(days=340)).date()
    request = make_request(make_worker("o-limit"), learned_on=learned.isoformat())
    assert clocks.worker_clocks_job() == 1
    db.session.commit()
    limit = learned.replace(year=learned.year + 1).isoformat()
    assert told(request, "clock_limitation")[0].body.startswith(f"申请劳动仲裁的时效将于{limit}届满")
    page = as_worker(client, "o-limit").get(f"/api/requests/{request.id}").get_json()
    assert any(limit in c for c in page["clocks"])


def test_not_satisfied_asks_to_reopen_within_15_days_once(client, fed):
    staff = make_staff(fed)
    staff.openid = "o-caseworker"
    request = make_request(make_worker("o-unhappy"))
    casework.claim(staff, request.id)
    casework.resolve(staff, request.id, {"result": "partial", "summary": "追回一个月", "amount_recovered": "3000",
                                         "workers_covered": 1})
    db.session.commit()
    phone = as_worker(client, "o-unhappy")
    page = phone.get(f"/api/requests/{request.id}").get_json()
    assert page["can_ask_reopen"] and page["reopen_until"]
    assert phone.post(f"/api/requests/{request.id}/reopen-request", json={"reason": "x"}).status_code == 422
    answer = phone.post(f"/api/requests/{request.id}/reopen-request", json={"reason": "还有一个月工资没追回"})
    assert answer.status_code == 200 and answer.get_json()["can_ask_reopen"] is False
    assert phone.post(f"/api/requests/{request.id}/reopen-request", json={"reason": "再说一次"}).status_code == 409
    alert = db.session.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o-caseworker"))
    assert "申请重新办理" in alert.payload["text"]


def test_too_late_to_ask_to_reopen(client, fed):
    staff = make_staff(fed)
    request = make_request(make_worker("o-late"))
    casework.resolve(staff, request.id, {"result": "withdrawn"}, now=utcnow() - timedelta(days=20))
    db.session.commit()
    phone = as_worker(client, "o-late")
    assert phone.get(f"/api/requests/{request.id}").get_json()["can_ask_reopen"] is False
    assert phone.post(f"/api/requests/{request.id}/reopen-request", json={"reason": "不满意结果"}).status_code == 409
    assert phone.get(f"/api/requests/{2 ** 63}").status_code == 404
    assert phone.get(f"/api/requests/{request.id}/attachments/{2 ** 31}").status_code == 404


def test_the_form_is_checked_before_the_confirmation_step_and_prefilled(client, fed):
    from tests.factories import help_payload

    phone = as_worker(client, "o-form")
    short = phone.post("/api/requests/check", json=help_payload(facts="太短", phone="123"))
    assert short.status_code == 422 and {"facts", "phone"} <= set(short.get_json()["error"]["fields"])
    assert phone.post("/api/requests/check", json=help_payload()).get_json() == {"ok": True}
    assert db.session.scalar(select(RequestEvent)) is None  # nothing stored
    assert phone.get("/api/requests/prefill").get_json() == {}
    phone.post("/api/requests", json=help_payload(name="李四", phone="13912345670"))
    known = phone.get("/api/requests/prefill").get_json()
    assert known == {"name": "李四", "phone": "13912345670", "employer_name": "石家庄某某快递有限公司",
                     "region_code": "130102", "industry_code": "G6020", "industry_name": "快递服务"}
