"""The console's dead letters: undelivered messages with the reason in Chinese, the case they
belong to, a retry — and only for cases in the staff member's subtree."""
from sqlalchemy import select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from service.extensions import db
from service.wechat.outbox import queue_message
from tests.conftest import login
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker


def _tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    other = make_upper("石家庄市桥西区总工会", region="130104", parent=city)
    return courier, other


def _failed(request, status="undeliverable", error="43004: 用户未关注公众号"):
    message = queue_message(request.worker.openid, "您的诉求已受理", dedup_key=f"request:{request.id}:probe:{status}")
    message.status, message.last_error, message.attempts = status, error, 3
    db.session.commit()
    return message


def test_staff_see_why_which_case_and_can_retry(client):
    courier, _ = _tree()
    request = make_request(make_worker("o-dead"))
    message = _failed(request)
    staff = make_staff(courier)
    listed = login(client, staff).get("/api/outbox/dead-letters").get_json()
    mine = [row for row in listed if row["id"] == message.id]
    assert mine and mine[0]["reason"] == "职工已取消关注公众号"
    assert (mine[0]["subject_type"], mine[0]["subject_id"]) == ("request", request.id)
    response = client.post(f"/api/outbox/{message.id}/retry")
    assert response.status_code == 200 and response.get_json()["status"] == "pending"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).attempts == 0
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    again = client.post(f"/api/outbox/{message.id}/retry")
    assert again.status_code == 409


def test_another_federations_dead_letters_are_not_shown_nor_retried(client):
    courier, other = _tree()
    message = _failed(make_request(make_worker("o-dead-2")), status="failed", error="微信接口超时（结果未知）")
    outsider = make_staff(other)
    login(client, outsider)
    assert [row for row in client.get("/api/outbox/dead-letters").get_json() if row["id"] == message.id] == []
    assert client.post(f"/api/outbox/{message.id}/retry").status_code == 404
    assert client.post(f"/api/outbox/{2**31}/retry").status_code == 404
    assert client.post(f"/api/outbox/{2**63}/retry").status_code == 404
