"""Sign-ups: sign up, waitlist, cancel, automatic promotion (DESIGN §4 Skill contests);
staff changes to the roster are in service/contests/roster.py.

Every change starts with one UPDATE or SELECT … FOR UPDATE of the contest row; that row lock
serialises the contest's sign-ups, cancellations and promotions on PostgreSQL (SQLite
serialises writers anyway). Places are taken by a guarded UPDATE
(`confirmed_count < capacity`), and seq comes from the contest's own counter in the same
statement, so there are never more confirmed sign-ups than places and seq never repeats.
Functions flush; the caller commits, so each change and its WeChat messages share a transaction.
"""
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.contest import Contest, Signup
from models.outbox import OutboxMessage
from models.worker import Worker
from service import audit
from service.contests import rules
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from service.links import h5_url
from service.wechat.outbox import queue_message
from service.privacy.fields import is_mobile

ACTIVE = ("confirmed", "waitlisted")
COUNTERS = ["confirmed_count", "waitlisted_count", "last_seq"]


# --- notifications ------------------------------------------------------------------------
def notify(signup: Signup, text: str, state: str, *, dedup_key: str | None = None) -> None:
    """Queue a contest message for the worker (once per dedup_key)."""
    if dedup_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)):
        return
    contest = signup.contest
    # keys of the contest_notice template: 竞赛名称, 比赛时间, 报名状态, 备注
    fields = {"thing1": contest.title, "time2": rules.fmt(contest.starts_at), "phrase3": state,
              "thing4": (contest.venue_position.name if contest.venue_position else contest.venue)
              or contest.federation.name}
    queue_message(signup.worker.openid, text, url=h5_url("contest", id=contest.id), template="contest_notice",
                  fields=fields, dedup_key=dedup_key)


# --- counters -----------------------------------------------------------------------------
def lock_contest(contest_id: int) -> Contest:
    """The contest row, locked until the transaction ends, with fresh counters."""
    contest = db.session.scalar(
        select(Contest).where(Contest.id == contest_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    if contest is None:
        raise NotFound("找不到该竞赛")
    return contest


def bump_counters(contest_id: int, where=(), **deltas) -> int | None:
    """One guarded UPDATE of the contest's counters; answers the new last_seq or None."""
    values = {name: getattr(Contest, name) + delta for name, delta in deltas.items()}
    stmt = (update(Contest).where(Contest.id == contest_id, *where).values(**values)
            .returning(Contest.last_seq).execution_options(synchronize_session=False))
    return db.session.execute(stmt).scalar()


def claim_place(contest: Contest, *, statuses=("published",), fair: bool = True) -> tuple[str, int]:
    """Take a place, or else a waitlist slot: ("confirmed" | "waitlisted", seq).

    `fair`: a newcomer takes a free place only when nobody is waiting."""
    room = [Contest.confirmed_count < Contest.capacity]
    if fair:
        room.append(Contest.waitlisted_count == 0)
    for _ in range(5):  # a place may free between the two statements (only without a lock held)
        seq = bump_counters(contest.id, [Contest.status.in_(statuses), *room], confirmed_count=1, last_seq=1)
        if seq is not None:
            state = "confirmed"
            break
        full = or_(Contest.confirmed_count >= Contest.capacity, Contest.waitlisted_count > 0) if fair \
            else Contest.confirmed_count >= Contest.capacity
        seq = bump_counters(contest.id, [Contest.status.in_(statuses), full], waitlisted_count=1, last_seq=1)
        if seq is not None:
            state = "waitlisted"
            break
        if db.session.scalar(select(Contest.status).where(Contest.id == contest.id)) not in statuses:
            raise Conflict("报名已截止")
    else:
        raise Conflict("报名人数较多，请稍后重试")
    db.session.expire(contest, COUNTERS)
    return state, seq


def release_place(signup: Signup) -> None:
    counter = "confirmed_count" if signup.status == "confirmed" else "waitlisted_count"
    bump_counters(signup.contest_id, **{counter: -1})
    db.session.expire(signup.contest, COUNTERS)


def fresh_signup(signup_id: int, contest_id: int) -> Signup:
    signup = db.session.scalar(select(Signup).where(Signup.id == signup_id, Signup.contest_id == contest_id)
                               .execution_options(populate_existing=True))
    if signup is None:
        raise NotFound("找不到该报名记录")
    return signup


def cutoff(contest: Contest) -> datetime:
    return contest.cancel_cutoff_at or contest.registration_closes_at


def waitlist_position(signup: Signup) -> int | None:
    if signup.status != "waitlisted":
        return None
    ahead = db.session.scalar(select(func.count()).where(
        Signup.contest_id == signup.contest_id, Signup.status == "waitlisted", Signup.seq < signup.seq))
    return ahead + 1


def get_signup(contest_id: int, worker_id: int) -> Signup | None:
    return db.session.scalar(select(Signup).where(Signup.contest_id == contest_id, Signup.worker_id == worker_id))


# --- worker -------------------------------------------------------------------------------
def sign_up(contest_id: int, worker: Worker, *, name: str, phone: str, birth_date: date | None = None,
            answers: dict | None = None, now: datetime | None = None) -> Signup:
    """Sign the worker up: a place while there is one, else the waitlist; tells them in WeChat."""
    now = now or utcnow()
    contest = db.session.get(Contest, contest_id)
    if contest is None or contest.status == "draft":
        raise NotFound("找不到该竞赛")
    existing = get_signup(contest.id, worker.id)
    if existing is not None and existing.status in ACTIVE:
        raise Conflict("您已报名该竞赛", code="already_signed_up")
    if existing is not None and existing.status == "removed":
        raise Conflict("您已被主办方移出本次竞赛，如有疑问请联系主办方", code="removed")
    name, phone = (name or "").strip(), (phone or "").strip()
    errors = {}
    if not 1 <= len(name) <= 50:
        errors["name"] = "请填写姓名"
    if not is_mobile(phone):
        errors["phone"] = "请填写11位手机号码"
    if birth_date is None and rules.needs_birth_date(contest, worker):
        errors["birth_date"] = "请填写出生日期，以便核验年龄"
    if errors:
        raise Invalid(fields=errors)
    membership = rules.active_membership(worker.id)
    reason = rules.eligibility_reason(contest, worker, now=now, birth=birth_date, membership=membership)
    if reason:
        raise Forbidden(reason, code="not_eligible")
    answers = rules.clean_answers(contest.questions or [], answers)

    state, seq = claim_place(contest)  # the row lock is held from here to the commit
    signup = existing or Signup(contest_id=contest.id, worker_id=worker.id)
    signup.status, signup.seq, signup.source = state, seq, "worker"
    signup.name, signup.phone, signup.answers = name, phone, answers
    signup.birth_date = None if worker.birth_date else birth_date
    signup.member_no = membership.member_no if membership else None
    signup.confirmed_at = now if state == "confirmed" else None
    signup.cancelled_at = signup.reason = None
    try:
        db.session.add(signup)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("您已报名该竞赛", code="already_signed_up") from None
    if state == "confirmed":
        notify(signup, f"您已成功报名「{contest.title}」。比赛时间：{rules.fmt(contest.starts_at)}，"
                       f"地点：{rules.venue_text(contest)}。{rules.venue_link(contest)}", "报名成功")
    else:
        notify(signup, f"「{contest.title}」名额已满，您已进入候补名单，当前第{waitlist_position(signup)}位。"
                       "有名额空出时将按顺序自动递补并通知您。", "候补中")
    return signup


def cancel_signup(contest_id: int, worker: Worker, *, now: datetime | None = None) -> Signup:
    """The worker withdraws before the cut-off; a freed place goes to the waitlist at once."""
    now = now or utcnow()
    contest = lock_contest(contest_id)
    signup = get_signup(contest.id, worker.id)
    if signup is not None:
        signup = fresh_signup(signup.id, contest.id)
    if signup is None or signup.status not in ACTIVE:
        raise NotFound("您没有报名该竞赛")
    if contest.status in ("finished", "cancelled"):
        raise Conflict("竞赛已结束或已取消，不能取消报名")
    if now >= cutoff(contest):
        raise Conflict(f"已过取消报名截止时间（{rules.fmt(cutoff(contest))}），如需取消请联系主办方",
                       code="past_cutoff")
    was = signup.status
    release_place(signup)
    signup.status, signup.cancelled_at = "cancelled", now
    db.session.flush()
    notify(signup, f"您已取消「{contest.title}」的报名。", "已取消")
    if was == "confirmed":
        promote_waitlist(contest, now=now)
    return signup


def promote_waitlist(contest: Contest, *, now: datetime | None = None) -> list[Signup]:
    """Promote the waitlist in order into free places (before the cut-off only; the caller holds
    the contest lock). A waiting worker who no longer qualifies is taken off the list, with a reason."""
    now = now or utcnow()
    if contest.status not in ("published", "closed") or now >= cutoff(contest):
        return []
    promoted = []
    waiting = list(db.session.scalars(
        select(Signup).where(Signup.contest_id == contest.id, Signup.status == "waitlisted")
        .order_by(Signup.seq).execution_options(populate_existing=True)))
    for signup in waiting:
        if contest.confirmed_count >= contest.capacity:
            break
        reason = rules.eligibility_reason(contest, signup.worker, now=now, birth=signup.birth_date, check_window=False)
        if reason:
            release_place(signup)
            signup.status, signup.reason = "removed", f"候补递补时不再符合报名条件：{reason}"
            audit.record("contest.waitlist.drop", actor="system", subject_type="contest_signup",
                         subject_id=signup.id, federation_id=contest.federation_id, detail={"reason": reason})
            notify(signup, f"很抱歉，「{contest.title}」有名额空出，但您{reason}，已无法递补。", "未能递补")
            continue
        if bump_counters(contest.id, [Contest.confirmed_count < Contest.capacity], confirmed_count=1,
                 waitlisted_count=-1) is None:
            break
        db.session.expire(contest, COUNTERS)
        confirm_promoted(signup, now)
        promoted.append(signup)
    return promoted


def confirm_promoted(signup: Signup, now: datetime) -> None:
    contest = signup.contest
    signup.status, signup.confirmed_at = "confirmed", now
    db.session.flush()
    notify(signup, f"好消息！「{contest.title}」有名额空出，您已从候补转为正式报名。"
                   f"比赛时间：{rules.fmt(contest.starts_at)}，地点：{rules.venue_text(contest)}。"
                   f"{rules.venue_link(contest)}", "候补转正")
