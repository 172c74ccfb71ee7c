"""What a worker sees of contests: the list open to them, one contest with their eligibility
and sign-up, and their own sign-ups. Read only."""
from datetime import datetime

from sqlalchemy import select

from models.base import utcnow
from models.contest import CONTEST_STATUS_LABELS, SIGNUP_STATUS_LABELS, Contest, Signup
from models.worker import Worker
from service import refdata
from service.contests import rules
from service.contests import signups
from service.errors import NotFound
from service.extensions import db

LISTED = ("published", "closed")


def registration_state(contest: Contest, now: datetime) -> str:
    """open | not_open | closed | finished | cancelled."""
    if contest.status in ("finished", "cancelled"):
        return contest.status
    if contest.status == "closed" or now >= contest.registration_closes_at:
        return "closed"
    return "not_open" if now < contest.registration_opens_at else "open"


def _mine(signup: Signup | None, contest: Contest, now: datetime) -> dict | None:
    if signup is None:
        return None
    active = signup.status in signups.ACTIVE
    results = contest.results_published_at is not None and signup.status == "confirmed"
    return {
        "id": signup.id, "status": signup.status, "status_label": SIGNUP_STATUS_LABELS[signup.status],
        "position": signups.waitlist_position(signup), "checked_in": signup.checked_in_at is not None,
        "can_cancel": active and contest.status in LISTED and now < signups.cutoff(contest),
        "reason": signup.reason if signup.status == "removed" else None,
        "answers": signup.answers or {},
        "result": {"score": float(signup.score) if signup.score is not None else None, "rank": signup.rank,
                   "award": signup.award} if results else None,
        "created_at": signup.created_at,
    }


def view(contest: Contest, worker: Worker, *, now: datetime, signup: Signup | None = None,
         full: bool = False, membership=None) -> dict:
    reason = rules.eligibility_reason(contest, worker, now=now, membership=membership)
    industry = refdata.get_industry(contest.industry_code) if contest.industry_code else None
    out = {
        "id": contest.id, "title": contest.title, "federation_name": contest.federation.name,
        "trade": industry.name if industry else None, "venue": contest.venue,
        "venue_position": contest.venue_position,
        "starts_at": contest.starts_at, "ends_at": contest.ends_at,
        "registration_opens_at": contest.registration_opens_at,
        "registration_closes_at": contest.registration_closes_at, "cancel_cutoff_at": signups.cutoff(contest),
        "capacity": contest.capacity, "places_left": contest.places_left,
        "waitlist_count": contest.waitlisted_count, "status": contest.status,
        "status_label": CONTEST_STATUS_LABELS[contest.status], "registration": registration_state(contest, now),
        "eligible": reason is None, "reason": reason, "mine": _mine(signup, contest, now),
    }
    if full:
        rule = contest.eligibility or {}
        out.update({
            "description": contest.description, "scope_text": rules.scope_text(contest),
            "age_text": rules.age_text(rule), "exclusions": contest.exclusions, "scoring_note": contest.scoring_note,
            "questions": contest.questions or [], "needs_birth_date": rules.needs_birth_date(contest, worker),
            "prefill": {"name": worker.name or "", "phone": worker.phone or ""},
            "cancel_reason": contest.cancel_reason,
        })
    return out


def list_for_worker(worker: Worker, *, now: datetime | None = None) -> list[dict]:
    """Contests taking or recently taking sign-ups, and any the worker signed up for.

    A member does not see contests restricted to members of other federations."""
    now = now or utcnow()
    mine = {s.contest_id: s for s in db.session.scalars(select(Signup).where(Signup.worker_id == worker.id))}
    contests = db.session.scalars(select(Contest).where(
        (Contest.status.in_(LISTED)) | (Contest.id.in_(list(mine) or [0]))).order_by(Contest.starts_at))
    membership = rules.active_membership(worker.id)
    out = []
    for contest in contests:
        signup = mine.get(contest.id)
        if signup is None and membership is not None and rules.membership_reason(contest, membership):
            continue
        out.append(view(contest, worker, now=now, signup=signup, membership=membership))
    order = {"open": 0, "not_open": 1, "closed": 2, "finished": 3, "cancelled": 4}
    out.sort(key=lambda c: (order[c["registration"]], not c["eligible"], c["starts_at"]))
    return out


def detail_for_worker(contest_id: int, worker: Worker, *, now: datetime | None = None) -> dict:
    contest = db.session.get(Contest, contest_id)
    if contest is None or contest.status == "draft":
        raise NotFound("找不到该竞赛")
    return view(contest, worker, now=now or utcnow(), signup=signups.get_signup(contest.id, worker.id), full=True)
