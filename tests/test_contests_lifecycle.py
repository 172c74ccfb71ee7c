"""Contest lifecycle, editing rules, validation, staff permissions and scope, QR code, bot scene."""
import sys
import types
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import utcnow
from models.contest import Contest
from models.outbox import OutboxMessage
from service.contests import lifecycle as contests
from service.contests import signups
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from tests.conftest import login
from tests.factories import make_contest, make_federation, make_staff, make_upper, make_worker


@pytest.fixture
def tree():
    county = make_upper()
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    other = make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543")
    return {"county": county, "courier": courier, "other": other}


def iso(dt):
    return dt.isoformat() + "Z"


def payload(**over):
    now = utcnow()
    data = {
        "title": "快递员职业技能竞赛", "industry_code": "G6020", "description": "理论与实操", "venue": "长安区职工服务站",
        "starts_at": iso(now + timedelta(days=20)), "registration_opens_at": iso(now - timedelta(hours=1)),
        "registration_closes_at": iso(now + timedelta(days=14)), "cancel_cutoff_at": iso(now + timedelta(days=17)),
        "capacity": 30, "members_only": True, "eligibility": {"scope": "federation", "age_min": 18, "age_max": 55},
        "exclusions": "往届一等奖获得者不参加", "scoring_note": "理论30% + 实操70%",
        "questions": [{"label": "从业年限", "kind": "single", "options": ["1年以下", "1年以上"], "required": True},
                      {"label": "所在企业", "kind": "text", "required": False}],
    }
    data.update(over)
    return data


# --- create and validate ------------------------------------------------------------------------
def test_chair_creates_a_draft_with_questions_keyed(client, tree):
    login(client, make_staff(tree["courier"], role="chair"))
    response = client.post("/api/staff/contests", json=payload())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["trade"] == "快递服务" and body["scene"] == f"contest:{body['id']}"
    assert [q["key"] for q in body["questions"]] == ["q1", "q2"]
    assert body["eligibility"] == {"scope": "federation", "region_prefix": None, "industry_prefix": None,
                                   "age_min": 18, "age_max": 55}
    assert body["starts_at"].endswith("Z")
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "contest.create"))


def test_coverage_eligibility_takes_the_pickers_codes(client, tree):
    """The console's pickers send a region's code and an industry's; the rule keeps the prefixes
    coverage rules use (130100 → 1301, G6020 → G602) and says them by name."""
    login(client, make_staff(tree["courier"], role="chair"))
    response = client.post("/api/staff/contests", json=payload(
        eligibility={"scope": "coverage", "region_prefix": "130100", "industry_prefix": "G6020"}))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["eligibility"]["region_prefix"] == "1301" and body["eligibility"]["industry_prefix"] == "G602"
    assert body["scope_text"] == "河北省石家庄市快递服务相关工会联合会会员"
    missing = client.post("/api/staff/contests", json=payload(eligibility={"scope": "coverage", "region_prefix": ""}))
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"]["eligibility.region_prefix"] == "请选择覆盖的地区"


@pytest.mark.parametrize("over, field", [
    ({"industry_code": "Z999"}, "industry_code"),
    ({"title": "  "}, "title"),
    ({"registration_closes_at": iso(utcnow() - timedelta(days=1))}, "registration_closes_at"),
    ({"registration_closes_at": iso(utcnow() + timedelta(days=30))}, "registration_closes_at"),
    ({"cancel_cutoff_at": iso(utcnow() + timedelta(days=40))}, "cancel_cutoff_at"),
    ({"ends_at": iso(utcnow() + timedelta(days=1))}, "ends_at"),
    ({"eligibility": {"scope": "coverage", "region_prefix": "99"}}, "eligibility.region_prefix"),
    ({"eligibility": {"scope": "coverage", "region_prefix": "1301", "industry_prefix": "Q1"}},
     "eligibility.industry_prefix"),
    ({"eligibility": {"age_min": 50, "age_max": 20}}, "eligibility.age_max"),
    ({"eligibility": {"age_min": 5}}, "eligibility.age_min"),
    ({"questions": [{"label": "工种", "kind": "single", "options": ["只有一个"]}]}, "questions.1"),
    ({"questions": [{"label": "工种", "kind": "text", "options": ["a", "b"]}]}, "questions.1"),
    ({"questions": [{"label": "工种", "kind": "single", "options": ["a", "a"]}]}, "questions.1"),
    ({"questions": [{"key": "x", "label": "a"}, {"key": "x", "label": "b"}]}, "questions.2"),
])
def test_contest_fields_are_validated(client, tree, over, field):
    login(client, make_staff(tree["courier"], role="admin"))
    response = client.post("/api/staff/contests", json=payload(**over))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_unknown_fields_are_rejected(client, tree):
    login(client, make_staff(tree["courier"], role="admin"))
    response = client.post("/api/staff/contests", json=payload(confirmed_count=99))
    assert response.status_code == 422 and "confirmed_count" in response.get_json()["error"]["fields"]


# --- states ------------------------------------------------------------------------------------
TRANSITIONS = {"publish": contests.publish, "close": contests.close_registration,
               "reopen": contests.reopen_registration, "finish": contests.finish}


@pytest.mark.parametrize("status, action, result", [
    ("draft", "publish", "published"),
    ("published", "publish", Conflict),
    ("published", "close", "closed"),
    ("closed", "close", Conflict),
    ("closed", "reopen", "published"),
    ("published", "reopen", Conflict),
    ("draft", "finish", Conflict),
    ("published", "finish", "finished"),
    ("closed", "finish", "finished"),
    ("finished", "publish", Conflict),
    ("cancelled", "publish", Conflict),
    ("cancelled", "reopen", Conflict),
    ("draft", "cancel", "cancelled"),
    ("published", "cancel", "cancelled"),
    ("closed", "cancel", "cancelled"),
    ("finished", "cancel", Conflict),
    ("cancelled", "cancel", Conflict),
])
def test_state_machine(tree, status, action, result):
    staff = make_staff(tree["courier"], role="chair")
    now = utcnow()
    contest = make_contest(tree["courier"], status=status, starts_at=now + timedelta(days=3))
    later = now + timedelta(days=4)  # finishing needs the contest to have started
    def run():
        if action == "cancel":
            return contests.cancel(contest, staff=staff, reason="场地调整", now=now)
        if action in ("finish",):
            return contests.finish(contest, staff=staff, now=later)
        return TRANSITIONS[action](contest, staff=staff)
    if result is Conflict:
        with pytest.raises(Conflict):
            run()
        assert contest.status == status
    else:
        run()
        db.session.commit()
        assert contest.status == result


def test_finish_waits_for_the_start_and_publish_for_an_open_window(tree):
    staff = make_staff(tree["courier"], role="chair")
    contest = make_contest(tree["courier"], status="closed")
    with pytest.raises(Conflict, match="比赛开始后"):
        contests.finish(contest, staff=staff)
    past = make_contest(tree["courier"], status="draft", registration_opens_at=utcnow() - timedelta(days=3),
                        registration_closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(Conflict, match="报名截止时间已过"):
        contests.publish(past, staff=staff)
    contest.registration_closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(Conflict, match="延后报名截止时间"):
        contests.reopen_registration(contest, staff=staff)


def test_cancel_tells_everyone_signed_up_or_waiting_once(tree):
    staff = make_staff(tree["courier"], role="chair")
    contest = make_contest(tree["courier"], capacity=1)
    people = [make_worker() for _ in range(3)]
    for w in people:
        signups.sign_up(contest.id, w, name="张三", phone="13900000000")
    signups.cancel_signup(contest.id, people[2])
    db.session.commit()
    before = db.session.query(OutboxMessage).count()
    assert contests.cancel(contest, staff=staff, reason="暴雨预警") == 2
    db.session.commit()
    notes = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like(f"contest:{contest.id}:cancelled:%")))
    assert sorted(n.openid for n in notes) == sorted([people[0].openid, people[1].openid])
    assert db.session.query(OutboxMessage).count() == before + 2
    assert all("暴雨预警" in n.payload["text"] for n in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedup_key.is_not(None))))


def test_auto_close_when_the_registration_time_has_passed(tree, runner):
    open_one = make_contest(tree["courier"])
    due = make_contest(tree["courier"], registration_opens_at=utcnow() - timedelta(days=2),
                       registration_closes_at=utcnow() - timedelta(minutes=5))
    result = runner.invoke(args=["contests", "close-due"])
    assert result.exit_code == 0 and "closed 1" in result.output
    db.session.expire_all()
    assert (db.session.get(Contest, due.id).status, db.session.get(Contest, open_one.id).status) == ("closed", "published")


# --- editing rules -----------------------------------------------------------------------------------
def test_capacity_cannot_drop_below_the_confirmed(tree):
    staff = make_staff(tree["courier"], role="chair")
    contest = make_contest(tree["courier"], capacity=3)
    for _ in range(2):
        signups.sign_up(contest.id, make_worker(), name="张三", phone="13900000000")
    db.session.commit()
    with pytest.raises(Invalid) as error:
        contests.update_contest(contest, staff=staff, data={"capacity": 1})
    assert "已确认报名人数（2人）" in error.value.fields["capacity"]
    db.session.rollback()
    assert contests.update_contest(contest, staff=staff, data={"capacity": 2}).capacity == 2


def test_rules_and_questions_are_fixed_once_somebody_signed_up(tree):
    staff = make_staff(tree["courier"], role="chair")
    contest = make_contest(tree["courier"])
    contests.update_contest(contest, staff=staff, data={"eligibility": {"age_min": 18}})  # nobody yet: fine
    signups.sign_up(contest.id, make_worker(birth_date=date(1990, 1, 1)), name="张三", phone="13900000000")
    db.session.commit()
    for change in ({"members_only": True}, {"questions": [{"label": "新问题"}]}, {"eligibility": {"age_min": 20}}):
        with pytest.raises(Conflict, match="不能再修改报名条件"):
            contests.update_contest(contest, staff=staff, data=change)
        db.session.rollback()
    assert contests.update_contest(contest, staff=staff, data={"venue": "新场地"}).venue == "新场地"


@pytest.mark.parametrize("status", ["finished", "cancelled"])
def test_nothing_changes_once_finished_or_cancelled(tree, status):
    contest = make_contest(tree["courier"], status=status)
    with pytest.raises(Conflict, match="不能修改"):
        contests.update_contest(contest, staff=make_staff(tree["courier"], role="admin"), data={"title": "新"})


# --- permissions and scope --------------------------------------------------------------------------
@pytest.mark.parametrize("role, method, path, allowed", [
    ("caseworker", "post", "", False),
    ("caseworker", "post", "/publish", False),
    ("caseworker", "patch", "", False),
    ("caseworker", "get", "", True),
    ("caseworker", "get", "/signups", True),
    ("chair", "post", "/publish", True),
    ("admin", "post", "/publish", True),
    ("chair", "patch", "", True),
])
def test_role_matrix(client, tree, role, method, path, allowed):
    contest = make_contest(tree["courier"], status="draft")
    login(client, make_staff(tree["courier"], role=role))
    url = "/api/staff/contests" + ("" if method == "post" and path == "" else f"/{contest.id}") + path
    body = payload() if (method, path) == ("post", "") else ({"venue": "新场地"} if method == "patch" else None)
    response = getattr(client, method)(url, json=body)
    assert (response.status_code < 400) is allowed, response.get_json()
    if not allowed:
        assert response.status_code == 403


def test_staff_see_only_their_subtree(client, tree):
    mine = make_contest(tree["courier"], title="长安快递竞赛")
    theirs = make_contest(tree["other"], title="裕华货车竞赛")
    login(client, make_staff(tree["county"], role="chair"))  # the county union above the courier federation
    titles = [c["title"] for c in client.get("/api/staff/contests").get_json()]
    assert titles == ["长安快递竞赛"]
    assert client.get(f"/api/staff/contests/{theirs.id}").status_code == 404
    assert client.get(f"/api/staff/contests/{mine.id}/signups").status_code == 200
    elsewhere = client.post("/api/staff/contests", json=payload(federation_id=tree["other"].id))
    assert elsewhere.status_code == 404


def test_the_console_api_needs_a_login(client):
    assert client.get("/api/staff/contests").status_code == 401


# --- QR code and bot scene --------------------------------------------------------------------------
@pytest.fixture
def fake_wechat(monkeypatch):
    calls = []

    def create_qrcode(scene, permanent=True, expire_seconds=None):
        calls.append((scene, permanent, expire_seconds))
        return f"ticket-{len(calls)}", f"http://weixin.qq.com/q/{scene}"

    module = types.ModuleType("service.wechat.client")
    module.create_qrcode = create_qrcode
    monkeypatch.setitem(sys.modules, "service.wechat.client", module)
    import service.wechat

    monkeypatch.setattr(service.wechat, "client", module)
    return calls


def test_temporary_qr_code_for_the_poster(client, tree, fake_wechat):
    contest = make_contest(tree["courier"])
    login(client, make_staff(tree["courier"], role="chair"))
    body = client.post(f"/api/staff/contests/{contest.id}/qrcode").get_json()
    assert body["qr_url"] == f"http://weixin.qq.com/q/contest:{contest.id}"
    scene, permanent, seconds = fake_wechat[0]
    assert scene == f"contest:{contest.id}" and permanent is False
    assert 7 * 86400 < seconds <= 2_592_000  # until a day after registration closes
    client.post(f"/api/staff/contests/{contest.id}/qrcode")
    assert len(fake_wechat) == 1  # still valid: not made again
    svg = client.get(f"/api/staff/contests/{contest.id}/qrcode.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_qr_code_lifetime_is_capped_at_thirty_days(tree, fake_wechat):
    contest = make_contest(tree["courier"], registration_closes_at=utcnow() + timedelta(days=60),
                           starts_at=utcnow() + timedelta(days=70))
    contests.ensure_qrcode(contest, staff=make_staff(tree["courier"], role="admin"))
    assert fake_wechat[0][2] == 2_592_000


def test_qr_code_failure_is_a_polite_conflict(tree, monkeypatch):
    module = types.ModuleType("service.wechat.client")

    def broken(*args, **kwargs):
        raise RuntimeError("down")
    module.create_qrcode = broken
    monkeypatch.setitem(sys.modules, "service.wechat.client", module)
    import service.wechat
    monkeypatch.setattr(service.wechat, "client", module)
    with pytest.raises(Conflict, match="生成二维码失败"):
        contests.ensure_qrcode(make_contest(tree["courier"]), staff=make_staff(tree["courier"], role="admin"))


@pytest.mark.parametrize("new_follower", [True, False], ids=["subscribe", "SCAN"])
def test_scanning_the_poster_answers_with_the_title_and_a_sign_up_link(wechat, tree, new_follower):
    contest = make_contest(tree["courier"], capacity=30)
    response = wechat.scan("o-poster", contest.scene, new_follower=new_follower)
    content = response.reply["Content"]
    assert "快递员职业技能竞赛" in content and "剩余名额30个" in content
    assert f"http://gonglian.test/h5/contest.html?id={contest.id}" in content


@pytest.mark.parametrize("status, words", [("cancelled", "已取消"), ("closed", "报名已截止"), ("finished", "已结束")])
def test_scanning_a_poster_of_a_contest_not_taking_sign_ups(wechat, tree, status, words):
    contest = make_contest(tree["courier"], status=status)
    assert words in wechat.scan("o-poster-2", contest.scene).reply["Content"]


def test_scanning_an_unknown_contest_still_answers(wechat):
    assert "暂未开放" in wechat.scan("o-poster-3", "contest:999").reply["Content"]


def test_staff_only_services_refuse_a_caseworker(tree):
    with pytest.raises(Forbidden):
        contests.create_contest(staff=make_staff(tree["courier"]), data={"title": "x"})


def test_validation_messages_are_in_chinese(client, tree):
    login(client, make_staff(tree["courier"], role="admin"))
    response = client.post("/api/staff/contests", json={"title": "x", "capacity": "many", "color": "red"})
    fields = response.get_json()["error"]["fields"]
    assert fields["starts_at"] == "请填写此项" and fields["capacity"] == "格式有误" and fields["color"] == "不支持的字段"
