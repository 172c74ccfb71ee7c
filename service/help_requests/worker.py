"""Help requests, the worker's side: routing preview, submit, my requests, add information,
withdraw, rate (DESIGN §4 Ask for help). Staff actions are in service/help_requests/casework.py."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from models.base import utcnow
from models.request import (OPEN_STATUSES, REQUEST_TYPE_LABELS, WORKER_STATUS_LABELS, Attachment, HelpRequest,
                            RequestEvent)
from models.worker import Worker
from service import refdata, sequences
from service.help_requests import deadlines
from service.routing import router as routing
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.help_requests.outcomes import describe
from service.help_requests.fields import CONSENT_VERSION, clean_submission
from service.help_requests.status import add_event, notify_worker, transition
from service import clock
from service.help_requests.wording import routing_sentence

MAX_OPEN_PER_WORKER = 10
NUMBER_MAX = 999_999


def preview(region: str, industry: str | None, request_type: str | None, worker: Worker | None) -> dict:
    """Who would handle a request from this workplace, with the plain sentence the help page
    shows before submitting ("此诉求将由…受理（负责…）")."""
    found = routing.preview(region, industry, request_type, worker.id if worker else None)
    return {**found, "sentence": "此诉求将" + routing_sentence(found, found["federation_name"])}


def check(data: dict, *, now: datetime | None = None) -> None:
    """Every rule of the form, before the confirmation step; raises Invalid, stores nothing."""
    now = now or utcnow()
    clean_submission(data, today=clock.china_date(now))


def prefill(worker: Worker) -> dict:
    """What the worker already gave (their last request, else their join application): the
    help form starts from it."""
    from models.membership import Application

    known = {"name": worker.name, "phone": worker.phone}
    last = db.session.scalar(select(HelpRequest).where(HelpRequest.worker_id == worker.id)
                             .order_by(HelpRequest.id.desc()).limit(1))
    if last is not None:
        known.update(name=worker.name or last.worker_name, phone=worker.phone or last.worker_phone,
                     employer_name=last.employer_name, region_code=last.region_code, industry_code=last.industry_code)
    else:
        application = db.session.scalar(select(Application).where(Application.worker_id == worker.id)
                                        .order_by(Application.id.desc()).limit(1))
        if application is not None:
            known.update(employer_name=application.employer, region_code=application.region_code,
                         industry_code=application.industry_code)
    industry = refdata.get_industry(known.get("industry_code")) if known.get("industry_code") else None
    known["industry_name"] = industry.name if industry else None
    return {key: value for key, value in known.items() if value}


def next_request_number(now: datetime) -> str:
    """QZ + China date + 6 digits, from a per-day counter advanced by one guarded UPDATE."""
    day = clock.china_date(now).strftime("%Y%m%d")
    value = sequences.next_value(f"request:{day}", maximum=NUMBER_MAX)
    if value is None:
        raise Conflict("今日求助数量已达上限，请明天再试")
    return f"QZ{day}{value:06d}"


def submit(worker: Worker, data: dict, *, now: datetime | None = None) -> HelpRequest:
    """Check, route, number and store a help request; queue the worker's confirmation."""
    now = now or utcnow()
    clean = clean_submission(data, today=clock.china_date(now))
    open_count = db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.worker_id == worker.id, HelpRequest.status.in_(OPEN_STATUSES)))
    if open_count >= MAX_OPEN_PER_WORKER:
        raise Conflict(f"您已有{open_count}件诉求正在办理，请在“我的诉求”中补充材料")
    decision = routing.route(clean["region_code"], clean["industry_code"], clean["type"], worker.id)
    request = HelpRequest(
        number=next_request_number(now), worker_id=worker.id, federation_id=decision.federation_id,
        status="new", consent_version=CONSENT_VERSION, consent_at=now, routing=decision.as_dict(),
        worker_active_at=now, created_at=now, updated_at=now, **clean,
    )
    deadlines.set_initial_deadlines(request, now)
    db.session.add(request)
    db.session.flush()
    add_event(request, "submitted", public=True, by_worker=True, now=now,
              body=f"您提交了{REQUEST_TYPE_LABELS[request.type]}求助")
    add_event(request, "routed", public=True, now=now,
              body=routing_sentence(request.routing, decision.federation_name), data={"reason": decision.reason})
    due = deadlines.TARGETS[request.type].first_response.days
    notify_worker(request, f"已收到您的求助，由{decision.federation_name}受理，工会将在{due}日内答复您。"
                  "您可以在对话框直接发送图片作为证据。", dedup_key=f"request:{request.id}:submitted", now=now)
    return request


def list_mine(worker: Worker) -> list[HelpRequest]:
    return list(db.session.scalars(
        select(HelpRequest).where(HelpRequest.worker_id == worker.id)
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc()).limit(100)))


def get_mine(worker: Worker, request_id: int, *, touch: bool = False, now: datetime | None = None) -> HelpRequest:
    """The worker's own request (404 for anyone else's); `touch` records activity on it."""
    if not isinstance(request_id, int) or not 0 < request_id < 2 ** 31:
        raise NotFound("找不到该诉求")
    request = db.session.get(HelpRequest, request_id)
    if request is None or request.worker_id != worker.id:
        raise NotFound("找不到该诉求")
    if touch and request.is_open:
        request.worker_active_at = now or utcnow()
    return request


def public_events(request: HelpRequest) -> list[RequestEvent]:
    return list(db.session.scalars(select(RequestEvent).where(
        RequestEvent.request_id == request.id, RequestEvent.public.is_(True))
        .order_by(RequestEvent.created_at, RequestEvent.id)))


def add_info(worker: Worker, request_id: int, text: str, *, now: datetime | None = None) -> HelpRequest:
    """Add information to an open request; answers a request for more information."""
    now = now or utcnow()
    request = get_mine(worker, request_id, touch=True, now=now)
    text = (text or "").strip()
    if not 2 <= len(text) <= 2000:
        raise Invalid(fields={"text": "补充内容应为2–2000个字"})
    if not request.is_open:
        raise Conflict("该诉求已办结或已撤回，不能再补充")
    event = add_event(request, "info_added", public=True, by_worker=True, body=text, now=now)
    request.worker_unread = (request.worker_unread or 0) + 1
    if request.status == "awaiting_worker":
        transition(request, "in_progress")
        notify_worker(request, "已收到您补充的材料，工会将继续办理。",
                      dedup_key=f"request:{request.id}:event:{event.id}", now=now)
    request.updated_at = now
    return request


def withdraw(worker: Worker, request_id: int, reason: str | None = None, *, now: datetime | None = None) -> HelpRequest:
    now = now or utcnow()
    request = get_mine(worker, request_id, now=now)
    reason = (reason or "").strip()[:500]
    if request.status not in OPEN_STATUSES:
        raise Conflict("该诉求已办结或已撤回，不能撤回")
    transition(request, "withdrawn")
    request.withdrawn_at = request.updated_at = now
    add_event(request, "withdrawn", public=True, by_worker=True, now=now,
              body="您撤回了该诉求" + (f"。原因：{reason}" if reason else ""))
    notify_worker(request, "您已撤回该诉求。如有需要，可随时重新求助。",
                  dedup_key=f"request:{request.id}:withdrawn", now=now)
    return request


def rate(worker: Worker, request_id: int, rating: int, comment: str | None = None, *,
         now: datetime | None = None) -> HelpRequest:
    """A 1–5 rating with an optional comment, once, after the request is resolved."""
    now = now or utcnow()
    request = get_mine(worker, request_id, now=now)
    if request.status not in ("resolved", "closed"):
        raise Conflict("办结后才能评价")
    if request.rating is not None:
        raise Conflict("您已经评价过了")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise Invalid(fields={"rating": "请选择1–5星"})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise Invalid(fields={"comment": "评价内容不超过500字"})
    request.rating, request.rating_comment, request.rated_at = rating, comment or None, now
    add_event(request, "rated", public=True, by_worker=True, now=now, data={"rating": rating},
              body=f"您给出了{rating}星评价" + (f"：{comment}" if comment else ""))
    return request


def worker_summary(request: HelpRequest) -> dict:
    """What the worker's list shows about a request."""
    kind, due = deadlines.next_due(request)
    return {
        "id": request.id, "number": request.number, "type": request.type,
        "type_label": REQUEST_TYPE_LABELS[request.type], "status": request.status,
        "status_label": WORKER_STATUS_LABELS[request.status], "federation_name": request.federation.name,
        "created_at": request.created_at, "updated_at": request.updated_at, "due_at": due, "due_kind": kind,
    }


REOPEN_WINDOW = timedelta(days=15)


def _original(request: HelpRequest) -> HelpRequest | None:
    return db.session.get(HelpRequest, request.merged_into_id) if request.merged_into_id else None


def _events_with_original(request: HelpRequest) -> list[RequestEvent]:
    """A merged request's page follows the request it was merged into (its public lines)."""
    original = _original(request)
    events = public_events(request)
    if original is not None:
        events = sorted(events + public_events(original), key=lambda e: (e.created_at, e.id))
    return events


def _outcome_text(request: HelpRequest) -> str | None:
    original = _original(request)
    if original is not None and original.outcome:
        return describe(original.outcome)
    return describe(request.outcome) if request.outcome else None


def reopen_until(request: HelpRequest):
    """The last day the worker may say they are not satisfied and ask to reopen (15 days after 办结)."""
    if request.status != "resolved" or request.resolved_at is None:
        return None
    return clock.china_date(request.resolved_at + REOPEN_WINDOW)


def _asked_reopen(request: HelpRequest) -> bool:
    return db.session.scalar(select(RequestEvent.id).where(
        RequestEvent.request_id == request.id, RequestEvent.kind == "reopen_asked",
        RequestEvent.created_at >= request.resolved_at).limit(1)) is not None


def ask_reopen(worker: Worker, request_id: int, reason: str, *, now: datetime | None = None) -> HelpRequest:
    """Not satisfied after 办结: the worker asks to reopen, within 15 days, once. The caseworker is
    alerted; a chair or admin decides (casework.reopen)."""
    from service.help_requests.status import notify_staff

    now = now or utcnow()
    request = get_mine(worker, request_id, now=now)
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise Invalid(fields={"reason": "请写明不满意的原因（2–500字）"})
    until = reopen_until(request)
    if until is None or clock.china_date(now) > until:
        raise Conflict("办结15日内才能申请重新办理")
    if _asked_reopen(request):
        raise Conflict("您已申请过重新办理，工会会尽快答复")
    event = add_event(request, "reopen_asked", public=True, by_worker=True, now=now,
                      body=f"您对办理结果不满意，申请重新办理：{reason}")
    request.worker_unread = (request.worker_unread or 0) + 1
    request.worker_active_at = request.updated_at = now
    if request.assignee is not None:
        notify_staff(request.assignee, request, f"职工对办理结果不满意，申请重新办理：{reason}",
                     issue="职工申请重新办理", dedup_key=f"staff:reopen:{event.id}")
    return request


def worker_detail(request: HelpRequest) -> dict:
    """What the worker's request page shows: public lines only, never internal notes."""
    from service.help_requests.clocks import worker_clocks
    from service.help_requests.detail import _detail_rows
    from service.help_requests.meetings import meeting_of

    industry = refdata.get_industry(request.industry_code)
    today = clock.china_date(utcnow())
    until = reopen_until(request)
    return {
        **worker_summary(request),
        "employer_name": request.employer_name, "region_name": refdata.region_full_name(request.region_code),
        "industry_name": industry.name if industry else request.industry_code,
        "facts": request.facts, "wants": request.wants, "amount": request.amount, "learned_on": request.learned_on,
        "outcome_text": _outcome_text(request),
        "merged_into": original.number if (original := _original(request)) else None,
        "rating": request.rating, "rating_comment": request.rating_comment,
        "can_add_info": request.is_open, "can_withdraw": request.is_open,
        "can_rate": request.status in ("resolved", "closed") and request.rating is None and not request.merged_into_id,
        "can_ask_reopen": until is not None and today <= until and not _asked_reopen(request),
        "reopen_until": until,
        "routing_sentence": routing_sentence(request.routing, request.federation.name),
        "clocks": worker_clocks(request, today), "details": _detail_rows(request.details),
        "meeting": meeting_of(_original(request) or request),  # a merged request meets with its original
        "events": _events_with_original(request),
        "attachments": list(db.session.scalars(select(Attachment).where(Attachment.request_id == request.id)
                                               .order_by(Attachment.id))),
    }
