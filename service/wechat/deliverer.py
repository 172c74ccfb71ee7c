"""The outbox's deliverer: sends the queued messages (the worker's "outbox" job, DESIGN §7).

`deliver_due` claims a batch of due messages (service/wechat/outbox.py), plans each one without
touching the network, sends them through a bounded pool of threads (WeChat's latency overlaps;
at most OUTBOX_RATE per second from this process) and stores the outcomes in groups. No
transaction is held open while WeChat answers; a message whose claim was lost is left alone.
"""
import logging
import os
import queue
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from flask import current_app
from sqlalchemy import DateTime, bindparam, select, text, update

from models.base import utcnow
from models.outbox import OutboxMessage
from models.worker import Worker
from service.extensions import db
from service.metrics import DELIVERIES, WECHAT_ERRORS
from service.wechat import autocommit
from service.wechat.client import Delivered, RetryLater, SendResult, Undeliverable
from service.wechat.outbox import claim_due, outcome, plan, send_planned

log = logging.getLogger(__name__)


def _result_name(result: SendResult) -> str:
    if isinstance(result, Delivered):
        return "delivered"
    if isinstance(result, Undeliverable):
        return "undeliverable"
    return "unknown_outcome" if getattr(result, "unknown", False) else "retry"


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
