"""Deadlines and the sweeper, driven with explicit `now=` (no sleeping): overdue marking,
alerts to the assignee, escalation after the grace period, the arbitration-limitation flag."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.request import HelpRequest, RequestEvent
from service.help_requests import casework
from service.help_requests import deadlines
from service.extensions import db
from tests.factories import (cover, make_federation, make_request, make_staff,  # noqa: F401
                             make_upper)

T0 = datetime(2026, 6, 1, 2, 0)
DAY = timedelta(days=1)


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    return {"city": city, "changan": changan, "courier": courier}


def on_wechat(staff, openid):
    """A staff member who linked their WeChat (alerts go there)."""
    staff.openid = openid
    db.session.commit()
    return staff


def alerts(openid):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid)).all()


def sweep(now):
    counts = deadlines.sweep(now)
    db.session.commit()
    return counts


@pytest.mark.parametrize("kind, first, resolution", [
    ("mediation", 2, 17), ("legal_aid", 2, 7), ("wage_arrears", 1, 15), ("work_injury", 2, 30), ("consultation", 1, 3),
])
def test_every_type_has_its_targets(tree, kind, first, resolution):
    request = make_request(type=kind, now=T0)
    assert request.first_response_due == T0 + first * DAY
    assert request.resolution_due == T0 + resolution * DAY


def test_mediation_resolution_runs_fifteen_days_from_acceptance(tree):
    staff = make_staff(tree["courier"])
    request = make_request(type="mediation", now=T0)
    casework.claim(staff, request.id, now=T0 + DAY)
    assert request.resolution_due == T0 + 16 * DAY
    assert deadlines.next_due(request) == ("first_response", T0 + 2 * DAY)
    casework.reply(staff, request.id, "已受理，约定周五调解", now=T0 + DAY)
    assert deadlines.next_due(request) == ("resolution", T0 + 16 * DAY)


def test_nothing_is_overdue_before_its_time(tree):
    make_request(type="consultation", now=T0)
    assert sweep(T0 + DAY - timedelta(seconds=1)) == {"overdue": 0, "escalated": 0, "limitation": 0}


def test_a_missed_first_response_is_marked_alerted_and_audited(tree):
    staff = on_wechat(make_staff(tree["courier"]), "o-staff-li")
    request = make_request(type="wage_arrears", now=T0)
    casework.claim(staff, request.id, now=T0 + timedelta(hours=1))  # claimed, but no word to the worker
    db.session.commit()
    assert sweep(T0 + DAY + timedelta(minutes=1))["overdue"] == 1
    assert request.overdue and request.overdue_kind == "first_response"
    [alert] = alerts("o-staff-li")
    assert alert.payload["template"] == "staff_alert" and request.number in alert.payload["text"]
    assert alert.payload["url"].endswith(f"/console/request.html?id={request.id}")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "request.overdue")).actor == "system"
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.kind == "overdue"))
    assert event.public is False
    assert sweep(T0 + 2 * DAY)["overdue"] == 0  # marked once
    assert len(alerts("o-staff-li")) == 1


def test_unassigned_overdue_requests_alert_the_chairs(tree):
    on_wechat(make_staff(tree["courier"], role="chair"), "o-chair")
    on_wechat(make_staff(tree["courier"]), "o-caseworker")
    make_request(type="consultation", now=T0)
    sweep(T0 + 2 * DAY)
    assert len(alerts("o-chair")) == 1 and alerts("o-caseworker") == []


def test_a_missed_resolution_target_is_overdue_too(tree):
    staff = make_staff(tree["courier"])
    request = make_request(type="consultation", now=T0)
    casework.reply(staff, request.id, "您好，这种情况可以……", now=T0 + timedelta(hours=2))
    db.session.commit()
    assert sweep(T0 + 2 * DAY)["overdue"] == 0
    assert sweep(T0 + 3 * DAY + timedelta(seconds=1))["overdue"] == 1
    assert request.overdue_kind == "resolution"


def test_waiting_for_the_worker_is_not_overdue(tree):
    staff = make_staff(tree["courier"])
    request = make_request(type="consultation", now=T0)
    casework.ask_info(staff, request.id, "请提供合同", now=T0 + timedelta(hours=1))
    db.session.commit()
    assert sweep(T0 + 10 * DAY)["overdue"] == 0 and not request.overdue


def test_resolved_requests_are_left_alone(tree):
    staff = make_staff(tree["courier"])
    request = make_request(type="consultation", now=T0)
    casework.resolve(staff, request.id, {"result": "resolved", "summary": "已答复"}, now=T0 + timedelta(hours=3))
    db.session.commit()
    assert sweep(T0 + 30 * DAY) == {"overdue": 0, "escalated": 0, "limitation": 0}


def test_escalation_after_the_grace_period_goes_up_once(tree):
    on_wechat(make_staff(tree["changan"], role="chair"), "o-county")
    request = make_request(type="consultation", now=T0)
    sweep(T0 + 2 * DAY)  # overdue since day 2
    assert sweep(T0 + 5 * DAY - timedelta(seconds=1))["escalated"] == 0
    assert sweep(T0 + 5 * DAY)["escalated"] == 1
    assert request.federation_id == tree["changan"].id and request.incoming and request.escalated
    assert request.first_response_due == T0 + DAY  # the clock is not restarted
    assert [a.payload["template"] for a in alerts("o-county")] == ["staff_alert"]
    worker_texts = [m.payload["text"] for m in alerts(request.worker.openid)]
    assert any("上报石家庄市长安区总工会" in text for text in worker_texts)
    assert sweep(T0 + 20 * DAY)["escalated"] == 0  # not again from the county union
    assert request.federation_id == tree["changan"].id


def test_escalation_at_the_top_is_recorded_not_retried(tree):
    top = make_upper("河北省总工会", level="province", region="130000")
    request = make_request(type="consultation", now=T0)
    request.federation_id = top.id
    db.session.commit()
    sweep(T0 + 2 * DAY)
    assert sweep(T0 + 6 * DAY)["escalated"] == 0
    assert request.escalated and request.federation_id == top.id
    assert db.session.scalar(select(RequestEvent).where(RequestEvent.kind == "escalate_failed"))


def test_claims_near_the_arbitration_limitation_are_flagged(tree):
    staff = on_wechat(make_staff(tree["courier"]), "o-lim")
    far = make_request(type="wage_arrears", now=T0, learned_on="2026-03-01")  # limit 2027-03-01
    near_at_submit = make_request(type="mediation", now=T0, learned_on="2025-07-15")  # limit 2026-07-15
    casework.claim(staff, far.id, now=T0)
    db.session.commit()
    assert near_at_submit.limitation_warning is True and far.limitation_warning is False
    assert sweep(datetime(2026, 12, 30, 2))["limitation"] == 0  # 61 days before the limit
    assert sweep(datetime(2026, 12, 31, 2))["limitation"] == 1  # 60 days before
    assert far.limitation_warning
    body = db.session.scalar(select(RequestEvent.body).where(RequestEvent.kind == "limitation"))
    assert "2027-03-01" in body
    assert any("仲裁时效" in a.payload["text"] for a in alerts("o-lim"))


@pytest.mark.parametrize("learned, today, near", [
    (date(2024, 2, 29), date(2024, 12, 30), True),  # limit 2025-02-28
    (date(2024, 2, 29), date(2024, 12, 29), False),
    (date(2025, 1, 1), date(2025, 11, 2), True),
    (date(2025, 1, 1), date(2025, 11, 1), False),
    (None, date(2025, 1, 1), False),
])
def test_limitation_arithmetic(learned, today, near):
    assert deadlines.limitation_near(learned, today) is near


def test_cli_sweep(runner, tree):
    make_request(type="consultation", now=T0)
    result = runner.invoke(args=["requests", "sweep", "--now", "2026-06-03T02:00:00"])
    assert result.exit_code == 0, result.output
    assert "overdue=1" in result.output
    assert db.session.scalar(select(HelpRequest.overdue))


def test_the_worker_process_runs_the_sweeper():
    from service import jobs

    names = {job.name: job.every for job in jobs.JOBS}
    assert names["requests-sweep"] == 60 and names["fetch-attachments"] == 5
