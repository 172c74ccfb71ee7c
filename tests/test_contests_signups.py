"""Sign-up, eligibility, waitlist, cancellation and promotion (service and worker API)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.contest import Signup
from models.outbox import OutboxMessage
from models.worker import Worker
from service.contests import roster
from service.contests import signups
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from tests.conftest import as_worker
from tests.factories import make_contest, make_federation, make_member, make_staff, make_upper, make_worker


@pytest.fixture
def feds():
    county = make_upper()
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    building = make_federation("石家庄市长安区建筑行业工会联合会", industry="E", parent=county)
    from models.federation import CoverageRule

    courier.coverage.append(CoverageRule(region_prefix="130102", industry_prefix="G602"))
    building.coverage.append(CoverageRule(region_prefix="130102", industry_prefix="E"))
    db.session.commit()
    return {"county": county, "courier": courier, "building": building}


def join(contest, worker, **kw):
    return signups.sign_up(contest.id, worker, name=kw.pop("name", "张三"), phone=kw.pop("phone", "13900000001"),
                           **kw)


def messages_to(openid):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid)
                                   .order_by(OutboxMessage.id)))


def years_ago(years, days=0):
    today = date.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


# --- eligibility ------------------------------------------------------------------------------
@pytest.mark.parametrize("case, reason", [
    ("open-anyone", None),
    ("members-non-member", "仅限工会会员报名，请先申请入会"),
    ("federation-own-member", None),
    ("federation-other-member", "仅限本联合会会员报名"),
    ("coverage-matching", None),
    ("coverage-other-trade", "仅限河北省石家庄市长安区快递服务相关工会联合会会员报名"),
    ("any-member", None),
    ("too-young", "年龄须在18至55周岁之间"),
    ("too-old", "年龄须在18至55周岁之间"),
    ("age-ok", None),
    ("not-yet-open", "报名将于"),
    ("closed-by-time", "报名已截止"),
    ("closed-by-staff", "报名已截止"),
    ("cancelled", "竞赛已取消"),
])
def test_eligibility_reasons(feds, case, reason):
    now = utcnow()
    kind, _, detail = case.partition("-")
    contest_kw, member_of, birth = {}, None, None
    if case == "members-non-member":
        contest_kw = {"members_only": True, "eligibility": {"scope": "any"}}
    elif kind == "federation":
        contest_kw = {"members_only": True}
        member_of = feds["courier"] if detail == "own-member" else feds["building"]
    elif kind == "coverage":
        contest_kw = {"members_only": True, "eligibility": {"scope": "coverage", "region_prefix": "130102",
                                                            "industry_prefix": "G602"}}
        member_of = feds["courier"] if detail == "matching" else feds["building"]
    elif case == "any-member":
        contest_kw = {"members_only": True, "eligibility": {"scope": "any"}}
        member_of = feds["building"]
    elif kind in ("too", "age"):
        contest_kw = {"eligibility": {"age_min": 18, "age_max": 55}}
        birth = {"too-young": years_ago(17), "too-old": years_ago(57), "age-ok": years_ago(30)}[case]
    elif case == "not-yet-open":
        contest_kw = {"registration_opens_at": now + timedelta(days=1)}
    elif case == "closed-by-time":
        contest_kw = {"registration_closes_at": now - timedelta(minutes=1), "registration_opens_at": now - timedelta(days=2)}
    elif case == "closed-by-staff":
        contest_kw = {"status": "closed"}
    elif case == "cancelled":
        contest_kw = {"status": "cancelled"}
    contest = make_contest(feds["courier"], **contest_kw)
    worker = make_member(member_of, birth_date=birth).worker if member_of else make_worker(birth_date=birth)
    if reason is None:
        assert join(contest, worker).status == "confirmed"
    else:
        with pytest.raises(Forbidden) as error:
            join(contest, worker)
        assert error.value.code == "not_eligible"
        assert error.value.message.startswith(reason)


def test_age_is_checked_against_a_declared_birth_date_when_none_is_on_file(feds):
    contest = make_contest(feds["courier"], eligibility={"age_min": 18, "age_max": 55})
    worker = make_worker(birth_date=None)
    with pytest.raises(Invalid) as error:
        join(contest, worker)
    assert "birth_date" in error.value.fields
    with pytest.raises(Forbidden, match="年龄须在18至55周岁之间"):
        join(contest, worker, birth_date=years_ago(60))
    assert join(contest, worker, birth_date=years_ago(40)).birth_date == years_ago(40)


def test_the_age_on_file_wins_over_a_declared_one(feds):
    contest = make_contest(feds["courier"], eligibility={"age_min": 18, "age_max": 55})
    worker = make_worker(birth_date=years_ago(16))
    with pytest.raises(Forbidden, match="年龄须在18至55周岁之间"):
        join(contest, worker, birth_date=years_ago(30))


# --- answers ----------------------------------------------------------------------------------
QUESTIONS = [
    {"key": "years", "label": "从业年限", "kind": "single", "options": ["1年以下", "1至3年", "3年以上"], "required": True},
    {"key": "skills", "label": "擅长项目", "kind": "multiple", "options": ["分拣", "包装", "派送"], "required": False},
    {"key": "company", "label": "所在企业", "kind": "text", "options": [], "required": True},
]


@pytest.mark.parametrize("answers, field", [
    ({"company": "顺丰"}, "answers.years"),
    ({"years": "10年", "company": "顺丰"}, "answers.years"),
    ({"years": "1至3年", "company": ""}, "answers.company"),
    ({"years": "1至3年", "company": "顺丰", "skills": ["分拣", "开车"]}, "answers.skills"),
    ({"years": "1至3年", "company": "顺丰", "skills": "分拣"}, "answers.skills"),
    ({"years": "1至3年", "company": "顺丰", "extra": "x"}, "answers.extra"),
    ({"years": "1至3年", "company": "x" * 501}, "answers.company"),
])
def test_answers_are_validated(feds, answers, field):
    contest = make_contest(feds["courier"], questions=QUESTIONS)
    with pytest.raises(Invalid) as error:
        join(contest, make_worker(), answers=answers)
    assert field in error.value.fields


def test_valid_answers_are_kept(feds):
    contest = make_contest(feds["courier"], questions=QUESTIONS)
    signup = join(contest, make_worker(), answers={"years": "3年以上", "skills": ["包装", "派送"], "company": " 顺丰 "})
    assert signup.answers == {"years": "3年以上", "skills": ["包装", "派送"], "company": "顺丰"}


# --- capacity, waitlist, promotion -------------------------------------------------------------
def test_full_contest_puts_people_on_the_waitlist_in_order(feds):
    contest = make_contest(feds["courier"], capacity=2)
    people = [make_worker() for _ in range(5)]
    result = [join(contest, w) for w in people]
    db.session.commit()
    assert [s.status for s in result] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [s.seq for s in result] == [1, 2, 3, 4, 5]
    assert [signups.waitlist_position(s) for s in result] == [None, None, 1, 2, 3]
    db.session.refresh(contest)
    assert (contest.confirmed_count, contest.waitlisted_count, contest.places_left) == (2, 3, 0)
    assert "候补名单" in messages_to(people[3].openid)[0].payload["text"]
    assert "当前第2位" in messages_to(people[3].openid)[0].payload["text"]
    assert "成功报名" in messages_to(people[0].openid)[0].payload["text"]


def test_one_sign_up_per_worker(feds):
    contest = make_contest(feds["courier"])
    worker = make_worker()
    join(contest, worker)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        join(contest, worker)
    assert error.value.code == "already_signed_up"


def test_cancellation_promotes_the_first_waiting_and_tells_them(feds):
    contest = make_contest(feds["courier"], capacity=1)
    first, second, third = (make_worker() for _ in range(3))
    for w in (first, second, third):
        join(contest, w)
    db.session.commit()
    signups.cancel_signup(contest.id, first)
    db.session.commit()
    status = {s.worker_id: s.status for s in db.session.scalars(select(Signup))}
    assert status == {first.id: "cancelled", second.id: "confirmed", third.id: "waitlisted"}
    assert "候补转为正式报名" in messages_to(second.openid)[-1].payload["text"]
    assert "取消" in messages_to(first.openid)[-1].payload["text"]
    assert signups.waitlist_position(signups.get_signup(contest.id, third.id)) == 1
    db.session.refresh(contest)
    assert (contest.confirmed_count, contest.waitlisted_count) == (1, 1)


def test_cancelling_a_waitlisted_sign_up_promotes_nobody(feds):
    contest = make_contest(feds["courier"], capacity=1)
    a, b, c = (make_worker() for _ in range(3))
    for w in (a, b, c):
        join(contest, w)
    signups.cancel_signup(contest.id, b)
    db.session.commit()
    assert signups.get_signup(contest.id, c.id).status == "waitlisted"
    assert signups.waitlist_position(signups.get_signup(contest.id, c.id)) == 1


def test_promotion_skips_and_drops_a_waiting_worker_who_no_longer_qualifies(feds):
    contest = make_contest(feds["courier"], capacity=1, members_only=True)
    first = make_member(feds["courier"]).worker
    lapsed = make_member(feds["courier"])
    third = make_member(feds["courier"]).worker
    for w in (first, lapsed.worker, third):
        join(contest, w)
    lapsed.status, lapsed.live_key = "withdrawn", None
    db.session.commit()
    signups.cancel_signup(contest.id, first)
    db.session.commit()
    dropped = signups.get_signup(contest.id, lapsed.worker_id)
    assert dropped.status == "removed" and "不再符合报名条件" in dropped.reason
    assert signups.get_signup(contest.id, third.id).status == "confirmed"


def test_cancel_after_the_cut_off_is_refused(feds):
    now = utcnow()
    contest = make_contest(feds["courier"], cancel_cutoff_at=now + timedelta(hours=1))
    worker = make_worker()
    join(contest, worker)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        signups.cancel_signup(contest.id, worker, now=now + timedelta(hours=2))
    assert error.value.code == "past_cutoff" and "取消报名截止时间" in error.value.message
    assert signups.cancel_signup(contest.id, worker, now=now).status == "cancelled"


def test_a_cancelled_worker_may_sign_up_again_at_the_back(feds):
    contest = make_contest(feds["courier"], capacity=1)
    a, b = make_worker(), make_worker()
    join(contest, a)
    join(contest, b)
    signups.cancel_signup(contest.id, a)
    again = join(contest, a)
    db.session.commit()
    assert (again.status, again.seq) == ("waitlisted", 3)
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 2


def test_a_newcomer_does_not_jump_the_waitlist_for_a_place_left_free_after_the_cut_off(feds):
    now = utcnow()
    contest = make_contest(feds["courier"], capacity=1, cancel_cutoff_at=now + timedelta(hours=1))
    staff = make_staff(feds["courier"], role="chair")
    a, b, c = (make_worker() for _ in range(3))
    join(contest, a)
    join(contest, b)
    roster.remove_by_staff(contest.id, signups.get_signup(contest.id, a.id).id, staff=staff, reason="重复报名",
                            now=now + timedelta(hours=2))  # after the cut-off: no automatic promotion
    db.session.commit()
    assert signups.get_signup(contest.id, b.id).status == "waitlisted"
    assert join(contest, c).status == "waitlisted"


# --- staff: promote, reorder, add, remove ----------------------------------------------------------
def test_staff_promote_needs_a_free_place(feds):
    now = utcnow()
    contest = make_contest(feds["courier"], capacity=1, cancel_cutoff_at=now + timedelta(hours=1))
    staff = make_staff(feds["courier"], role="chair")
    a, b, c = (make_worker() for _ in range(3))
    for w in (a, b, c):
        join(contest, w)
    db.session.commit()
    c_signup = signups.get_signup(contest.id, c.id)
    with pytest.raises(Conflict, match="没有空余名额"):
        roster.promote(contest.id, c_signup.id, staff=staff)
    db.session.rollback()
    roster.remove_by_staff(contest.id, signups.get_signup(contest.id, a.id).id, staff=staff, reason="未到场",
                            now=now + timedelta(hours=2))
    promoted = roster.promote(contest.id, c_signup.id, staff=staff)  # by hand, out of order
    db.session.commit()
    assert promoted.status == "confirmed"
    assert signups.get_signup(contest.id, b.id).status == "waitlisted"
    db.session.refresh(contest)
    assert contest.confirmed_count == 1


def test_raising_the_capacity_fills_places_from_the_waitlist(feds):
    from service.contests import lifecycle as contests

    contest = make_contest(feds["courier"], capacity=1)
    staff = make_staff(feds["courier"], role="chair")
    people = [make_worker() for _ in range(4)]
    for w in people:
        join(contest, w)
    db.session.commit()
    contests.update_contest(contest, staff=staff, data={"capacity": 3})
    db.session.commit()
    assert [signups.get_signup(contest.id, w.id).status for w in people] == [
        "confirmed", "confirmed", "confirmed", "waitlisted"]


def test_staff_reorder_changes_who_is_promoted_next(feds):
    contest = make_contest(feds["courier"], capacity=1)
    staff = make_staff(feds["courier"], role="chair")
    people = [make_worker() for _ in range(4)]
    rows = [join(contest, w) for w in people]
    db.session.commit()
    waiting = [r.id for r in rows[1:]]
    roster.reorder_waitlist(contest.id, [waiting[2], waiting[0], waiting[1]], staff=staff)
    db.session.commit()
    assert [signups.waitlist_position(db.session.get(Signup, i)) for i in waiting] == [2, 3, 1]
    with pytest.raises(Conflict, match="候补名单已变化"):
        roster.reorder_waitlist(contest.id, waiting[:2], staff=staff)
    db.session.rollback()
    signups.cancel_signup(contest.id, people[0])
    db.session.commit()
    assert db.session.get(Signup, waiting[2]).status == "confirmed"


def test_manual_add_and_remove_are_audited_with_the_reason(feds):
    from models.audit import AuditEntry

    contest = make_contest(feds["courier"], capacity=1)
    staff = make_staff(feds["courier"], role="admin")
    member = make_member(feds["courier"], member_no="M000000777")
    added = roster.add_by_staff(contest.id, staff=staff, member_no="M000000777", reason="电话报名")
    db.session.commit()
    assert (added.status, added.source, added.member_no) == ("confirmed", "staff", "M000000777")
    roster.remove_by_staff(contest.id, added.id, staff=staff, reason="本人放弃")
    db.session.commit()
    actions = [(a.action, a.detail.get("reason")) for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("contest.%")).order_by(AuditEntry.id))]
    assert actions == [("contest.signup.add", "电话报名"), ("contest.signup.remove", "本人放弃")]
    assert "本人放弃" in messages_to(member.worker.openid)[-1].payload["text"]
    with pytest.raises(Conflict, match="移出"):
        join(contest, member.worker)


# --- worker API -------------------------------------------------------------------------------------
def test_worker_api_list_detail_sign_up_and_cancel(client, feds):
    contest = make_contest(feds["courier"], capacity=1, questions=QUESTIONS,
                           eligibility={"age_min": 18, "age_max": 55})
    make_contest(feds["building"], title="建筑工技能竞赛", members_only=True)  # another federation's members
    member = make_member(feds["courier"], openid="o-h5", birth_date=years_ago(30))
    as_worker(client, "o-h5")
    listed = client.get("/api/contests").get_json()
    assert [c["title"] for c in listed] == ["快递员职业技能竞赛"]  # a member elsewhere does not see it
    assert listed[0]["places_left"] == 1 and listed[0]["eligible"] and listed[0]["registration"] == "open"
    detail = client.get(f"/api/contests/{contest.id}").get_json()
    assert detail["questions"][0]["key"] == "years" and detail["needs_birth_date"] is False
    assert detail["age_text"] == "年龄须在18至55周岁之间"
    bad = client.post(f"/api/contests/{contest.id}/signup", json={"name": "张三", "phone": "123", "answers": {}})
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["fields"]
    missing = client.post(f"/api/contests/{contest.id}/signup",
                          json={"name": "张三", "phone": "13912345678", "answers": {"company": "顺丰"}})
    assert missing.status_code == 422 and "answers.years" in missing.get_json()["error"]["fields"]
    ok = client.post(f"/api/contests/{contest.id}/signup", json={
        "name": "张三", "phone": "13912345678", "answers": {"years": "1至3年", "company": "顺丰"}})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["mine"]["status"] == "confirmed" and ok.get_json()["places_left"] == 0
    again = client.post(f"/api/contests/{contest.id}/signup", json={
        "name": "张三", "phone": "13912345678", "answers": {"years": "1至3年", "company": "顺丰"}})
    assert again.status_code == 409 and again.get_json()["error"]["message"] == "您已报名该竞赛"
    mine = client.get("/api/contests/mine").get_json()
    assert [c["mine"]["status_label"] for c in mine] == ["已确认"]
    cancelled = client.post(f"/api/contests/{contest.id}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["mine"]["status"] == "cancelled"
    assert member.worker_id


def test_worker_api_says_why_a_worker_is_not_eligible(client, feds):
    contest = make_contest(feds["courier"], members_only=True)
    as_worker(client, "o-outsider")
    detail = client.get(f"/api/contests/{contest.id}").get_json()
    assert detail["eligible"] is False and detail["reason"] == "仅限工会会员报名，请先申请入会"
    response = client.post(f"/api/contests/{contest.id}/signup", json={"name": "李四", "phone": "13912345678"})
    assert response.status_code == 403
    assert response.get_json()["error"] == {"code": "not_eligible", "message": "仅限工会会员报名，请先申请入会"}


def test_worker_api_waitlist_position_and_drafts_hidden(client, feds):
    contest = make_contest(feds["courier"], capacity=1)
    draft = make_contest(feds["courier"], status="draft", title="草稿竞赛")
    join(contest, make_worker())
    db.session.commit()
    as_worker(client, "o-late")
    assert client.get(f"/api/contests/{draft.id}").status_code == 404
    body = client.post(f"/api/contests/{contest.id}/signup", json={"name": "王五", "phone": "13800000000"}).get_json()
    assert body["mine"]["status"] == "waitlisted" and body["mine"]["position"] == 1
    assert body["waitlist_count"] == 1
    worker = db.session.scalar(select(Worker).where(Worker.openid == "o-late"))
    assert "候补" in messages_to(worker.openid)[0].payload["text"]


def test_worker_api_needs_the_oauth_session(client, feds):
    response = client.get("/api/contests")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "oauth_required"
