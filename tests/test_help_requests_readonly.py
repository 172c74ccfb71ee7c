"""Casework views: 认领 disappears once claimed; after 上报 the caseworker keeps a read-only view
(我参与的) and the status reads 待上级受理; the worker's notice carries the reason."""
import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from service.extensions import db
from tests.conftest import login
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker


@pytest.fixture
def case():
    county = make_upper("石家庄市长安区总工会", region="130102")
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=county), "130102", "G602")
    request = make_request(make_worker("o-ro"))
    return {"request": request, "staff": make_staff(courier, username="kd"), "county": county,
            "other": make_staff(courier, username="kd2")}


def test_claim_is_offered_until_i_claim_it(client, case):
    rid = case["request"].id
    login(client, case["staff"])
    assert "claim" in client.get(f"/api/inbox/requests/{rid}").get_json()["actions"]
    client.post(f"/api/inbox/requests/{rid}/claim")
    detail = client.get(f"/api/inbox/requests/{rid}").get_json()
    assert "claim" not in detail["actions"] and "resolve" in detail["actions"]


def test_after_escalation_a_read_only_view_and_the_status_waits_for_the_upper_union(client, case):
    rid = case["request"].id
    login(client, case["staff"])
    client.post(f"/api/inbox/requests/{rid}/claim")
    answer = client.post(f"/api/inbox/requests/{rid}/escalate", json={"reason": "涉及人数多，需上级协调"})
    assert answer.status_code == 200
    detail = client.get(f"/api/inbox/requests/{rid}").get_json()
    assert detail["read_only"] is True and detail["actions"] == []
    assert detail["moved_to"] == "石家庄市长安区总工会" and detail["status_label"] == "待上级受理"
    assert client.get(f"/api/inbox/requests/{rid}/updates").status_code == 200
    assert client.post(f"/api/inbox/requests/{rid}/reply", json={"body": "x"}).status_code == 404
    [row] = client.get("/api/inbox?view=involved").get_json()["items"]
    assert row["id"] == rid and row["status_label"] == "待上级受理"
    assert client.get("/api/inbox?view=all").get_json()["items"] == []
    notice = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "原因：涉及人数多，需上级协调" in notice.payload["text"]


def test_a_colleague_who_never_acted_gets_a_404_after_it_moved(client, case):
    rid = case["request"].id
    login(client, case["staff"])
    client.post(f"/api/inbox/requests/{rid}/escalate", json={"reason": "需上级协调"})
    client.post("/api/auth/logout")
    login(client, case["other"])
    assert client.get(f"/api/inbox/requests/{rid}").status_code == 404
    assert client.get(f"/api/inbox/requests/{2 ** 63}").status_code == 404
