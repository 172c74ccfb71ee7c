"""The outbox: one way to notify a worker in WeChat (DESIGN §7).

A message is a row written in the same transaction as the change that causes it; the worker
process delivers it later (customer-service message inside WeChat's 48-hour window, template
message outside it), retrying what can be retried and recording what cannot be delivered.
Nothing in a request handler calls WeChat. This module queues, claims and plans; the sending
itself is service/wechat/deliverer.py.
"""
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.outbox import OutboxMessage
from service.extensions import db
from service.wechat.client import Delivered, SendResult, Undeliverable

# Template kinds the service uses; the template ids come from config (WECHAT_TEMPLATES).
TEMPLATE_KINDS = ("application_result", "request_update", "contest_notice", "staff_alert")
WINDOW_AFTER_MESSAGE = timedelta(hours=48)
WINDOW_AFTER_EVENT = timedelta(minutes=1)
# A customer-service refusal that a template message can still get past.
FALL_BACK_TO_TEMPLATE = (45015, 45047)


def queue_message(
    openid: str,
    text: str,
    *,
    url: str | None = None,
    template: str = "request_update",
    fields: dict[str, str] | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage:
    """Queue a WeChat message for `openid` (flushed; the caller's commit makes it real).

    `text` is the customer-service message (a link to `url` is appended when given);
    `template` and `fields` are used when the worker is outside the 48-hour window —
    each field value is cut to WeChat's 20 characters at delivery.
    `dedup_key` makes queuing idempotent: the same key returns the message already queued.
    """
    if template not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {template!r}")
    if dedup_key:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is not None:
            return existing
    message = OutboxMessage(
        openid=openid,
        # fields as [key, value] pairs: JSONB would reorder an object's keys
        payload={"text": text, "url": url, "template": template,
                 "fields": [[str(key), str(value)] for key, value in (fields or {}).items()]},
        dedup_key=dedup_key,
        status="pending",
    )
    try:
        with db.session.begin_nested():  # a SAVEPOINT: a concurrent duplicate undoes only this row
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is None:
            raise
        return existing
    return message


# --- claiming -------------------------------------------------------------------------------
def _lease() -> timedelta:
    """How long a claim lasts: longer than one delivery can take (two sends, two token fetches)."""
    return timedelta(seconds=4 * float(current_app.config["WECHAT_TIMEOUT"]) + 30)


def _due():
    now = utcnow()
    return (OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))


def claim_due(batch: int, claimer: str) -> list[int]:
    """Claim up to `batch` due messages for `claimer` and commit the claim. PostgreSQL skips
    rows another process is claiming (FOR UPDATE SKIP LOCKED); SQLite, whose writers take turns,
    claims with one conditional UPDATE."""
    until = utcnow() + _lease()
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(
            select(OutboxMessage.id).where(*_due()).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch).with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                               .values(locked_by=claimer, locked_until=until)
                               .execution_options(synchronize_session=False))
    else:
        due = select(OutboxMessage.id).where(*_due()).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(due.limit(batch)), *_due())
                           .values(locked_by=claimer, locked_until=until)
                           .execution_options(synchronize_session=False))
        ids = list(db.session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.locked_by == claimer, OutboxMessage.status == "pending").order_by(OutboxMessage.id)))
    db.session.commit()
    return ids


# --- delivering -----------------------------------------------------------------------------
def in_window(worker) -> bool:
    """Inside WeChat's customer-service window: wrote within 48 h, or clicked/scanned within 1 min."""
    if worker is None:
        return False
    now = utcnow()
    return bool((worker.last_message_at and now - worker.last_message_at < WINDOW_AFTER_MESSAGE)
                or (worker.last_event_at and now - worker.last_event_at < WINDOW_AFTER_EVENT))


def cut(value, limit: int = 20) -> str:
    """A template value as WeChat takes it: one line, at most 20 characters."""
    text = " ".join(str(value if value is not None else "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def custom_text(payload: dict) -> str:
    text = payload.get("text") or ""
    if payload.get("url"):
        text += f'\n<a href="{payload["url"]}">点击查看</a>'
    return text


def template_data(payload: dict) -> dict:
    fields = payload.get("fields") or [["内容", payload.get("text") or ""]]
    pairs = fields.items() if isinstance(fields, dict) else fields
    return {str(key): {"value": cut(value)} for key, value in pairs}


def plan(message, worker) -> dict:
    """What to send, decided before any network call (no database work inside the send).
    `message` and `worker`: objects or rows with the columns read here (worker may be None)."""
    payload = message.payload or {}
    template = payload.get("template") or "request_update"
    return {"id": message.id, "openid": message.openid, "custom": custom_text(payload) if in_window(worker) else None,
            "template_id": current_app.config["WECHAT_TEMPLATES"].get(template), "template": template,
            "data": template_data(payload), "url": payload.get("url"), "client_msg_id": f"outbox-{message.id}"}


def send_planned(item: dict, wechat) -> tuple[SendResult, str]:
    """Deliver one planned message (thread-safe, no database): customer-service text inside the
    window, else — or when WeChat refuses it for the window or the count — a template message
    carrying client_msg_id, so a resend after an unknown outcome is not shown twice."""
    if item["custom"] is not None:
        result = wechat.send_text(item["openid"], item["custom"])
        if not (isinstance(result, Undeliverable) and result.errcode in FALL_BACK_TO_TEMPLATE):
            return result, "custom"
    if not item["template_id"]:
        return Undeliverable(None, f"未配置模板：{item['template']}"), "template"
    result = wechat.send_template(item["openid"], item["template_id"], item["data"], url=item["url"],
                                  client_msg_id=item["client_msg_id"])
    return result, "template"


def backoff(attempts: int, jitter: float = 1.0) -> timedelta:
    """base·2^(n-1) seconds, capped, times `jitter` (deliveries draw it from [0.5, 1) so that
    messages that failed together do not all come back at the same instant)."""
    cfg = current_app.config
    seconds = min(cfg["OUTBOX_BACKOFF_BASE"] * 2 ** max(attempts - 1, 0), cfg["OUTBOX_BACKOFF_CAP"])
    return timedelta(seconds=seconds * jitter)


def outcome(attempts: int, result: SendResult, channel: str) -> dict:
    """The columns to write for a send's result (attempts is the count before this one)."""
    values = {"attempts": attempts + 1, "channel": channel, "locked_by": None, "locked_until": None}
    if isinstance(result, Delivered):
        values.update(status="delivered", delivered_at=utcnow(), last_error=None)
    elif isinstance(result, Undeliverable):
        values.update(status="undeliverable", last_error=(
            f"{result.errcode}: {result.reason}" if result.errcode is not None else result.reason))
    else:
        values["last_error"] = result.reason
        if attempts + 1 >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = utcnow() + backoff(attempts + 1, random.uniform(0.5, 1.0))
    return values
