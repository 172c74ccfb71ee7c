"""Erasing what help requests and contest sign-ups hold about a person, when their retention clock
runs out (RETENTION_DAYS after a request is closed or withdrawn, after a contest has taken place)
or when the worker asks (service/privacy/requests.py).

A request keeps its number, type, federation, workplace region and industry, dates, status, outcome
and rating (anonymous statistics); the worker's name and mobile, the facts and wants, every message
text and the evidence images go. A sign-up keeps its status, score and rank; name, mobile, birth
date and answers go."""
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from models.contest import Contest, Signup
from models.request import Attachment, HelpRequest, RequestEvent
from service.extensions import db

ERASED_TEXT = "（已删除）"
CLOSED_REQUEST_STATUSES = ("closed", "withdrawn")


def erase_help_request(request: HelpRequest, now: datetime) -> None:
    request.worker_name = None
    request.worker_phone = None
    request.facts = request.wants = ERASED_TEXT
    request.details = {}
    request.rating_comment = None
    db.session.execute(update(RequestEvent).where(RequestEvent.request_id == request.id)
                       .values(body=None).execution_options(synchronize_session=False))
    db.session.execute(delete(Attachment).where(Attachment.request_id == request.id)
                       .execution_options(synchronize_session=False))
    request.erased_at = now


def erase_signup(signup: Signup, now: datetime) -> None:
    signup.name = ERASED_TEXT
    signup.phone = None
    signup.birth_date = None
    signup.answers = {}
    signup.reason = None
    signup.erased_at = now


def expired_help_requests(now: datetime, days: int):
    """Closed or withdrawn requests whose retention period ended, not yet erased."""
    ended = func.coalesce(HelpRequest.closed_at, HelpRequest.withdrawn_at, HelpRequest.updated_at)
    return select(HelpRequest).where(HelpRequest.status.in_(CLOSED_REQUEST_STATUSES), HelpRequest.erased_at.is_(None),
                                     ended <= now - timedelta(days=days))


def expired_signups(now: datetime, days: int):
    """Sign-ups of contests that took place more than the retention period ago, not yet erased."""
    held = func.coalesce(Contest.ends_at, Contest.starts_at)
    return (select(Signup).join(Contest, Contest.id == Signup.contest_id)
            .where(Signup.erased_at.is_(None), held <= now - timedelta(days=days)))


def purge_cases(now: datetime, days: int) -> dict:
    """Erase expired help requests (with their messages and images) and contest sign-ups (flushed)."""
    requests = list(db.session.scalars(expired_help_requests(now, days)))
    for request in requests:
        erase_help_request(request, now)
    signups = list(db.session.scalars(expired_signups(now, days)))
    for signup in signups:
        erase_signup(signup, now)
    db.session.flush()
    return {"help_requests": len(requests), "signups": len(signups)}
