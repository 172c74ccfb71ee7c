"""Duplicates and group cases: the employer's other open cases beside a request; merging a
duplicate; a group case (群体性欠薪) where one reply reaches every worker."""
import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from service.errors import Conflict
from service.extensions import db
from service.help_requests import casework, grouping
from tests.conftest import as_worker, login
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker


@pytest.fixture
def three():
    county = make_upper("石家庄市长安区总工会", region="130102")
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=county), "130102", "G602")
    staff = make_staff(courier, username="kd-group")
    requests = [make_request(make_worker(f"o-g{i}"), employer_name="石家庄 速达快递有限公司") for i in range(3)]
    other = make_request(make_worker("o-other"), employer_name="另一家公司")
    return {"staff": staff, "requests": requests, "other": other}


def test_staff_see_the_employers_other_open_cases(client, three):
    first, second, third = three["requests"]
    login(client, three["staff"])
    detail = client.get(f"/api/inbox/requests/{first.id}").get_json()
    assert [r["number"] for r in detail["same_employer"]] == [second.number, third.number]
    assert "merge" in detail["actions"]


def test_a_group_case_one_reply_reaches_every_worker(client, three):
    first, second, third = three["requests"]
    login(client, three["staff"])
    for request in (second, third):
        assert client.post(f"/api/inbox/requests/{request.id}/merge", json={"into_id": first.id}).status_code == 200
    detail = client.get(f"/api/inbox/requests/{first.id}").get_json()
    assert detail["group_label"] == "群体性欠薪" and [m["number"] for m in detail["group"]] == [second.number, third.number]
    assert detail["same_employer"] == []
    client.post(f"/api/inbox/requests/{first.id}/reply", json={"body": "明天上午一起到站点协商"})
    told = {m.openid for m in db.session.scalars(select(OutboxMessage)) if "明天上午一起到站点协商" in m.payload["text"]}
    assert told == {"o-g0", "o-g1", "o-g2"}
    merged = client.get(f"/api/inbox/requests/{second.id}").get_json()
    assert merged["merged_into"] == first.number and merged["merged_into_id"] == first.id  # the console links it
    page = as_worker(client, "o-g1").get(f"/api/requests/{second.id}").get_json()
    assert page["merged_into"] == first.number and page["status"] == "closed"
    assert any("明天上午一起到站点协商" in e["body"] for e in page["events"])  # their page follows the group


def test_merging_refuses_what_does_not_fit(three):
    first, second, _ = three["requests"]
    staff = three["staff"]
    grouping.merge(staff, second.id, first.id)
    with pytest.raises(Conflict):
        grouping.merge(staff, first.id, second.id)  # second is closed now
    casework.resolve(staff, first.id, {"result": "withdrawn"})
    with pytest.raises(Conflict):
        grouping.merge(staff, three["other"].id, first.id)
