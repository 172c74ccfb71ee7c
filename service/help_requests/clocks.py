"""The clocks that matter to the worker, told to the worker (not only to staff):
- a mediation that has run 15 days from acceptance without agreement → they may apply for
  arbitration (劳动争议调解仲裁法 §14);
- the one-year arbitration limitation is near → the date it runs out (§27).
Shown on their request page and sent once in the chat by `worker_clocks_job`."""
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select

from models.base import utcnow
from models.request import OPEN_STATUSES, HelpRequest, RequestEvent
from service.extensions import db
from service.help_requests import deadlines
from service import clock
from service.help_requests.status import tell_worker

MEDIATION_DAYS = timedelta(days=15)
BATCH = 200


def mediation_due(request: HelpRequest) -> date | None:
    """The day from which an unsettled mediation lets the worker go to arbitration."""
    if request.type != "mediation" or request.accepted_at is None:
        return None
    return clock.china_date(request.accepted_at + MEDIATION_DAYS)


def mediation_sentence(due: date, today: date) -> str:
    if today >= due:
        return f"调解已满15日（{due.isoformat()}起）仍未达成协议的，您可以直接向劳动人事争议仲裁委员会申请仲裁。"
    return f"调解自受理起15日内（至{due.isoformat()}）未达成协议的，您可以申请劳动仲裁。"


def limitation_sentence(limit: date) -> str:
    return f"申请劳动仲裁的时效将于{limit.isoformat()}届满，请在此之前申请，以免失去仲裁的权利。"


def worker_clocks(request: HelpRequest, today: date) -> list[str]:
    """The sentences the worker's request page shows (open requests only)."""
    if request.status not in OPEN_STATUSES:
        return []
    found = []
    due = mediation_due(request)
    if due is not None:
        found.append(mediation_sentence(due, today))
    if deadlines.limitation_near(request.learned_on, today):
        found.append(limitation_sentence(deadlines.limitation_date(request.learned_on)))
    return found


def _not_told(kind: str):
    return ~exists().where(RequestEvent.request_id == HelpRequest.id, RequestEvent.kind == kind)


def tell_clocks(now: datetime | None = None, limit: int = BATCH) -> int:
    """Tell each worker once: mediation past 15 days, limitation near. Answers how many told."""
    now = now or utcnow()
    today = clock.china_date(now)
    told = 0
    mediations = db.session.scalars(select(HelpRequest).where(
        HelpRequest.type == "mediation", HelpRequest.status.in_(OPEN_STATUSES),
        HelpRequest.accepted_at <= now - MEDIATION_DAYS, _not_told("clock_mediation")).limit(limit)).all()
    for request in mediations:
        tell_worker(request, "clock_mediation", mediation_sentence(mediation_due(request), today), now=now)
        told += 1
    bound = deadlines.limitation_learned_bound(today)
    near = db.session.scalars(select(HelpRequest).where(
        HelpRequest.status.in_(OPEN_STATUSES), HelpRequest.learned_on.is_not(None), HelpRequest.learned_on <= bound,
        _not_told("clock_limitation")).limit(limit)).all()
    for request in near:
        if deadlines.limitation_near(request.learned_on, today):
            tell_worker(request, "clock_limitation", limitation_sentence(deadlines.limitation_date(request.learned_on)),
                        now=now)
            told += 1
    db.session.flush()
    return told


def worker_clocks_job() -> int:
    """Periodic job (hourly): the clocks told to workers in the chat."""
    return tell_clocks()
