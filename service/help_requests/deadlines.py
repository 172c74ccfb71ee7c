"""Deadlines per request type, and the sweeper that enforces them (DESIGN §5 Deadlines).

Every target is in calendar days and is counted from submission, except mediation's resolution
target, which runs from acceptance (claim/assignment). The first-response target is met by the
first public word from the union (a reply, a request for more information, an outcome). Only
requests where the ball is in the union's court (new, in_progress) become overdue; "overdue" is
sticky — it records that a target was missed, for the inbox and for the statistics.
A transfer never restarts the clock (service/routing/transfers.py).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select

from models.base import utcnow
from models.federation import Federation
from models.request import HelpRequest
from models.staff import Staff
from service import audit
from service.routing import transfers
from service.errors import AppError
from service.extensions import db
from service.help_requests.status import add_event, notify_staff


@dataclass(frozen=True)
class Target:
    first_response: timedelta
    resolution: timedelta
    resolution_from: str  # "submitted" | "accepted"
    resolution_label: str  # what "resolved" means for this type
    basis: str  # why this target


D = timedelta(days=1)
# The one table of targets (documented in the console next to each row's deadline).
TARGETS: dict[str, Target] = {
    "mediation": Target(2 * D, 15 * D, "accepted", "调解结束",
                        "《劳动争议调解仲裁法》第14条：自受理调解申请之日起15日内未达成协议的，当事人可以申请仲裁"),
    "legal_aid": Target(2 * D, 7 * D, "submitted", "作出是否给予法律援助的决定",
                        "《法律援助法》第43条：自收到申请之日起7日内作出是否给予法律援助的决定"),
    "wage_arrears": Target(1 * D, 15 * D, "submitted", "协调办结或移送劳动保障监察",
                           "欠薪关系基本生活：1日内响应，15日内协调解决或移送处理"),
    "work_injury": Target(2 * D, 30 * D, "submitted", "给出处理意见（工伤认定、协商或移送）",
                          "工伤认定申请时限为事故发生之日起1年（《工伤保险条例》第17条），30日内给出处理意见"),
    "consultation": Target(1 * D, 3 * D, "submitted", "答复咨询", "法律咨询：1日内答复，3日内办结"),
}
ESCALATION_GRACE = timedelta(days=3)  # overdue this long → escalated to the upper union
LIMITATION_WARNING = timedelta(days=60)  # flag claims this close to the arbitration limitation
SWEEP_BATCH = 500
ACTIVE_STATUSES = ("new", "in_progress")  # the union owes the next step


def set_initial_deadlines(request: HelpRequest, now: datetime) -> None:
    """Deadlines at submission. Mediation's resolution target is provisional until acceptance:
    the latest acceptance allowed plus its 15 days."""
    target = TARGETS[request.type]
    request.first_response_due = now + target.first_response
    if target.resolution_from == "accepted":
        request.resolution_due = now + target.first_response + target.resolution
    else:
        request.resolution_due = now + target.resolution
    request.limitation_warning = limitation_near(request.learned_on, now.date())


def on_accepted(request: HelpRequest, now: datetime) -> None:
    """Called once, when the request is first claimed or assigned."""
    if request.accepted_at is None:
        request.accepted_at = now
        target = TARGETS[request.type]
        if target.resolution_from == "accepted":
            request.resolution_due = now + target.resolution


def on_first_response(request: HelpRequest, now: datetime) -> None:
    if request.first_responded_at is None:
        request.first_responded_at = now


def next_due(request) -> tuple[str | None, datetime | None]:
    """The deadline to show on a row: first response until it is met, then resolution."""
    if request.status not in ("new", "in_progress", "awaiting_worker"):
        return None, None
    if request.first_responded_at is None and request.first_response_due is not None:
        return "first_response", request.first_response_due
    return "resolution", request.resolution_due


def limitation_date(learned_on: date | None) -> date | None:
    """One year after the worker learned of the infringement (《劳动争议调解仲裁法》第27条)."""
    if learned_on is None:
        return None
    try:
        return learned_on.replace(year=learned_on.year + 1)
    except ValueError:  # 29 February
        return learned_on.replace(year=learned_on.year + 1, day=28)


def limitation_near(learned_on: date | None, today: date) -> bool:
    limit = limitation_date(learned_on)
    return limit is not None and limit - today <= LIMITATION_WARNING


# --------------------------------------------------------------------------- the sweeper
def _alert(request: HelpRequest, text: str, issue: str, key: str) -> int:
    """Alert the assignee, or, with nobody assigned, the chairs and admins of the holding inbox."""
    if request.assignee_id:
        recipients = [request.assignee]
    else:
        recipients = list(db.session.scalars(select(Staff).where(
            Staff.federation_id == request.federation_id, Staff.active.is_(True),
            Staff.role.in_(("chair", "admin")))))
    return sum(notify_staff(s, request, text, issue=issue, dedup_key=f"{key}:{s.id}")
               for s in recipients if s is not None and s.active)


def mark_overdue(now: datetime) -> int:
    rows = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.status.in_(ACTIVE_STATUSES), HelpRequest.overdue.is_(False),
            or_(and_(HelpRequest.first_responded_at.is_(None), HelpRequest.first_response_due < now),
                HelpRequest.resolution_due < now))
        .order_by(HelpRequest.id).limit(SWEEP_BATCH).with_for_update(skip_locked=True)  # claimed
    ).all()
    for request in rows:
        first = request.first_responded_at is None and request.first_response_due < now
        request.overdue, request.overdue_since = True, now
        request.overdue_kind = "first_response" if first else "resolution"
        what = "首次答复" if first else TARGETS[request.type].resolution_label
        add_event(request, "overdue", public=False, now=now, data={"kind": request.overdue_kind},
                  body=f"已超过{what}期限，系统标记为超期")
        _alert(request, f"已超过{what}期限，请尽快办理", "超期未办", f"overdue:{request.id}")
        audit.record("request.overdue", actor="system", subject_type="request", subject_id=request.id,
                     federation_id=request.federation_id, detail={"kind": request.overdue_kind})
    return len(rows)


def escalate_overdue(now: datetime) -> int:
    rows = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.status.in_(ACTIVE_STATUSES), HelpRequest.overdue,
            HelpRequest.escalated.is_(False), HelpRequest.overdue_since <= now - ESCALATION_GRACE)
        .order_by(HelpRequest.id).limit(SWEEP_BATCH).with_for_update(skip_locked=True)  # claimed
    ).all()
    done = 0
    for request in rows:
        request.escalated, request.escalated_at = True, now
        days = ESCALATION_GRACE.days
        holder = db.session.get(Federation, request.federation_id)
        try:
            with db.session.begin_nested():
                transfers.escalate(request, reason=f"超期{days}日仍未办理，系统自动上报上级工会")
        except AppError as error:  # top of the tree, or the upper union is not active
            add_event(request, "escalate_failed", public=False, now=now, body=f"自动上报未成功：{error.message}")
            audit.record("request.escalate_failed", actor="system", subject_type="request",
                         subject_id=request.id, federation_id=request.federation_id)
            continue
        done += 1
        _alert(request, f"因超期{days}日，已由{holder.name}自动上报至本单位", "超期上报", f"escalated:{request.id}")
    return done


def flag_limitation(now: datetime) -> int:
    today = now.date()
    # learned_on + 1 year ≤ today + 60 days; a day's slack for 29 February, checked exactly below.
    bound = limitation_learned_bound(today)
    rows = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.status.in_(("new", "in_progress", "awaiting_worker")),
            HelpRequest.limitation_warning.is_(False), HelpRequest.learned_on <= bound)
        .order_by(HelpRequest.id).limit(SWEEP_BATCH).with_for_update(skip_locked=True)  # claimed
    ).all()
    flagged = 0
    for request in rows:
        if not limitation_near(request.learned_on, today):
            continue
        flagged += 1
        request.limitation_warning = True
        limit = limitation_date(request.learned_on)
        add_event(request, "limitation", public=False, now=now,
                  body=f"仲裁时效将于{limit:%Y-%m-%d}届满（知道权利受侵害之日起一年），请提醒职工及时申请仲裁")
        _alert(request, f"仲裁时效将于{limit:%Y-%m-%d}届满", "仲裁时效临近", f"limitation:{request.id}")
        audit.record("request.limitation_warning", actor="system", subject_type="request",
                     subject_id=request.id, federation_id=request.federation_id)
    return flagged


def limitation_learned_bound(today: date) -> date:
    horizon = today + LIMITATION_WARNING + D
    try:
        return horizon.replace(year=horizon.year - 1)
    except ValueError:
        return horizon.replace(year=horizon.year - 1, day=28)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Mark overdue requests, escalate those overdue past the grace period, flag claims near the
    arbitration limitation. Flushes; the caller commits."""
    now = now or utcnow()
    return {"overdue": mark_overdue(now), "escalated": escalate_overdue(now), "limitation": flag_limitation(now)}


def sweep_job() -> int:
    counts = sweep()
    return sum(counts.values())
