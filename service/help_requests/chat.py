"""The chat is part of the case: what a worker sends in WeChat (text, voice, images) joins their
open request as a message from the worker, so the caseworker reads it in the timeline.

Called from the WeChat callback, so nothing here calls out over the network; an image is
recorded with its MediaId and downloaded later by the fetch-attachments job.
"""
from datetime import datetime

from sqlalchemy import bindparam, select

from models.base import utcnow
from models.request import OPEN_STATUSES, REQUEST_TYPE_LABELS, HelpRequest
from models.worker import Worker
from service.extensions import db
from service.help_requests.status import add_event, transition
from service.wechat import autocommit

MAX_TEXT = 2000


def _last_active(request: HelpRequest) -> tuple[datetime, int]:
    moments = [m for m in (request.worker_active_at, request.updated_at, request.created_at) if m is not None]
    return max(moments), request.id


def open_requests(worker: Worker) -> list[HelpRequest]:
    """The worker's open requests (at most 10 are allowed), the most recently active first: a
    staff reply, the worker opening its page or writing about it."""
    found = db.session.scalars(select(HelpRequest).where(
        HelpRequest.worker_id == worker.id, HelpRequest.status.in_(OPEN_STATUSES)).limit(20)).all()
    return sorted(found, key=_last_active, reverse=True)


_ANY_OPEN = (select(HelpRequest.id).join(Worker, Worker.id == HelpRequest.worker_id)
             .where(Worker.openid == bindparam("openid"), HelpRequest.status.in_(OPEN_STATUSES)).limit(1))


def has_open_request(openid: str) -> bool:
    """Whether the worker with this openid has an open request (one read, no transaction: the
    callback asks before deciding whether a chat message changes anything)."""
    return autocommit.scalar(_ANY_OPEN, {"openid": openid}) is not None


def current_request(worker: Worker) -> tuple[HelpRequest | None, int]:
    """The open request a chat message goes to, and how many are open."""
    found = open_requests(worker)
    return (found[0] if found else None), len(found)


def mark_from_worker(request: HelpRequest, now: datetime) -> None:
    """The worker spoke on this request: it counts as their activity, the inbox flags it, and a
    request waiting for the worker goes back to the caseworker."""
    request.worker_active_at = request.updated_at = now
    request.worker_unread = (request.worker_unread or 0) + 1
    if request.status == "awaiting_worker":
        transition(request, "in_progress")


def add_chat_message(worker: Worker, text: str, *, kind: str = "text", media_id: str | None = None,
                     now: datetime | None = None) -> tuple[HelpRequest | None, int]:
    """Record a text (or the recognised text of a voice message) on the worker's current open
    request; answers (request or None, number of open requests)."""
    now = now or utcnow()
    request, count = current_request(worker)
    if request is None:
        return None, 0
    body = (text or "").strip()[:MAX_TEXT]
    if kind == "voice":
        body = f"（语音）{body}" if body else "（语音消息，微信未能识别文字，请电话联系职工）"
    data = {"channel": "chat", "kind": kind}
    if media_id:
        data["media_id"] = media_id[:128]
    add_event(request, "worker_message", public=True, by_worker=True, now=now, body=body, data=data)
    mark_from_worker(request, now)
    return request, count


def forwarded_sentence(request: HelpRequest, count: int) -> str:
    """What the bot answers: where the message went (and how to reach another open request)."""
    label = REQUEST_TYPE_LABELS[request.type]
    if request.assignee is not None:
        where = f"已转给您的{label}诉求 {request.number}的办理人"
    else:
        where = f"已转给受理您{label}诉求 {request.number}的{request.federation.name}"
    text = f"{where}，工作人员会在这里回复您。"
    if count > 1:
        text += f"\n您有{count}件诉求正在办理；如要补充其他诉求，请在“我的”里打开那件诉求。"
    return text
