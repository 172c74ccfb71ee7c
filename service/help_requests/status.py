"""The request state machine, timeline lines and worker notifications, shared by the worker
side (service/help_requests/worker.py), casework (service/help_requests/casework.py) and the sweeper (service/help_requests/deadlines.py).

    new → in_progress → awaiting_worker ↔ in_progress → resolved → closed
    resolved → in_progress (reopen); any open state → withdrawn (by the worker)
"""
from datetime import datetime

from flask import current_app

from models.request import (OPEN_STATUSES, REQUEST_STATUSES, REQUEST_TYPE_LABELS, STATUS_LABELS,
                            WORKER_STATUS_LABELS, HelpRequest, RequestEvent)
from models.staff import Staff
from service.errors import Conflict
from service.extensions import db
from service.links import h5_url
from service.wechat.outbox import queue_message
from service.help_requests.outcomes import OUTCOME_LABELS
from service import clock

TRANSITIONS: frozenset[tuple[str, str]] = frozenset({
    ("new", "in_progress"),
    ("in_progress", "awaiting_worker"),
    ("awaiting_worker", "in_progress"),
    ("in_progress", "resolved"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),  # reopen
    *((status, "withdrawn") for status in OPEN_STATUSES),
})
TEMPLATE_FIELD_MAX = 20  # WeChat template values are cut at 20 characters


def can_transition(old: str, new: str) -> bool:
    return (old, new) in TRANSITIONS


def transition(request: HelpRequest, new: str) -> str:
    """Move `request` to status `new`, or raise Conflict; answers the old status."""
    if new not in REQUEST_STATUSES:
        raise ValueError(f"unknown status {new!r}")
    old = request.status
    if not can_transition(old, new):
        raise Conflict(f"该诉求当前为「{STATUS_LABELS[old]}」，不能改为「{STATUS_LABELS[new]}」",
                       code="bad_transition")
    request.status = new
    return old


def add_event(request: HelpRequest, kind: str, *, public: bool, body: str | None = None,
              staff: Staff | None = None, by_worker: bool = False, data: dict | None = None,
              now: datetime | None = None) -> RequestEvent:
    event = RequestEvent(request_id=request.id, kind=kind, public=public, body=body,
                         actor_staff_id=staff.id if staff else None, by_worker=by_worker, data=data)
    if now is not None:
        event.created_at = now
    db.session.add(event)
    db.session.flush()
    return event


def tell_worker(request: HelpRequest, kind: str, body: str, *, message: str | None = None,
                staff: Staff | None = None, data: dict | None = None, now: datetime | None = None) -> RequestEvent:
    """A public line on the timeline and the WeChat message that carries it (`message`, else the
    line itself), queued under the key service/help_requests/delivery.py reads its state by."""
    event = add_event(request, kind, public=True, staff=staff, now=now, body=body, data=data)
    notify_worker(request, body if message is None else message,
                  dedup_key=f"request:{request.id}:event:{event.id}", now=now)
    return event


def _short(value: str) -> str:
    return value if len(value) <= TEMPLATE_FIELD_MAX else value[: TEMPLATE_FIELD_MAX - 1] + "…"


def notify_worker(request: HelpRequest, text: str, *, dedup_key: str, now: datetime | None = None,
                  fan_out: bool = True) -> None:
    """Queue a WeChat message about `request` to its worker (same transaction as the change).
    The delivery picks a customer-service message or the `request_update` template. With
    `fan_out`, the workers of requests merged into this one (a group case) get it too."""
    federation = request.federation
    status = WORKER_STATUS_LABELS[request.status]
    if request.status == "resolved" and request.outcome:  # a template card shows the outcome too
        status += f"（{OUTCOME_LABELS[request.outcome['result']]}）"
    queue_message(
        request.worker.openid,
        f"【{REQUEST_TYPE_LABELS[request.type]}诉求 {request.number}】{text}",
        url=h5_url("request", id=request.id),
        template="request_update",
        fields={
            "number": request.number,
            "type": REQUEST_TYPE_LABELS[request.type],
            "status": _short(status),
            "handler": _short(federation.name if federation else ""),
            "time": clock.minute_text(now or request.updated_at),
        },
        dedup_key=dedup_key,
    )
    if fan_out and request.id is not None:
        _fan_out(request, text, dedup_key, now)


def _fan_out(request: HelpRequest, text: str, dedup_key: str, now: datetime | None) -> None:
    from sqlalchemy import select

    told = {request.worker_id}
    for member in db.session.scalars(select(HelpRequest).where(HelpRequest.merged_into_id == request.id)
                                     .order_by(HelpRequest.id)):
        if member.worker_id in told:
            continue
        told.add(member.worker_id)
        queue_message(
            member.worker.openid, f"【{REQUEST_TYPE_LABELS[request.type]}诉求 {request.number}（合并办理）】{text}",
            url=h5_url("request", id=member.id), template="request_update",  # their page follows the original
            fields={"number": request.number, "type": REQUEST_TYPE_LABELS[request.type],
                    "status": _short(WORKER_STATUS_LABELS[request.status]),
                    "handler": _short(request.federation.name if request.federation else ""),
                    "time": clock.minute_text(now or request.updated_at)},
            dedup_key=f"{dedup_key}:to:{member.id}"[:120],
        )


def notify_staff(staff: Staff, request: HelpRequest, text: str, *, issue: str, dedup_key: str) -> bool:
    """Queue a `staff_alert` to a staff member who linked their WeChat; False if they have not."""
    if not staff.openid:
        return False
    base = current_app.config["PUBLIC_BASE_URL"]
    queue_message(
        staff.openid, f"【工联工作台】诉求 {request.number}：{text}",
        url=f"{base}/console/request.html?id={request.id}", template="staff_alert",
        fields={"number": request.number, "issue": _short(issue),
                "handler": _short(request.federation.name if request.federation else "")},
        dedup_key=dedup_key,
    )
    return True
