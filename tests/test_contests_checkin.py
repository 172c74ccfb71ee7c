"""Roster and CSV, check-in (member card QR or search), results, reminders, demo data."""
import csv
import inspect
import io
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.base import utcnow
from models.contest import Contest, Signup
from models.membership import Membership
from models.outbox import OutboxMessage
from service.contests import checkin as contest_day
from service.contests import lifecycle as contests
from service.membership import card as member_card
from service.contests import signups
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from tests.conftest import login
from tests.factories import (later_today, make_contest, make_federation, make_member, make_staff, make_upper,
                             make_worker)


@pytest.fixture
def fed():
    return make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper())


def card_token(app, member_no):
    """The token the member card page itself puts in its QR code."""
    membership = db.session.scalar(select(Membership).where(Membership.member_no == member_no))
    return member_card.card_token(membership)


def today_contest(fed, **kw):
    """A contest starting later today in China time (check-in is open on the day)."""
    now = utcnow()
    return make_contest(fed, status="closed", starts_at=later_today(now),
                        registration_opens_at=now - timedelta(days=5), registration_closes_at=now - timedelta(hours=2),
                        **kw)


def seat(contest, worker, name="张三", phone="13900000000"):
    """Sign up while registration was open (the contest is already closed)."""
    contest.status = "published"
    saved = contest.registration_closes_at
    contest.registration_closes_at = utcnow() + timedelta(minutes=30)
    signup = signups.sign_up(contest.id, worker, name=name, phone=phone)
    contest.status, contest.registration_closes_at = "closed", saved
    db.session.commit()
    return signup


# --- check-in -----------------------------------------------------------------------------------------
def test_check_in_by_member_card_qr(app, client, fed):
    contest = today_contest(fed)
    member = make_member(fed, member_no="M000000123")
    seat(contest, member.worker)
    login(client, make_staff(fed, role="caseworker"))
    token = card_token(app, "M000000123")
    first = client.post(f"/api/staff/contests/{contest.id}/checkin", json={"token": token})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["already"] is False and first.get_json()["signup"]["checked_in_at"]
    again = client.post(f"/api/staff/contests/{contest.id}/checkin",
                        json={"token": f"http://gonglian.test/h5/card.html?t={token}"})
    assert again.get_json()["already"] is True
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "contest.checkin")) == 1


@pytest.mark.parametrize("token, status, code", [
    ("garbage", 422, "validation_error"),
    ("other-salt", 422, "validation_error"),
    ("not-signed-up", 404, "not_signed_up"),
    ("waitlisted", 409, "waitlisted"),
])
def test_check_in_refusals(app, client, fed, token, status, code):
    contest = today_contest(fed, capacity=1)
    seat(contest, make_worker())
    waiting = make_member(fed, member_no="M000000200")
    seat(contest, waiting.worker)
    make_member(fed, member_no="M000000300")
    value = {
        "garbage": "not-a-token",
        "other-salt": URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="x").dumps({"m": "M000000200"}),
        "not-signed-up": card_token(app, "M000000300"),
        "waitlisted": card_token(app, "M000000200"),
    }[token]
    login(client, make_staff(fed))
    response = client.post(f"/api/staff/contests/{contest.id}/checkin", json={"token": value})
    assert response.status_code == status and response.get_json()["error"]["code"] == code


def test_check_in_is_on_the_day_only(fed):
    contest = make_contest(fed, starts_at=utcnow() + timedelta(days=3))
    signup = signups.sign_up(contest.id, make_worker(), name="张三", phone="13900000000")
    db.session.commit()
    with pytest.raises(Conflict, match="比赛当天"):
        contest_day.check_in(contest, staff=make_staff(fed), signup_id=signup.id)


def test_expired_card_token(app, fed, monkeypatch):
    contest = today_contest(fed)
    make_member(fed, member_no="M000000999")
    token = card_token(app, "M000000999")
    monkeypatch.setitem(app.config, "CARD_TOKEN_MAX_AGE", -1)
    with pytest.raises(Conflict) as error:
        contest_day.check_in(contest, staff=make_staff(fed), token=token)
    assert error.value.code == "card_expired"


def test_search_then_check_in_and_undo(client, fed):
    contest = today_contest(fed)
    member = make_member(fed, member_no="M000000555")
    seat(contest, member.worker, name="赵六", phone="13811112222")
    seat(contest, make_worker(), name="钱七", phone="13833334444")
    login(client, make_staff(fed))
    base = f"/api/staff/contests/{contest.id}/signups"
    for q in ("赵", "13811112222", "M000000555"):
        found = client.get(base, query_string={"q": q}).get_json()
        assert [s["name"] for s in found["items"]] == ["赵六"], q
    signup_id = client.get(base, query_string={"q": "赵六"}).get_json()["items"][0]["id"]
    assert client.post(f"/api/staff/contests/{contest.id}/checkin", json={"signup_id": signup_id}).status_code == 200
    checked = client.get(base, query_string={"checked_in": "true"}).get_json()
    assert [s["name"] for s in checked["items"]] == ["赵六"] and checked["counts"]["checked_in"] == 1
    assert [s["name"] for s in client.get(base, query_string={"checked_in": "false"}).get_json()["items"]] == ["钱七"]
    undone = client.post(f"{base}/{signup_id}/undo-checkin")
    assert undone.status_code == 200 and undone.get_json()["checked_in_at"] is None


# --- roster and CSV ----------------------------------------------------------------------------------
def test_roster_order_filters_and_positions(client, fed):
    contest = make_contest(fed, capacity=1)
    for name in ("甲", "乙", "丙"):
        signups.sign_up(contest.id, make_worker(), name=name, phone="13900000000")
    db.session.commit()
    login(client, make_staff(fed))
    body = client.get(f"/api/staff/contests/{contest.id}/signups").get_json()
    assert [(s["name"], s["status"], s["position"]) for s in body["items"]] == [
        ("甲", "confirmed", None), ("乙", "waitlisted", 1), ("丙", "waitlisted", 2)]
    assert body["counts"] == {"confirmed": 1, "waitlisted": 2, "checked_in": 0} and body["total"] == 3
    only = client.get(f"/api/staff/contests/{contest.id}/signups", query_string={"status": "waitlisted", "per_page": 1})
    assert only.get_json()["total"] == 2 and len(only.get_json()["items"]) == 1


def test_csv_export_is_utf8_with_bom_and_answers(client, fed):
    questions = [{"key": "years", "label": "从业年限", "kind": "single", "options": ["1年以下", "1年以上"], "required": True},
                 {"key": "skills", "label": "擅长", "kind": "multiple", "options": ["分拣", "派送"], "required": False}]
    contest = make_contest(fed, capacity=1, questions=questions)
    signups.sign_up(contest.id, make_worker(), name="=HYPERLINK()", phone="13900000000",
                    answers={"years": "1年以上", "skills": ["分拣", "派送"]})
    signups.sign_up(contest.id, make_worker(), name="李四", phone="13900000001", answers={"years": "1年以下"})
    db.session.commit()
    login(client, make_staff(fed))
    # buffered: read the stream inside the request's own app context (see conftest)
    response = client.get(f"/api/staff/contests/{contest.id}/signups.csv", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert inspect.isgenerator(contest_day.roster_csv(contest))  # streamed piece by piece
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["序号", "状态", "候补顺位", "姓名", "手机号"] and "从业年限" in rows[0]
    assert rows[1][1] == "已确认" and rows[1][3] == "'=HYPERLINK()" and "分拣、派送" in rows[1]
    assert rows[2][1:4] == ["候补", "1", "李四"]
    assert rows[2][4] == "139****0001" and "13900000001" not in raw.decode("utf-8-sig")  # masked like every export
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "contest.export")) == 1


# --- results ---------------------------------------------------------------------------------------
def test_results_recorded_then_published_once(client, fed):
    contest = today_contest(fed, capacity=2, scoring_note="理论30% + 实操70%")
    a, b, c = make_worker(), make_worker(), make_worker()
    sa, sb = seat(contest, a), seat(contest, b)
    sc = seat(contest, c)  # waitlisted
    contest.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, make_staff(fed, role="chair"))
    base = f"/api/staff/contests/{contest.id}"
    bad = client.put(f"{base}/results", json={"entries": [{"signup_id": sc.id, "score": 90}]})
    assert bad.status_code == 422
    negative = client.put(f"{base}/results", json={"entries": [{"signup_id": sa.id, "score": -1}]})
    assert negative.status_code == 422
    ok = client.put(f"{base}/results", json={"entries": [
        {"signup_id": sa.id, "score": "92.5", "rank": 1, "award": "一等奖"},
        {"signup_id": sb.id, "score": 80, "rank": 2, "award": None}]})
    assert ok.status_code == 200 and ok.get_json() == {"count": 2}
    early = client.post(f"{base}/results/publish")
    assert early.status_code == 409 and "请先结束竞赛" in early.get_json()["error"]["message"]
    assert client.post(f"{base}/finish").status_code == 200
    published = client.post(f"{base}/results/publish")
    assert published.get_json() == {"count": 2}
    text = db.session.scalar(select(OutboxMessage.payload).where(
        OutboxMessage.dedup_key == f"contest:{contest.id}:result:{sa.id}"))["text"]
    assert "成绩92.5分" in text and "第1名" in text and "一等奖" in text and "理论30%" in text
    assert client.post(f"{base}/results/publish").status_code == 409
    locked = client.put(f"{base}/results", json={"entries": [{"signup_id": sa.id, "score": 1}]})
    assert locked.status_code == 409
    assert c.id


def test_worker_sees_their_result_once_published(client, fed):
    from tests.conftest import as_worker

    contest = today_contest(fed)
    worker = make_worker("o-result")
    signup = seat(contest, worker)
    contest.starts_at = utcnow() - timedelta(hours=1)
    staff = make_staff(fed, role="chair")
    contest_day.record_results(contest, [{"signup_id": signup.id, "score": 88, "rank": 3, "award": "三等奖"}], staff=staff)
    contests.finish(contest, staff=staff)
    db.session.commit()
    as_worker(client, "o-result")
    assert client.get(f"/api/contests/{contest.id}").get_json()["mine"]["result"] is None
    contest_day.publish_results(contest, staff=staff)
    db.session.commit()
    assert client.get(f"/api/contests/{contest.id}").get_json()["mine"]["result"] == {
        "score": 88.0, "rank": 3, "award": "三等奖"}


# --- reminders ----------------------------------------------------------------------------------------
def test_reminders_the_day_before_are_sent_once(runner, fed):
    soon = today_contest(fed, capacity=1)
    later = make_contest(fed, starts_at=utcnow() + timedelta(days=3))
    confirmed, waiting = make_worker(), make_worker()
    seat(soon, confirmed)
    seat(soon, waiting)
    signups.sign_up(later.id, make_worker(), name="张三", phone="13900000000")
    db.session.commit()
    first = runner.invoke(args=["contests", "remind"])
    assert first.exit_code == 0 and "queued 1 reminders" in first.output
    assert "queued 0 reminders" in runner.invoke(args=["contests", "remind"]).output
    notes = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("contest:%:remind:%"))))
    assert [n.openid for n in notes] == [confirmed.openid]
    assert "请携带身份证" in notes[0].payload["text"] and notes[0].payload["template"] == "contest_notice"


def test_a_worker_promoted_inside_the_last_day_is_reminded_too(fed):
    now = utcnow()
    contest = make_contest(fed, capacity=1, starts_at=now + timedelta(hours=20),
                           registration_closes_at=now + timedelta(hours=10), cancel_cutoff_at=now + timedelta(hours=12))
    a, b = make_worker(), make_worker()
    signups.sign_up(contest.id, a, name="张三", phone="13900000000")
    signups.sign_up(contest.id, b, name="李四", phone="13900000001")
    assert contest_day.send_reminders() == 1
    signups.cancel_signup(contest.id, a)
    assert contest_day.send_reminders() == 1
    db.session.commit()
    assert db.session.scalar(select(Signup.reminded_at).where(Signup.worker_id == b.id)) is not None


def test_the_jobs_are_registered():
    from service import jobs

    assert {"contest-reminders", "contest-close-registration"} <= {j.name for j in jobs.JOBS}


# --- demo ---------------------------------------------------------------------------------------------
def test_demo_seed_adds_one_published_contest_idempotently(runner):
    for _ in range(2):
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    # (the statistics demo adds two finished contests of last year; one contest is open)
    rows = list(db.session.scalars(select(Contest).where(Contest.status == "published")))
    assert len(rows) == 1
    contest = rows[0]
    assert (contest.title, contest.status, contest.capacity, len(contest.questions)) == (
        "快递员职业技能竞赛", "published", 30, 2)
    assert contest.federation.name == "石家庄市长安区快递行业工会联合会"
    assert timedelta(days=13) < contest.registration_closes_at - utcnow() < timedelta(days=15)
    worker = make_worker(birth_date=None)
    signup = signups.sign_up(contest.id, worker, name="张三", phone="13900000000",
                             birth_date=(utcnow() - timedelta(days=365 * 30)).date(),
                             answers={"years": "1至3年", "company": "顺丰速运长安网点"})
    assert signup.status == "confirmed"


def test_unknown_contest_is_404_for_everyone(client, fed):
    login(client, make_staff(fed))
    assert client.get("/api/staff/contests/999/signups").status_code == 404
    with pytest.raises(NotFound):
        signups.lock_contest(999)
    with pytest.raises(Invalid):
        contest_day.check_in(today_contest(fed), staff=make_staff(fed))
