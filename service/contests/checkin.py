"""The roster and the day itself: roster and CSV export, check-in (member card QR or search),
results and their publication, and the reminder the day before (DESIGN §4 Skill contests)."""
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import case, or_, select

from models.base import utcnow
from models.contest import SIGNUP_STATUS_LABELS, Contest, Signup
from models.staff import Staff
from service import audit
from service.contests import rules
from service.membership import card as member_card
from service.contests import signups
from service.contests.lifecycle import close_due_registrations
from service.errors import Conflict, Invalid, NotFound
from service.exports import csv_pieces
from service.extensions import db
from service.privacy.fields import mask_phone
from service import clock

log = logging.getLogger(__name__)

STATUS_ORDER = case({"confirmed": 0, "waitlisted": 1, "cancelled": 2, "removed": 3}, value=Signup.status)
REMIND_AHEAD = timedelta(hours=24)


# --- roster -------------------------------------------------------------------------------
def roster_query(contest: Contest, *, status: str | None = None, checked_in: bool | None = None,
                 q: str | None = None):
    query = select(Signup).where(Signup.contest_id == contest.id)
    if status:
        query = query.where(Signup.status == status)
    if checked_in is not None:
        query = query.where(Signup.checked_in_at.is_not(None) if checked_in else Signup.checked_in_at.is_(None))
    q = (q or "").strip()
    if q:
        query = query.where(or_(Signup.name.contains(q), Signup.phone == q, Signup.member_no == q))
    return query.order_by(STATUS_ORDER, Signup.seq)


def waitlist_positions(contest: Contest) -> dict[int, int]:
    ids = db.session.scalars(select(Signup.id).where(Signup.contest_id == contest.id, Signup.status == "waitlisted")
                             .order_by(Signup.seq))
    return {signup_id: n for n, signup_id in enumerate(ids, start=1)}


def roster_csv(contest: Contest) -> Iterator[str]:
    """The roster as CSV text in pieces (service.exports); mobiles masked like every export."""
    questions = list(contest.questions or [])
    positions = waitlist_positions(contest)
    header = ["序号", "状态", "候补顺位", "姓名", "手机号", "会员号", "报名方式", "报名时间", "签到时间",
              "成绩", "名次", "奖项", *[q["label"] for q in questions], "备注"]
    query = roster_query(contest).execution_options(yield_per=200)

    def rows():
        for n, s in enumerate(db.session.scalars(query), start=1):
            answers = [a if isinstance(a := (s.answers or {}).get(q["key"], ""), str) else "、".join(a)
                       for q in questions]
            yield [(n, SIGNUP_STATUS_LABELS[s.status], positions.get(s.id, ""), s.name, mask_phone(s.phone),
                    s.member_no or "", "工作人员添加" if s.source == "staff" else "本人报名", rules.fmt(s.created_at),
                    rules.fmt(s.checked_in_at), "" if s.score is None else s.score, s.rank or "", s.award or "",
                    *answers, s.reason or "")]
    return csv_pieces(header, rows())


# --- check-in -----------------------------------------------------------------------------
def _require_check_in_day(contest: Contest, now: datetime) -> None:
    if contest.status not in ("published", "closed"):
        raise Conflict("当前状态不能签到")
    today = clock.to_china(now).date()
    if today < clock.to_china(contest.starts_at).date():
        raise Conflict("签到将于比赛当天开放")
    if now > (contest.ends_at or contest.starts_at) + timedelta(days=1):
        raise Conflict("比赛已过，不能再签到")


def check_in(contest: Contest, *, staff: Staff, token: str | None = None, signup_id: int | None = None,
             now: datetime | None = None) -> tuple[Signup, bool]:
    """Check a participant in by member card QR or by the roster row; answers (sign-up, already)."""
    now = now or utcnow()
    _require_check_in_day(contest, now)
    if token:
        membership = member_card.membership_from_token(token)
        signup = signups.get_signup(contest.id, membership.worker_id)
        if signup is None:
            raise NotFound("该会员未报名本竞赛", code="not_signed_up")
    elif signup_id:
        signup = db.session.scalar(select(Signup).where(Signup.id == signup_id, Signup.contest_id == contest.id))
        if signup is None:
            raise NotFound("找不到该报名记录")
    else:
        raise Invalid(fields={"token": "请扫描会员卡二维码或搜索报名人员"})
    if signup.status == "waitlisted":
        raise Conflict(f"{signup.name}在候补名单中，尚未获得参赛名额", code="waitlisted")
    if signup.status != "confirmed":
        raise Conflict(f"{signup.name}的报名已取消", code="not_confirmed")
    if signup.checked_in_at:
        return signup, True
    signup.checked_in_at, signup.checked_in_by_id = now, staff.id
    db.session.flush()
    audit.record("contest.checkin", staff=staff, subject_type="contest_signup", subject_id=signup.id,
                 federation_id=contest.federation_id, detail={"contest_id": contest.id, "by": "card" if token else "search"})
    return signup, False


def undo_check_in(contest: Contest, signup_id: int, *, staff: Staff) -> Signup:
    signup = db.session.scalar(select(Signup).where(Signup.id == signup_id, Signup.contest_id == contest.id))
    if signup is None:
        raise NotFound("找不到该报名记录")
    if contest.status not in ("published", "closed") or not signup.checked_in_at:
        raise Conflict("不能撤销签到")
    signup.checked_in_at = signup.checked_in_by_id = None
    db.session.flush()
    audit.record("contest.checkin.undo", staff=staff, subject_type="contest_signup", subject_id=signup.id,
                 federation_id=contest.federation_id, detail={"contest_id": contest.id})
    return signup


# --- results ------------------------------------------------------------------------------
def _score(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError from None
    if not Decimal(0) <= score <= Decimal("9999.99"):
        raise ValueError
    return score


def record_results(contest: Contest, entries: list[dict], *, staff: Staff, now: datetime | None = None) -> int:
    """Score, rank and award of confirmed participants: [{"signup_id", "score", "rank", "award"}]."""
    now = now or utcnow()
    if contest.status not in ("closed", "finished") or now < contest.starts_at:
        raise Conflict("比赛开始且报名截止后才能录入成绩")
    if contest.results_published_at:
        raise Conflict("成绩已发布，不能再修改")
    errors, changed = {}, 0
    by_id = {s.id: s for s in db.session.scalars(select(Signup).where(
        Signup.contest_id == contest.id, Signup.id.in_([e.get("signup_id") for e in entries])))}
    for n, entry in enumerate(entries):
        signup = by_id.get(entry.get("signup_id"))
        if signup is None or signup.status != "confirmed":
            errors[f"{n}.signup_id"] = "只能为已确认的参赛人员录入成绩"
            continue
        try:
            score = _score(entry.get("score"))
        except ValueError:
            errors[f"{n}.score"] = "成绩应为0至9999.99之间的数字"
            continue
        rank, award = entry.get("rank"), (entry.get("award") or "").strip() or None
        if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
            errors[f"{n}.rank"] = "名次应为正整数"
            continue
        if award and len(award) > 50:
            errors[f"{n}.award"] = "奖项不超过50字"
            continue
        signup.score, signup.rank, signup.award = score, rank, award
        changed += 1
    if errors:
        raise Invalid(fields=errors)
    db.session.flush()
    audit.record("contest.results.record", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail={"entries": changed})
    return changed


def result_text(contest: Contest, signup: Signup) -> str:
    parts = []
    if signup.score is not None:
        parts.append(f"成绩{signup.score.normalize():f}分")
    if signup.rank:
        parts.append(f"第{signup.rank}名")
    if signup.award:
        parts.append(f"获得{signup.award}")
    if not parts:
        return f"感谢您参加「{contest.title}」！"
    note = f"（评分方式：{contest.scoring_note}）" if contest.scoring_note else ""
    return f"「{contest.title}」成绩已发布：您{'，'.join(parts)}{note}。感谢您的参与！"


def publish_results(contest: Contest, *, staff: Staff, now: datetime | None = None) -> int:
    """Send each participant their result in WeChat (once); answers how many were told."""
    if contest.status != "finished":
        raise Conflict("请先结束竞赛，再发布成绩")
    if contest.results_published_at:
        raise Conflict("成绩已发布")
    people = list(db.session.scalars(select(Signup).where(
        Signup.contest_id == contest.id, Signup.status == "confirmed",
        or_(Signup.checked_in_at.is_not(None), Signup.score.is_not(None), Signup.rank.is_not(None),
            Signup.award.is_not(None))).order_by(Signup.seq)))
    for signup in people:
        signups.notify(signup, result_text(contest, signup), "成绩发布",
                       dedup_key=f"contest:{contest.id}:result:{signup.id}")
    contest.results_published_at = now or utcnow()
    db.session.flush()
    audit.record("contest.results.publish", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail={"told": len(people)})
    return len(people)


# --- reminders ----------------------------------------------------------------------------
def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed participants of contests starting within a day; once per sign-up."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(Signup).join(Contest, Contest.id == Signup.contest_id).where(
            Contest.status.in_(("published", "closed")), Contest.starts_at > now,
            Contest.starts_at <= now + REMIND_AHEAD, Signup.status == "confirmed", Signup.reminded_at.is_(None))
        .order_by(Signup.id).with_for_update(skip_locked=True, of=Signup)))  # claimed: reminded once
    for signup in due:
        contest = signup.contest
        signups.notify(signup, f"提醒：您报名的「{contest.title}」将于{rules.fmt(contest.starts_at)}开始，"
                               f"地点：{rules.venue_text(contest)}。请携带身份证并准时到场签到。"
                               f"{rules.venue_link(contest)}", "明日开赛",
                       dedup_key=f"contest:{contest.id}:remind:{signup.id}")
        signup.reminded_at = now
    db.session.flush()
    return len(due)


def reminders_job() -> int:
    return send_reminders()


def close_registration_job() -> int:
    done = close_due_registrations()
    return done
