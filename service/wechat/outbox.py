"""The outbox: one way to notify a worker in WeChat (DESIGN §7).

A message is a row written in the same transaction as the change that causes it; the worker
process delivers it later (customer-service message inside WeChat's 48-hour window, template
message outside it), retrying what can be retried and recording what cannot be delivered.
Nothing in a request handler calls WeChat: `deliver_due` runs as the "outbox" job, with a
bounded pool of sends in flight per process.
"""
import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from datetime import timedelta

from flask import current_app
from sqlalchemy import DateTime, bindparam, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.outbox import OutboxMessage
from models.worker import Worker
from service.extensions import db
from service.metrics import DELIVERIES, WECHAT_ERRORS
from service.wechat import autocommit
from service.wechat.client import Delivered, RetryLater, SendResult, Undeliverable

log = logging.getLogger(__name__)

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


def send(message: OutboxMessage, wechat) -> tuple[SendResult, str]:
    """Deliver one message through the adapter; returns (result, channel)."""
    worker = db.session.scalar(select(Worker).where(Worker.openid == message.openid))
    return send_planned(plan(message, worker), wechat)


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


def record(message: OutboxMessage, result: SendResult, channel: str) -> None:
    """Apply a result to a loaded message (flushed by the caller's commit)."""
    for key, value in outcome(message.attempts, result, channel).items():
        setattr(message, key, value)


def _result_name(result: SendResult) -> str:
    if isinstance(result, Delivered):
        return "delivered"
    if isinstance(result, Undeliverable):
        return "undeliverable"
    return "unknown_outcome" if getattr(result, "unknown", False) else "retry"


def _store(message_id: int, attempts: int, claimer: str, result: SendResult, channel: str) -> str | None:
    """One outcome, committed: answers the new status, or None when the claim was lost."""
    return _store_outcomes([(message_id, attempts, result, channel)], claimer).get(message_id)


# The deliveries through one channel, on PostgreSQL (an id array: one statement text whatever
# the number of ids, compiled once).
DELIVERED = text(
    "UPDATE outbox_messages SET status = 'delivered', delivered_at = :now, last_error = NULL, "
    "attempts = attempts + 1, channel = :channel, locked_by = NULL, locked_until = NULL "
    "WHERE id = ANY(:ids) AND locked_by = :claimer RETURNING id"
).bindparams(bindparam("now", type_=DateTime()))


def _store_outcomes(outcomes: list[tuple[int, int, SendResult, str]], claimer: str) -> dict[int, str]:
    """Keep the outcomes WeChat has answered, those that finished together at once (a process that
    dies before it stores them resends them — template messages carry client_msg_id, so WeChat
    shows them once). Deliveries through one channel are one guarded UPDATE, on PostgreSQL sent
    alone in autocommit; the other outcomes one UPDATE each, in one transaction. Answers
    {id: new status} for the rows whose claim still held."""
    table = OutboxMessage.__table__  # Core UPDATEs: no ORM bookkeeping per message
    stored: dict[int, str] = {}
    delivered: dict[str, list[int]] = {}
    for message_id, attempts, result, channel in outcomes:
        if isinstance(result, Delivered):
            delivered.setdefault(channel, []).append(message_id)
            continue
        values = outcome(attempts, result, channel)
        if db.session.execute(update(table).where(table.c.id == message_id, table.c.locked_by == claimer)
                              .values(**values)).rowcount:
            stored[message_id] = values.get("status", "pending")
    now = utcnow()
    postgres = db.engine.dialect.name == "postgresql"
    for channel, ids in delivered.items():
        values = {"now": now, "channel": channel, "ids": ids, "claimer": claimer}
        if postgres:  # one statement, its own transaction: one round trip, no session
            done = autocommit.scalars(DELIVERED, values)
        else:
            done = db.session.execute(
                update(table).where(table.c.id.in_(ids), table.c.locked_by == claimer)
                .values(status="delivered", delivered_at=now, last_error=None, attempts=table.c.attempts + 1,
                        channel=channel, locked_by=None, locked_until=None).returning(table.c.id)).scalars()
        stored.update((message_id, "delivered") for message_id in done)
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()
    for message_id, attempts, result, channel in outcomes:
        DELIVERIES.labels(_result_name(result)).inc()
        if isinstance(result, Undeliverable) and result.errcode is not None:
            WECHAT_ERRORS.labels(str(result.errcode)).inc()
        if not isinstance(result, Delivered):
            log.info("outbox %s: %s (%s)", message_id, stored.get(message_id, "claim lost"), result.reason)
    return stored


def deliver_one(message_id: int, claimer: str, wechat) -> str | None:
    """Send one claimed message and record the outcome (committed); returns its new status."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.locked_by != claimer or message.status != "pending":
        return None
    worker = db.session.scalar(select(Worker).where(Worker.openid == message.openid))
    item, attempts = plan(message, worker), message.attempts
    db.session.rollback()  # no transaction is held open across the network call
    result, channel = _guarded_send(item, wechat)
    return _store(message_id, attempts, claimer, result, channel)


def _guarded_send(item: dict, wechat) -> tuple[SendResult, str]:
    limiter.wait()
    try:
        result, channel = send_planned(item, wechat)
    except Exception as error:  # a bug or a token store outage must not lose the message
        log.exception("outbox %s: unexpected error", item["id"])
        return RetryLater(f"内部错误：{type(error).__name__}"), "custom" if item["custom"] is not None else "template"
    if isinstance(result, RetryLater) and "45009" in result.reason:
        limiter.pause(current_app.config["OUTBOX_QUOTA_PAUSE"])  # WeChat's API quota: everyone waits
    return result, channel


def deliver_due(batch: int | None = None, wechat=None) -> int:
    """Deliver the due pending messages; safe to run in several processes at once. Sends run
    OUTBOX_CONCURRENCY at a time in this process (WeChat's latency overlaps), at most
    OUTBOX_RATE per second; the outcomes are stored in groups (up to OUTBOX_CONCURRENCY of them,
    or those that came within STORE_GATHER_SECONDS of the first). Returns how many were delivered."""
    cfg = current_app.config
    concurrency = max(1, int(cfg["OUTBOX_CONCURRENCY"]))
    batch = batch or concurrency * 8
    claimer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    claimed = claim_due(batch, claimer)
    if not claimed:
        return 0
    wechat = wechat or shared_api()
    # Rows of the columns a plan reads, not ORM objects: no identity map to load (a full Worker is
    # two dozen columns, most of them personal) and nothing for each outcome's commit to expire.
    messages = db.session.execute(select(OutboxMessage.id, OutboxMessage.openid, OutboxMessage.payload,
                                         OutboxMessage.attempts)
                                  .where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)).all()
    openids = {m.openid for m in messages}
    workers = {w.openid: w for w in db.session.execute(
        select(Worker.openid, Worker.last_message_at, Worker.last_event_at).where(Worker.openid.in_(openids)))}
    items = [(plan(m, workers.get(m.openid)), m.attempts) for m in messages]
    db.session.rollback()  # nothing is held open while WeChat answers
    delivered = 0
    app = current_app._get_current_object()

    finished: queue.SimpleQueue = queue.SimpleQueue()  # (id, attempts, result, channel), as they finish

    def run(item):
        with app.app_context():
            return _guarded_send(item, wechat)

    def done(future, item, attempts):
        try:
            result, channel = future.result()
        except Exception as error:  # _guarded_send keeps its own; this is the app context failing
            result, channel = RetryLater(f"内部错误：{type(error).__name__}"), "template"
        finished.put((item["id"], attempts, result, channel))

    pool = _pool(concurrency)
    for item, attempts in items:
        pool.submit(run, item).add_done_callback(partial(done, item=item, attempts=attempts))
    left = len(items)
    while left:  # outcomes are stored together: up to `concurrency` of them, or what came in 50 ms
        outcomes = [finished.get()]
        until = time.monotonic() + STORE_GATHER_SECONDS
        while len(outcomes) < min(concurrency, left):
            try:
                outcomes.append(finished.get(timeout=max(0.0, until - time.monotonic())))
            except queue.Empty:
                break
        left -= len(outcomes)
        delivered += sum(status == "delivered" for status in _store_outcomes(outcomes, claimer).values())
    return delivered


# How long the first outcome of a group waits for others before the group is stored (one UPDATE
# for all its deliveries): a store costs about as much CPU as a send, and a message counts as
# delivered at most this much later. bench/outbox.py, 1 deliverer: 0.74 ms of CPU per message
# with 50 ms, 0.87–0.97 with 10 ms, 1.10 storing each group as soon as its first outcome came.
STORE_GATHER_SECONDS = 0.05


# --- the deliverer's shared parts (per process) ---------------------------------------------
_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_apis: dict[tuple, object] = {}


def _pool(size: int) -> ThreadPoolExecutor:
    key = (os.getpid(), size)
    pool = _pools.get(key)
    if pool is None:
        pool = _pools[key] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="outbox-send")
    return pool


def shared_api():
    """One adapter per process and settings: its HTTP connections and the access token stay in
    memory between batches (the shared store is read again only when WeChat refuses the token)."""
    from service.wechat import client as wechat_client

    cfg = current_app.config
    key = (os.getpid(), cfg["WECHAT_APPID"], cfg["WECHAT_API_BASE"], cfg.get("REDIS_URL"),
           cfg["SQLALCHEMY_DATABASE_URI"], int(cfg["OUTBOX_CONCURRENCY"]), float(cfg["WECHAT_TIMEOUT"]))
    api = _apis.get(key)
    if api is None:
        api = _apis[key] = wechat_client.api(pool_size=int(cfg["OUTBOX_CONCURRENCY"]) + 4, memory_token=True)
    return api


class RateLimiter:
    """At most `rate` sends a second from this process (a token bucket), and a pause for everyone
    when WeChat reports its API quota reached (45009)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.paused_until = 0.0

    def wait(self) -> None:
        rate = float(current_app.config["OUTBOX_RATE"])
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_at, self.paused_until)
            self.next_at = start + (1.0 / rate if rate > 0 else 0.0)
        if start > now:
            time.sleep(start - now)

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)


limiter = RateLimiter()
