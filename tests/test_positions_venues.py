"""Service positions as places: a contest's venue and a mediation's meeting place. Staff pick
only open positions they can see (their subtree), every change is audited, and the worker's
pages and WeChat messages show the place with a link to its page."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import utcnow
from models.outbox import OutboxMessage
from service.contests import signups
from service.extensions import db
from tests.conftest import as_worker, login
from tests.factories import make_contest, make_position, make_staff, make_worker


def iso(dt):
    return dt.isoformat() + "Z"


def contest_body(**over):
    now = utcnow()
    data = {"title": "快递员职业技能竞赛", "venue": "二楼培训室", "capacity": 30, "members_only": False,
            "eligibility": {"scope": "any"}, "starts_at": iso(now + timedelta(days=20)),
            "registration_opens_at": iso(now - timedelta(hours=1)),
            "registration_closes_at": iso(now + timedelta(days=14))}
    data.update(over)
    return data


def audit_details(action: str) -> list[dict]:
    return [e.detail for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                 .order_by(AuditEntry.id))]


# --- contests --------------------------------------------------------------------------------------
# where the position belongs → may a chair of the courier federation pick it?
OWNERS = {"courier": True, "trucks": False, "changan": False, "city": False}


@pytest.mark.parametrize("owner, allowed", OWNERS.items())
def test_a_contest_venue_is_a_position_the_staff_member_can_see(client, tree, owner, allowed):
    position = make_position(tree[owner], name="甲驿站")
    login(client, make_staff(tree["courier"], role="chair"))
    response = client.post("/api/staff/contests", json=contest_body(venue_position_id=position.id))
    if allowed:
        assert response.status_code == 201, response.get_json()
        out = response.get_json()
        assert out["venue_position_id"] == position.id and out["venue"] == "二楼培训室"
        assert out["venue_position"]["name"] == "甲驿站"
        assert out["venue_position"]["url"] == f"http://gonglian.test/h5/position.html?id={position.id}"
        assert audit_details("contest.create")[-1]["venue_position_id"] == position.id
    else:  # the same answer as for an id that does not exist
        assert response.status_code == 422
        assert "venue_position_id" in response.get_json()["error"]["fields"]


def test_an_upper_union_picks_any_position_beneath_it(client, tree):
    position = make_position(tree["courier"], name="甲驿站")
    login(client, make_staff(tree["city"], role="admin"))
    response = client.post("/api/staff/contests", json=contest_body(venue_position_id=position.id,
                                                                      federation_id=tree["changan"].id))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("value", [0, -1, 2**31, 99999, "1", True, 1.5])
def test_bad_venue_positions_are_a_4xx_in_chinese(client, tree, value):
    login(client, make_staff(tree["courier"], role="chair"))
    response = client.post("/api/staff/contests", json=contest_body(venue_position_id=value))
    assert response.status_code == 422, response.get_json()
    message = response.get_json()["error"]["fields"]["venue_position_id"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(message))


def test_a_suspended_or_closed_position_cannot_be_picked_but_stays_once_picked(client, tree):
    chosen = make_position(tree["courier"], name="甲驿站")
    suspended = make_position(tree["courier"], name="乙驿站", status="suspended")
    closed = make_position(tree["courier"], name="丙驿站", status="closed")
    contest = make_contest(tree["courier"], status="draft", venue_position_id=chosen.id)
    login(client, make_staff(tree["courier"], role="chair"))
    for other in (suspended, closed):
        refused = client.patch(f"/api/staff/contests/{contest.id}", json={"venue_position_id": other.id})
        assert refused.status_code == 422, refused.get_json()
    chosen.status, chosen.status_note = "suspended", "维修"
    db.session.commit()
    kept = client.patch(f"/api/staff/contests/{contest.id}", json={"venue_position_id": chosen.id, "title": "新名称"})
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["venue_position"]["status_label"] == "暂停开放"
    cleared = client.patch(f"/api/staff/contests/{contest.id}", json={"venue_position_id": None})
    assert cleared.status_code == 200 and cleared.get_json()["venue_position"] is None
    assert audit_details("contest.update")[-1] == {"fields": ["venue_position_id"], "venue_position_id": None}


def test_changing_the_venue_position_is_audited_and_shown_at_once(client, tree):
    first = make_position(tree["courier"], name="甲驿站")
    second = make_position(tree["courier"], name="乙驿站")
    contest = make_contest(tree["courier"], status="draft", venue_position_id=first.id)
    login(client, make_staff(tree["courier"], role="chair"))
    out = client.patch(f"/api/staff/contests/{contest.id}", json={"venue_position_id": second.id}).get_json()
    assert out["venue_position"]["name"] == "乙驿站"
    assert audit_details("contest.update")[-1] == {"fields": ["venue_position_id"], "venue_position_id": second.id}


def test_workers_see_the_venue_with_its_link_and_get_it_in_their_messages(client, tree):
    position = make_position(tree["courier"], name="甲驿站", address="中山东路1号")
    contest = make_contest(tree["courier"], venue="二楼培训室", venue_position_id=position.id)
    worker = make_worker("o-venue")
    as_worker(client, "o-venue")
    listed = client.get("/api/contests").get_json()
    assert listed[0]["venue_position"]["url"] == f"http://gonglian.test/h5/position.html?id={position.id}"
    detail = client.get(f"/api/contests/{contest.id}").get_json()
    assert (detail["venue"], detail["venue_position"]["name"]) == ("二楼培训室", "甲驿站")
    signups.sign_up(contest.id, worker, name="张三", phone="13900000000")
    db.session.commit()
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-venue")).one().payload
    assert "地点：甲驿站（中山东路1号） 二楼培训室。" in sent["text"]
    assert f'<a href="http://gonglian.test/h5/position.html?id={position.id}">' in sent["text"]
    assert dict(sent["fields"])["thing4"] == "甲驿站"


def test_a_contest_without_a_position_reads_as_before(client, tree):
    contest = make_contest(tree["courier"], venue="")
    worker = make_worker("o-novenue")
    as_worker(client, "o-novenue")
    assert client.get(f"/api/contests/{contest.id}").get_json()["venue_position"] is None
    signups.sign_up(contest.id, worker, name="张三", phone="13900000000")
    db.session.commit()
    text = db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-novenue")).one().payload["text"]
    assert "地点：另行通知。" in text and "position.html" not in text


# --- a mediation's meeting place -------------------------------------------------------------------
@pytest.fixture
def mediation(tree):
    from service.help_requests import casework
    from tests.factories import cover, make_request

    cover(tree["courier"], "130102", "G602")
    cover(tree["trucks"], "130108", "G543")
    request = make_request(make_worker("o-mediation"), type="mediation")
    assert request.federation_id == tree["courier"].id
    casework.claim(make_staff(tree["courier"], display_name="李调解员"), request.id)
    db.session.commit()
    return request


def worker_messages(openid="o-mediation") -> list[str]:
    return [m.payload["text"] for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.openid == openid).order_by(OutboxMessage.id))]


@pytest.mark.parametrize("owner, allowed", OWNERS.items())
def test_staff_set_a_meeting_place_they_can_see_and_the_worker_is_told(client, tree, mediation, owner, allowed):
    position = make_position(tree[owner], name="长安区职工法律援助工作站", address="长安区建设北大街8号")
    login(client, make_staff(tree["courier"]))
    url = f"/api/inbox/requests/{mediation.id}/meeting"
    response = client.post(url, json={"position_id": position.id, "note": "12月8日下午3点，二楼调解室"})
    if not allowed:
        assert response.status_code == 422 and "position_id" in response.get_json()["error"]["fields"]
        assert client.get(f"/api/inbox/requests/{mediation.id}").get_json()["meeting"] is None
        return
    assert response.status_code == 200, response.get_json()
    detail = client.get(f"/api/inbox/requests/{mediation.id}").get_json()
    assert detail["meeting"]["position"]["name"] == "长安区职工法律援助工作站"
    assert detail["meeting"]["note"] == "12月8日下午3点，二楼调解室"
    assert "meeting" in detail["actions"]
    assert detail["timeline"][-1]["body"] == ("调解地点：长安区职工法律援助工作站（长安区建设北大街8号） "
                                              "12月8日下午3点，二楼调解室")
    text = worker_messages()[-1]
    assert text.startswith("【劳动争议调解诉求 ") and "调解地点：长安区职工法律援助工作站（长安区建设北大街8号）" in text
    assert f'<a href="http://gonglian.test/h5/position.html?id={position.id}">查看地点和导航</a>' in text
    assert audit_details("request.meeting") == [{"position_id": position.id, "previous": None, "note": True}]
    as_worker(client, "o-mediation")
    mine = client.get(f"/api/requests/{mediation.id}").get_json()
    assert mine["meeting"]["position"]["url"] == f"http://gonglian.test/h5/position.html?id={position.id}"
    assert mine["events"][-1]["body"].startswith("调解地点：长安区职工法律援助工作站")


def test_clearing_and_a_note_alone(client, tree, mediation):
    position = make_position(tree["courier"], name="甲驿站")
    login(client, make_staff(tree["courier"]))
    url = f"/api/inbox/requests/{mediation.id}/meeting"
    assert client.post(url, json={"position_id": position.id}).status_code == 200
    assert client.post(url, json={"position_id": position.id}).status_code == 200  # unchanged: nothing sent
    assert len(audit_details("request.meeting")) == 1
    note_only = client.post(url, json={"position_id": None, "note": "长安区人民调解委员会（和平路5号）"})
    assert note_only.status_code == 200
    meeting = client.get(f"/api/inbox/requests/{mediation.id}").get_json()["meeting"]
    assert meeting == {"position": None, "note": "长安区人民调解委员会（和平路5号）", "text": "长安区人民调解委员会（和平路5号）"}
    assert client.post(url, json={"position_id": None, "note": "  "}).status_code == 200
    assert client.get(f"/api/inbox/requests/{mediation.id}").get_json()["meeting"] is None
    assert worker_messages()[-1].endswith("调解地点已取消，工会将另行通知。")
    assert [d["previous"] for d in audit_details("request.meeting")] == [None, position.id, None]


def test_only_accepted_open_mediations_get_a_meeting_place(client, tree):
    from service.help_requests import casework
    from tests.factories import cover, make_request

    cover(tree["courier"], "130102", "G602")
    position = make_position(tree["courier"])
    staff = make_staff(tree["courier"])
    login(client, staff)
    wages = make_request(make_worker("o-wages"), type="wage_arrears")
    new = make_request(make_worker("o-new"), type="mediation")
    for request, code in ((wages, "bad_type"), (new, "bad_transition")):
        response = client.post(f"/api/inbox/requests/{request.id}/meeting", json={"position_id": position.id})
        assert response.status_code == 409 and response.get_json()["error"]["code"] == code
    assert "meeting" not in client.get(f"/api/inbox/requests/{new.id}").get_json()["actions"]
    casework.claim(staff, new.id)
    casework.resolve(staff, new.id, {"result": "no_agreement", "summary": "未达成协议"})
    db.session.commit()
    done = client.post(f"/api/inbox/requests/{new.id}/meeting", json={"position_id": position.id})
    assert done.status_code == 409
    other = make_staff(tree["trucks"])  # cannot see the request at all
    login(client, other)
    assert client.post(f"/api/inbox/requests/{new.id}/meeting", json={"position_id": None}).status_code == 404


@pytest.mark.parametrize("body", [{"position_id": "甲"}, {"position_id": 0}, {"position_id": 2**40},
                                  {"note": "长" * 201}, {"position_id": None, "extra": 1}, {"note": "a\x00b"}])
def test_bad_meeting_input_is_a_4xx_in_chinese(client, tree, mediation, body):
    login(client, make_staff(tree["courier"]))
    response = client.post(f"/api/inbox/requests/{mediation.id}/meeting", json=body)
    assert 400 <= response.status_code < 500 and response.status_code != 404, response.get_json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.get_json()["error"]))
