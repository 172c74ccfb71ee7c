"""Transfers and escalation (DESIGN §3.5): every hop kept, the receiver sees it as incoming,
the assignee is cleared, the deadline rule is stated, and what is refused."""
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import utcnow
from models.membership import Application
from models.outbox import OutboxMessage
from models.request import HelpRequest, RequestEvent, Transfer
from models.worker import Worker
from service.routing import transfers
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from tests.conftest import login
from tests.factories import make_federation, make_staff, make_upper

_n = itertools.count(1)


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    return {
        "city": city, "changan": changan, "yuhua": yuhua,
        "courier": make_federation("石家庄市长安区快递行业工会联合会", parent=changan),
        "post": make_federation("石家庄市长安区邮政行业工会联合会", parent=changan, industry="G60"),
        "trucks": make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543", parent=yuhua),
        "preparing": make_federation("石家庄市长安区家政服务行业工会联合会", parent=changan, industry="O8010",
                                     status="preparing"),
    }


def new_request(federation, status="in_progress", **kw) -> HelpRequest:
    n = next(_n)
    worker = Worker(openid=f"o-t{n}")
    db.session.add(worker)
    db.session.flush()
    created = utcnow() - timedelta(days=3)
    request = HelpRequest(number=f"Q{n:05d}", worker_id=worker.id, federation_id=federation.id, type="mediation",
                          status=status, employer_name="某快递公司", region_code="130102", industry_code="G6020",
                          facts="被拖欠工资", wants="支付工资", created_at=created,
                          first_response_due=created + timedelta(days=1), resolution_due=created + timedelta(days=15),
                          **kw)
    db.session.add(request)
    db.session.commit()
    return request


def new_application(federation, status="pending") -> Application:
    n = next(_n)
    worker = Worker(openid=f"o-a{n}")
    db.session.add(worker)
    db.session.flush()
    submitted = utcnow() - timedelta(days=2)
    application = Application(worker_id=worker.id, federation_id=federation.id, status=status,
                              employment_form="platform", region_code="130102", industry_code="G6020",
                              consent_version="v1", consent_at=submitted, submitted_at=submitted,
                              due_at=submitted + timedelta(days=7))
    db.session.add(application)
    db.session.commit()
    return application


def test_every_hop_is_kept(tree):
    caseworker = make_staff(tree["courier"])
    request = new_request(tree["courier"], assignee_id=caseworker.id)
    transfers.transfer(request, to_federation_id=tree["post"].id, reason="属于邮政业务", staff=caseworker)
    transfers.transfer(request, to_federation_id=tree["trucks"].id, reason="工作地在裕华区")
    transfers.escalate(request, reason="涉及人数多，需上级协调")
    db.session.commit()
    hops = transfers.history("request", request.id)
    assert [(h.kind, h.from_federation_id, h.to_federation_id) for h in hops] == [
        ("transfer", tree["courier"].id, tree["post"].id),
        ("transfer", tree["post"].id, tree["trucks"].id),
        ("escalate", tree["trucks"].id, tree["yuhua"].id),
    ]
    assert [h.reason for h in hops] == ["属于邮政业务", "工作地在裕华区", "涉及人数多，需上级协调"]
    assert hops[0].actor_staff_id == caseworker.id and hops[1].actor_staff_id is None
    assert request.federation_id == tree["yuhua"].id and request.escalated is True


def test_the_receiver_sees_it_incoming_and_the_assignee_is_cleared(tree):
    caseworker = make_staff(tree["courier"])
    request = new_request(tree["courier"], assignee_id=caseworker.id)
    due = (request.first_response_due, request.resolution_due)
    transfers.transfer(request, to_federation_id=tree["post"].id, reason="属于邮政业务", staff=caseworker)
    db.session.commit()
    assert request.incoming is True and request.assignee_id is None
    assert (request.first_response_due, request.resolution_due) == due  # the clock does not restart
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.request_id == request.id))
    assert event.public and event.kind == "transfer"
    assert event.body == "您的诉求已转交石家庄市长安区邮政行业工会联合会办理。原因：属于邮政业务"
    assert event.data["deadline_rule"] == transfers.DEADLINE_RULE == "转办不重新计时：期限仍按最初受理时间计算"
    message = db.session.scalar(select(OutboxMessage))
    assert message.openid == request.worker.openid and request.number in message.payload["text"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "request.transfer"))
    assert audit.federation_id == tree["courier"].id and audit.detail["to"] == tree["post"].id
    assert [h.subject_id for h in transfers.incoming(tree["post"].id)] == [request.id]
    assert transfers.incoming(tree["courier"].id) == []
    request.incoming = False  # claimed by the receiving side
    db.session.commit()
    assert transfers.incoming(tree["post"].id) == []


def test_the_clock_may_restart(tree):
    request = new_request(tree["courier"], overdue=True)
    before = utcnow()
    transfers.transfer(request, to_federation_id=tree["post"].id, reason="分流错误", restart_clock=True)
    assert request.resolution_due >= before + timedelta(days=15) - timedelta(seconds=1)
    assert request.first_response_due >= before + timedelta(days=1) - timedelta(seconds=1)
    assert request.overdue is False
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.request_id == request.id))
    assert event.data["deadline_rule"] == transfers.DEADLINE_RULE_RESTARTED


def test_an_application_moves_with_its_history(tree):
    application = new_application(tree["courier"])
    due = application.due_at
    transfers.transfer(application, to_federation_id=tree["trucks"].id, reason="工作地在裕华区")
    db.session.commit()
    assert application.federation_id == tree["trucks"].id and application.source == "transfer"
    assert application.due_at == due
    assert [h.subject_type for h in transfers.incoming(tree["trucks"].id)] == ["application"]
    assert transfers.history("application", application.id)[0].to_federation_id == tree["trucks"].id
    assert db.session.scalar(select(OutboxMessage)) is None


@pytest.mark.parametrize("status", ["resolved", "closed", "withdrawn"])
def test_a_finished_request_is_not_transferred(tree, status):
    request = new_request(tree["courier"], status=status)
    with pytest.raises(Conflict) as caught:
        transfers.transfer(request, to_federation_id=tree["post"].id, reason="x")
    assert caught.value.message == "该诉求已办结或已撤回，不能转办"


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_a_decided_application_is_not_transferred(tree, status):
    application = new_application(tree["courier"], status=status)
    with pytest.raises(Conflict):
        transfers.transfer(application, to_federation_id=tree["post"].id, reason="x")


def test_refused_targets_and_reasons(tree):
    request = new_request(tree["courier"])
    with pytest.raises(Invalid) as caught:
        transfers.transfer(request, to_federation_id=tree["post"].id, reason="  ")
    assert caught.value.fields == {"reason": "请填写转办原因"}
    with pytest.raises(Invalid):
        transfers.transfer(request, to_federation_id=tree["post"].id, reason="长" * 501)
    with pytest.raises(Conflict) as caught:
        transfers.transfer(request, to_federation_id=tree["courier"].id, reason="x")
    assert caught.value.message == "已经在该单位的收件箱中"
    with pytest.raises(Conflict) as caught:
        transfers.transfer(request, to_federation_id=tree["preparing"].id, reason="x")
    assert caught.value.message == "石家庄市长安区家政服务行业工会联合会当前不在运行状态，不能接收转办"
    with pytest.raises(NotFound):
        transfers.transfer(request, to_federation_id=999999, reason="x")
    db.session.rollback()
    assert transfers.history("request", request.id) == []


def test_escalation_stops_at_the_top(tree):
    request = new_request(tree["city"])
    with pytest.raises(Conflict) as caught:
        transfers.escalate(request, reason="x")
    assert caught.value.message == "已是最上级工会，无法再上报"


def test_staff_act_only_on_what_they_see(tree):
    request = new_request(tree["courier"])
    outsider = make_staff(tree["trucks"])
    with pytest.raises(NotFound):
        transfers.transfer(request, to_federation_id=tree["trucks"].id, reason="x", staff=outsider)
    assert db.session.scalar(select(Transfer)) is None


def test_history_over_http_is_scoped(client, tree):
    request = new_request(tree["courier"])
    transfers.transfer(request, to_federation_id=tree["post"].id, reason="属于邮政业务")
    db.session.commit()
    login(client, make_staff(tree["changan"]))
    body = client.get(f"/api/transfers?subject_type=request&subject_id={request.id}").get_json()
    assert [(h["from_federation_name"], h["to_federation_name"], h["reason"]) for h in body] == [
        ("石家庄市长安区快递行业工会联合会", "石家庄市长安区邮政行业工会联合会", "属于邮政业务")]
    client.post("/api/auth/logout")
    login(client, make_staff(tree["courier"]))  # it has left the courier federation's inbox
    assert client.get(f"/api/transfers?subject_type=request&subject_id={request.id}").status_code == 404
    assert client.get("/api/transfers?subject_type=request&subject_id=99999").status_code == 404
    bad = client.get("/api/transfers?subject_type=contest&subject_id=1")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"subject_type": "类型应为 request（诉求）或 application（入会申请）"}


def test_history_needs_a_login(client, tree):
    assert client.get("/api/transfers?subject_type=request&subject_id=1").status_code == 401


