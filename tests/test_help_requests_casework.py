"""Staff actions on a request: claim, assign, bulk assign, reply, note, ask for information,
outcomes, reopen, close, transfer and escalate — each audited, each public line sent to the worker."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.request import HelpRequest, RequestEvent, Transfer
from service.help_requests import casework
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from tests.conftest import login
from tests.factories import cover, make_federation, make_request, make_staff, make_upper  # noqa: F401


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    trucks = cover(make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543",
                                   parent=yuhua), "130108", "G543")
    return {"city": city, "changan": changan, "yuhua": yuhua, "courier": courier, "trucks": trucks}


def outbox(openid="o-case"):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid)
                              .order_by(OutboxMessage.id)).all()


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


@pytest.fixture
def request_(tree):
    from tests.factories import make_worker

    return make_request(make_worker("o-case"), type="mediation")


def test_claim_accepts_starts_the_mediation_clock_and_tells_the_worker(tree, request_):
    staff = make_staff(tree["courier"], display_name="李办事员")
    casework.claim(staff, request_.id)
    db.session.commit()
    assert request_.status == "in_progress" and request_.assignee_id == staff.id
    assert request_.resolution_due - request_.accepted_at == timedelta(days=15)
    assert "已受理" in outbox()[-1].payload["text"]
    assert audited("request.claim")[0].actor_staff_id == staff.id
    with pytest.raises(Conflict):
        casework.claim(staff, request_.id)


def test_assign_needs_a_manager_and_an_assignee_who_can_see_it(tree, request_):
    chair = make_staff(tree["courier"], role="chair")
    caseworker = make_staff(tree["courier"])
    elsewhere = make_staff(tree["trucks"])
    with pytest.raises(Forbidden):
        casework.assign(caseworker, request_.id, chair.id)
    with pytest.raises(Invalid):
        casework.assign(chair, request_.id, elsewhere.id)
    casework.assign(chair, request_.id, caseworker.id)
    db.session.commit()
    assert request_.assignee_id == caseworker.id and request_.status == "in_progress"
    assert audited("request.assign")[0].detail["to"] == caseworker.id


def test_an_upper_union_can_assign_to_its_own_staff_but_not_to_a_sibling_branch(tree, request_):
    city_chair = make_staff(tree["city"], role="chair")
    county_worker = make_staff(tree["changan"])
    sibling = make_staff(tree["yuhua"])
    casework.assign(city_chair, request_.id, county_worker.id)
    with pytest.raises(Invalid):
        casework.assign(city_chair, request_.id, sibling.id)


def test_bulk_assign_is_all_or_nothing(tree):
    chair = make_staff(tree["courier"], role="chair")
    caseworker = make_staff(tree["courier"])
    mine = [make_request(type="consultation").id for _ in range(3)]
    foreign = make_request(type="consultation", region="130108", industry="G5431").id
    with pytest.raises(NotFound):
        casework.bulk_assign(chair, mine + [foreign], caseworker.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HelpRequest).where(HelpRequest.assignee_id.is_not(None))) == 0
    assert casework.bulk_assign(chair, mine, caseworker.id) == 3
    db.session.commit()
    assert {r.assignee_id for r in db.session.scalars(select(HelpRequest).where(HelpRequest.id.in_(mine)))} == {caseworker.id}
    with pytest.raises(Invalid):
        casework.bulk_assign(chair, [], caseworker.id)


def test_reply_is_public_meets_the_first_response_target_and_queues_a_message(tree, request_):
    staff = make_staff(tree["courier"])
    casework.reply(staff, request_.id, "您好，请于周三上午到工会服务站面谈。")
    db.session.commit()
    assert request_.first_responded_at is not None and request_.status == "in_progress"
    messages = outbox()
    assert "周三上午" in messages[-1].payload["text"]
    assert messages[-1].dedup_key.startswith(f"request:{request_.id}:event:")
    assert not any("已受理您的诉求，正在办理" in m.payload["text"] for m in messages)  # one message, not two


def test_note_is_internal_and_sends_nothing(tree, request_):
    staff = make_staff(tree["courier"])
    before = len(outbox())
    casework.note(staff, request_.id, "用人单位负责人电话已核实")
    db.session.commit()
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.kind == "note"))
    assert event.public is False and len(outbox()) == before
    assert audited("request.note")


@pytest.mark.parametrize("outcome, text", [
    ({"result": "agreement", "amount": "12000", "pay_by": (date.today() + timedelta(days=10)).isoformat()}, "12000.00元"),
    ({"result": "no_agreement", "summary": "双方分歧较大"}, "申请仲裁"),
    ({"result": "referred", "referred_to": "长安区劳动人事争议仲裁委员会"}, "移送长安区劳动人事争议仲裁委员会"),
])
def test_mediation_outcomes(tree, request_, outcome, text):
    staff = make_staff(tree["courier"])
    casework.resolve(staff, request_.id, outcome)
    db.session.commit()
    assert request_.status == "resolved" and request_.outcome["result"] == outcome["result"]
    assert text in outbox()[-1].payload["text"]
    # outside WeChat's window only the template card arrives: its status names the outcome
    status = dict(outbox()[-1].payload["fields"])["status"]
    assert status.startswith("已办结（") and len(status) <= 20


@pytest.mark.parametrize("kind, outcome, field", [
    ("mediation", {"result": "agreement", "amount": "1000"}, "pay_by"),
    ("mediation", {"result": "agreement", "amount": "-1", "pay_by": "2999-01-01"}, "amount"),
    ("mediation", {"result": "granted"}, "result"),
    ("legal_aid", {"result": "granted", "aid_form": "magic"}, "aid_form"),
    ("legal_aid", {"result": "refused"}, "reason"),
    ("wage_arrears", {"result": "resolved"}, "summary"),
    ("wage_arrears", {"result": "agreement"}, "result"),
    ("consultation", {"result": "referred"}, "referred_to"),
])
def test_outcomes_are_checked_per_type(tree, kind, outcome, field):
    staff = make_staff(tree["courier"])
    request = make_request(type=kind)
    with pytest.raises(Invalid) as error:
        casework.resolve(staff, request.id, outcome)
    assert field in error.value.fields


def test_legal_aid_granted_and_refused(tree):
    staff = make_staff(tree["courier"])
    granted = make_request(type="legal_aid")
    casework.resolve(staff, granted.id, {"result": "granted", "aid_form": "representation"})
    refused = make_request(type="legal_aid")
    casework.resolve(staff, refused.id, {"result": "refused", "reason": "不属于法律援助范围"})
    db.session.commit()
    assert granted.outcome == {"result": "granted", "summary": None, "aid_form": "representation"}
    assert refused.outcome["reason"] == "不属于法律援助范围"


def test_reopen_is_for_managers_and_close_ends_it(tree, request_):
    chair = make_staff(tree["courier"], role="chair")
    caseworker = make_staff(tree["courier"])
    casework.resolve(caseworker, request_.id, {"result": "no_agreement"})
    with pytest.raises(Forbidden):
        casework.reopen(caseworker, request_.id, "职工申请复核")
    casework.reopen(chair, request_.id, "职工申请复核")
    assert request_.status == "in_progress" and request_.resolved_at is None
    casework.resolve(caseworker, request_.id, {"result": "no_agreement"})
    casework.close(caseworker, request_.id)
    db.session.commit()
    assert request_.status == "closed" and request_.closed_at
    with pytest.raises(Conflict):
        casework.reply(caseworker, request_.id, "还有一事")


def test_transfer_moves_the_request_keeps_deadlines_and_clears_the_assignee(tree, request_):
    staff = make_staff(tree["courier"])
    receiver = make_staff(tree["trucks"])
    casework.claim(staff, request_.id)
    due = request_.resolution_due
    casework.transfer(staff, request_.id, tree["trucks"].id, "实际为货运司机，属裕华区货车司机联合会")
    db.session.commit()
    assert request_.federation_id == tree["trucks"].id and request_.assignee_id is None and request_.incoming
    assert request_.resolution_due == due
    with pytest.raises(NotFound):
        casework.get_request(staff, request_.id)  # gone from the sender's scope
    casework.claim(receiver, request_.id)
    db.session.commit()
    assert request_.incoming is False
    hop = db.session.scalar(select(Transfer))
    assert (hop.from_federation_id, hop.to_federation_id, hop.kind) == (tree["courier"].id, tree["trucks"].id, "transfer")
    assert "转交石家庄市裕华区货车司机行业工会联合会" in " ".join(m.payload["text"] for m in outbox())


def test_transfer_needs_a_reason_and_an_active_target(tree, request_):
    staff = make_staff(tree["courier"])
    with pytest.raises(Invalid):
        casework.transfer(staff, request_.id, tree["trucks"].id, " ")
    with pytest.raises(NotFound):
        casework.transfer(staff, request_.id, 99999, "原因")
    with pytest.raises(Conflict):
        casework.transfer(staff, request_.id, tree["courier"].id, "原因")


def test_escalate_goes_to_the_upper_union_and_stops_at_the_top(tree, request_):
    staff = make_staff(tree["courier"])
    casework.escalate(staff, request_.id, "涉及人数多，需上级协调")
    db.session.commit()
    assert request_.federation_id == tree["changan"].id and request_.escalated and request_.incoming
    county = make_staff(tree["changan"])
    casework.escalate(county, request_.id, "需市总协调")
    city = make_staff(tree["city"])
    with pytest.raises(Conflict):
        casework.escalate(city, request_.id, "再上报")
    assert [t.kind for t in db.session.scalars(select(Transfer))] == ["escalate", "escalate"]


def test_canned_replies_per_federation(client, tree):
    chair = make_staff(tree["courier"], role="chair")
    caseworker = make_staff(tree["courier"])
    outsider = make_staff(tree["trucks"], role="chair")
    login(client, chair)
    created = client.post("/api/canned-replies", json={"title": "受理告知", "body": "您的诉求已受理。"})
    assert created.status_code == 201, created.get_json()
    reply_id = created.get_json()["id"]
    assert client.post("/api/canned-replies", json={"title": "受理告知", "body": "重复"}).status_code == 409
    assert client.put(f"/api/canned-replies/{reply_id}", json={"title": "受理告知", "body": "已受理，请耐心等待。"}).status_code == 200
    login(client, caseworker)
    assert [r["body"] for r in client.get("/api/canned-replies").get_json()] == ["已受理，请耐心等待。"]
    assert client.delete(f"/api/canned-replies/{reply_id}").status_code == 403
    login(client, outsider)
    assert client.get("/api/canned-replies").get_json() == []
    assert client.put(f"/api/canned-replies/{reply_id}", json={"title": "x", "body": "y"}).status_code == 404
    assert client.get("/api/canned-replies", query_string={"federation_id": tree["courier"].id}).status_code == 404
    login(client, chair)
    assert client.delete(f"/api/canned-replies/{reply_id}").status_code == 204
    assert [a.action for a in db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("canned_reply.%")))] == [
        "canned_reply.create", "canned_reply.update", "canned_reply.delete"]


def test_detail_shows_staff_everything_and_is_audited(client, tree, request_):
    from models.membership import Membership
    from models.base import utcnow

    staff = make_staff(tree["courier"])
    db.session.add(Membership(worker_id=request_.worker_id, federation_id=tree["courier"].id, member_no="M0001",
                              status="active", live_key=request_.worker_id, joined_at=utcnow()))
    request_.worker.id_masked = "130***********123X"
    db.session.commit()
    casework.note(staff, request_.id, "内部备注")
    db.session.commit()
    body = login(client, staff).get(f"/api/inbox/requests/{request_.id}").get_json()
    assert body["worker"]["id_masked"] == "130***********123X"
    assert body["worker"]["membership"]["status_label"] == "会员"
    assert body["worker"]["membership"]["federation_name"] == "石家庄市长安区快递行业工会联合会"
    assert {"label": "法定代表人", "key": "legal_representative", "value": "王经理"} in body["details"]
    assert "受理" in body["routing"]["explanation"]
    assert any(e["kind"] == "note" and not e["public"] for e in body["timeline"])
    assert body["deadlines"]["basis"].startswith("《劳动争议调解仲裁法》")
    assert "claim" in body["actions"]
    assert audited("request.view")
