"""Staff changes to a contest's roster: promote by hand, reorder the waitlist, add and remove
people with a reason (each audited, each worker told in WeChat). Same locking as
service/contests/signups.py: the contest row first, then the sign-ups. Functions flush; the caller commits."""
from datetime import datetime

from sqlalchemy import select

from models.base import utcnow
from models.contest import Contest, Signup
from models.membership import Application, Membership
from models.request import HelpRequest
from models.staff import Staff
from models.worker import Worker
from service import audit
from service.contests import rules
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.staff.scope import can_see, in_scope
from service.contests.signups import (ACTIVE, COUNTERS, bump_counters, claim_place, confirm_promoted, promote_waitlist,
                             fresh_signup, get_signup, lock_contest, notify, release_place)
from service.privacy.fields import is_mobile


def promote(contest_id: int, signup_id: int, *, staff: Staff, now: datetime | None = None) -> Signup:
    """Promote one waiting worker by hand; needs a free place (raise the capacity first)."""
    now = now or utcnow()
    contest = lock_contest(contest_id)
    signup = fresh_signup(signup_id, contest.id)
    if contest.status not in ("published", "closed"):
        raise Conflict("当前状态不能调整名单")
    if signup.status != "waitlisted":
        raise Conflict("只能递补候补名单中的人员")
    if bump_counters(contest.id, [Contest.confirmed_count < Contest.capacity], confirmed_count=1, waitlisted_count=-1) is None:
        raise Conflict("没有空余名额，请先增加名额", code="full")
    db.session.expire(contest, COUNTERS)
    confirm_promoted(signup, now)
    audit.record("contest.waitlist.promote", staff=staff, subject_type="contest_signup", subject_id=signup.id,
                 federation_id=contest.federation_id, detail={"contest_id": contest.id})
    return signup


def reorder_waitlist(contest_id: int, order: list[int], *, staff: Staff) -> list[Signup]:
    """Put the waitlist in the given order (every waiting sign-up's id, once); seq values are
    permuted among the waiting sign-ups, so nobody else moves."""
    contest = lock_contest(contest_id)
    if contest.status not in ("published", "closed"):
        raise Conflict("当前状态不能调整名单")
    waiting = list(db.session.scalars(select(Signup).where(Signup.contest_id == contest.id,
                                                           Signup.status == "waitlisted").order_by(Signup.seq)
                                      .execution_options(populate_existing=True)))
    if sorted(order) != sorted(s.id for s in waiting) or len(set(order)) != len(order):
        raise Conflict("候补名单已变化，请刷新后重试", code="stale")
    seqs = [s.seq for s in waiting]
    by_id = {s.id: s for s in waiting}
    for signup in waiting:  # out of the way first: (contest_id, seq) is unique
        signup.seq = -signup.seq
    db.session.flush()
    for seq, signup_id in zip(seqs, order):
        by_id[signup_id].seq = seq
    db.session.flush()
    audit.record("contest.waitlist.reorder", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail={"order": order})
    return [by_id[i] for i in order]


NOT_FOUND = "找不到该职工，请核对会员号或手机号"


def worker_in_scope(staff: Staff, worker_id: int) -> bool:
    """The worker is known to a node the staff member may see: a membership, an application, a
    help request or a contest sign-up there."""
    signed_up = select(Signup.id).join(Contest, Contest.id == Signup.contest_id).where(
        Signup.worker_id == worker_id, in_scope(staff, Contest.federation_id))
    probes = [select(Membership.id).where(Membership.worker_id == worker_id, in_scope(staff, Membership.federation_id)),
              select(Application.id).where(Application.worker_id == worker_id,
                                           in_scope(staff, Application.federation_id)),
              select(HelpRequest.id).where(HelpRequest.worker_id == worker_id,
                                           in_scope(staff, HelpRequest.federation_id)),
              signed_up]
    return any(db.session.scalar(probe.limit(1)) is not None for probe in probes)


def find_worker(*, staff: Staff, member_no: str | None = None,
                phone: str | None = None) -> tuple[Worker, Membership | None]:
    """A worker by member number or by the mobile number on file, among those `staff` may see.

    A member number of another federation and a number that does not exist get the same
    answer (a 404 with the same message), so the lookup cannot be used to probe the province."""
    if member_no:
        membership = db.session.scalar(select(Membership).where(
            Membership.member_no == member_no.strip(), in_scope(staff, Membership.federation_id)))
        if membership is not None:
            return membership.worker, membership
    if phone:
        for worker in db.session.scalars(select(Worker).where(Worker.phone == phone.strip()).order_by(Worker.id)):
            if worker_in_scope(staff, worker.id):
                membership = rules.active_membership(worker.id)
                if membership is not None and not can_see(staff, membership.federation_id):
                    membership = None  # another federation's member number is not ours to show
                return worker, membership
    raise NotFound(NOT_FOUND)


def add_by_staff(contest_id: int, *, staff: Staff, reason: str, member_no: str | None = None,
                 phone: str | None = None, name: str | None = None, now: datetime | None = None) -> Signup:
    """Add a worker by hand (no eligibility or window check): a free place, else the waitlist."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "请填写原因"})
    contest = db.session.get(Contest, contest_id)
    if contest is None or contest.status not in ("published", "closed"):
        raise Conflict("只有报名中或报名已截止的竞赛可以手动添加人员")
    worker, membership = find_worker(staff=staff, member_no=member_no, phone=phone)
    existing = get_signup(contest.id, worker.id)
    if existing is not None and existing.status in ACTIVE:
        raise Conflict("该职工已在名单中")
    name = (name or worker.name or (existing.name if existing else "") or "").strip()
    phone = (phone or worker.phone or (existing.phone if existing else "") or "").strip()
    if not name or not is_mobile(phone):
        raise Invalid(fields={"name": "请填写姓名和11位手机号"})
    state, seq = claim_place(contest, statuses=("published", "closed"), fair=False)
    signup = existing or Signup(contest_id=contest.id, worker_id=worker.id, answers={})
    signup.status, signup.seq, signup.source, signup.reason = state, seq, "staff", reason
    signup.name, signup.phone, signup.member_no = name, phone, membership.member_no if membership else None
    signup.confirmed_at = now if state == "confirmed" else None
    signup.cancelled_at = None
    db.session.add(signup)
    db.session.flush()
    audit.record("contest.signup.add", staff=staff, subject_type="contest_signup", subject_id=signup.id,
                 federation_id=contest.federation_id, detail={"contest_id": contest.id, "reason": reason,
                                                              "status": state})
    word = "报名成功" if state == "confirmed" else "候补中"
    notify(signup, f"主办方已为您报名「{contest.title}」（{word}）。比赛时间：{rules.fmt(contest.starts_at)}。", word)
    return signup


def remove_by_staff(contest_id: int, signup_id: int, *, staff: Staff, reason: str,
                    now: datetime | None = None) -> Signup:
    """Take someone off the list with a reason; a freed place goes to the waitlist before the cut-off."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "请填写原因"})
    contest = lock_contest(contest_id)
    signup = fresh_signup(signup_id, contest.id)
    if contest.status not in ("published", "closed"):
        raise Conflict("当前状态不能调整名单")
    if signup.status not in ACTIVE:
        raise Conflict("该报名已取消或已移出")
    was = signup.status
    release_place(signup)
    signup.status, signup.reason, signup.cancelled_at = "removed", reason, now
    db.session.flush()
    audit.record("contest.signup.remove", staff=staff, subject_type="contest_signup", subject_id=signup.id,
                 federation_id=contest.federation_id, detail={"contest_id": contest.id, "reason": reason, "was": was})
    notify(signup, f"您在「{contest.title}」的报名已被主办方取消。原因：{reason}", "已取消")
    if was == "confirmed":
        promote_waitlist(contest, now=now)
    return signup
