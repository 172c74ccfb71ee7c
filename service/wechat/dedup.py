"""Exactly-once handling of callback deliveries that have side effects (DESIGN §6 retries).

WeChat retries a delivery up to three times. A message with side effects (follow, scan, 入会,
an image, chat text joining a case) must be processed once, and a retry answered with the
first reply. Two stores, one API:

- Redis (REDIS_URL set): ``claim`` is one ``SET key "" NX EX ttl`` round trip before the
  handler runs; ``remember`` stores the reply after the commit; ``release`` gives the claim
  back when the transaction failed, so WeChat's retry can process the message.
- The database otherwise (or while Redis is unreachable): ``insert_once`` claims the key with
  one ``INSERT … ON CONFLICT DO NOTHING`` as the first statement of the handler's transaction
  (a concurrent retry waits on the unique key until the first commits, then finds it taken);
  ``store_reply`` writes the reply in the same transaction. Claiming first, rather than after
  the handler, also makes pysqlite begin the transaction before any SAVEPOINT a handler takes.

Handlers call: ``claim`` → (None: ``insert_once``) → run → (``store_reply``) → commit →
(True: ``remember``); a duplicate is answered with ``reply_for``. A handler whose only write is
idempotent (a follow: handlers/wechat/registry.idempotent_if) takes no claim at all: a retry runs
it again. Its delivery records only its seal — ``claim_seal`` in Redis, else with the write
itself (service/wechat/writes.py; ``insert_seal`` in the session's transaction).

A plaintext delivery's replay seal (service/wechat/replay.py) rides on the claim: in the same
Redis pipeline, or as a second row of the same ``INSERT``; a seal already recorded with another
body raises ``Replayed`` (the claim is given back / the caller rolls back).
"""
import logging
import os
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import DateTime, bindparam, select, text

from models.base import utcnow
from models.wechat import InboundMessage
from service.extensions import db
from service.metrics import DEDUP_HITS, REDIS_ERRORS
from service.wechat import replay
from service.wechat.replay import Seal

log = logging.getLogger(__name__)
_clients: dict[str, object] = {}
PENDING = ""  # a claim whose reply is not stored yet


def _redis():
    """The Redis client for dedup (short timeouts: the callback has 5 seconds), or None."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return client


def _redis_key(key: str) -> str:
    return f"{current_app.config['REDIS_PREFIX']}wechat:dedup:{key}"


def _ttl() -> int:
    return int(current_app.config["WECHAT_DEDUP_TTL"])


def claim(key: str, seal: Seal | None = None) -> bool | None:
    """True: first delivery, claimed in Redis. False: a retry. None: no Redis (or Redis is
    down): the caller de-duplicates in the database with ``insert_once``. One round trip, the
    seal included; raises ``replay.Replayed`` when the seal came before with another body."""
    client = _redis()
    if client is None:
        return None
    try:
        pipe = client.pipeline(transaction=False)
        if seal is not None:
            pipe.set(_redis_key(seal.key), seal.digest, nx=True, ex=seal.seconds)
        pipe.set(_redis_key(key), PENDING, nx=True, ex=_ttl())
        *sealed, first = pipe.execute()
        first = bool(first)
        if sealed and not sealed[0]:  # the seal was recorded before: WeChat's retry, or a replay
            recorded = client.get(_redis_key(seal.key))
            try:
                replay.check(seal, recorded.decode() if recorded is not None else None)
            except replay.Replayed:
                if first:
                    client.delete(_redis_key(key))
                raise
    except replay.Replayed:
        raise
    except Exception as error:  # redis.RedisError, OSError: degrade to the database
        REDIS_ERRORS.labels("dedup").inc()
        log.warning("wechat dedup: Redis unavailable (%s), using the database", type(error).__name__)
        return None
    if not first:
        DEDUP_HITS.inc()
    return first


def claim_seal(seal: Seal) -> bool | None:
    """Record only the seal of a delivery that takes no claim (an idempotent handler's, whose
    retry may simply run it again): True when recorded in Redis (or recorded before with this
    body: WeChat's retry), None without Redis (the caller records it in the database with its
    write, service/wechat/writes.py). One command; raises ``replay.Replayed`` for another body."""
    client = _redis()
    if client is None:
        return None
    try:
        if not client.set(_redis_key(seal.key), seal.digest, nx=True, ex=seal.seconds):
            recorded = client.get(_redis_key(seal.key))
            replay.check(seal, recorded.decode() if recorded is not None else None)
    except replay.Replayed:
        raise
    except Exception as error:
        REDIS_ERRORS.labels("dedup").inc()
        log.warning("wechat dedup: Redis unavailable (%s), sealing in the database", type(error).__name__)
        return None
    return True


def remember(key: str, reply: str) -> None:
    """Store the reply of a claimed delivery, written behind: a thread sends the replies in one
    pipeline every REMEMBER_SECONDS (WeChat retries only after 5 s without an answer, so a retry
    finds it; a process that dies first leaves the claim, and its retry is answered "success")."""
    app = current_app._get_current_object()
    with _remembered_lock:
        if _remembered_state["pid"] != os.getpid():
            _remembered.clear()
            _remembered_state["pid"] = os.getpid()
            threading.Thread(target=_remember_loop, args=(app,), name="dedup-replies", daemon=True).start()
        _remembered.append((_redis_key(key), reply))


REMEMBER_SECONDS = 0.2
_remembered: list[tuple[str, str]] = []
_remembered_lock = threading.Lock()
_remembered_state = {"pid": None}


def _remember_loop(app) -> None:
    while True:
        time.sleep(REMEMBER_SECONDS)
        with app.app_context():
            flush_replies()


def flush_replies() -> int:
    """Send the replies waiting to be stored (one pipeline; keeps each claim's TTL)."""
    with _remembered_lock:
        batch = list(_remembered)
        _remembered.clear()
    client = _redis()
    if not batch or client is None:  # None: Redis was configured away (tests); a retry gets "success"
        return 0
    try:
        pipe = client.pipeline(transaction=False)
        for redis_key, reply in batch:
            pipe.set(redis_key, reply, xx=True, keepttl=True)
        pipe.execute()
    except Exception as error:
        REDIS_ERRORS.labels("dedup").inc()
        log.warning("wechat dedup: could not store %d replies (%s)", len(batch), type(error).__name__)
    return len(batch)


def release(key: str) -> None:
    """Give a claim back (the work was rolled back): WeChat's retry will process the message."""
    try:
        _redis().delete(_redis_key(key))
    except Exception as error:
        REDIS_ERRORS.labels("dedup").inc()
        log.warning("wechat dedup: could not release a claim (%s)", type(error).__name__)


# Statement texts for SQLite (3.35+) and PostgreSQL, built once: no ORM, no compile per call.
_INSERT = "INSERT INTO inbound_messages (key, reply, created_at, expires_at) VALUES (:key, :reply, :created, :expires)"
_ON_CONFLICT = " ON CONFLICT (key) DO NOTHING RETURNING key"
TIMES = (bindparam("created", type_=DateTime()), bindparam("expires", type_=DateTime()))
INSERT_ONCE_SQL = _INSERT + _ON_CONFLICT  # also a CTE of service/wechat/writes.IdempotentWrite's sealed write
INSERT_ONCE = text(INSERT_ONCE_SQL).bindparams(*TIMES)
INSERT_SEALED = text(_INSERT + ", (:seal_key, :digest, :created, :seal_expires)" + _ON_CONFLICT).bindparams(
    *TIMES, bindparam("seal_expires", type_=DateTime()))
STORE_REPLY = text("UPDATE inbound_messages SET reply = :reply WHERE key = :key")


def insert_once(key: str, reply: str | None = None, seal: Seal | None = None) -> bool:
    """Claim the delivery in the caller's transaction (one statement, with the seal's row).
    False when it was recorded before: the caller rolls back and answers ``reply_for(key)``.
    Raises ``replay.Replayed`` (the caller rolls back) when the seal came with another body."""
    now = utcnow()
    params = {"key": key, "reply": reply, "created": now, "expires": now + timedelta(seconds=_ttl())}
    if seal is None:
        inserted = set(db.session.scalars(INSERT_ONCE, params))
    else:
        params.update(seal_key=seal.key, digest=seal.digest, seal_expires=seal.expires_at(now))
        inserted = set(db.session.scalars(INSERT_SEALED, params))
        if seal.key not in inserted:
            check_recorded(seal, now)
    first = key in inserted
    if not first:
        DEDUP_HITS.inc()
    return first


def seal_row(seal: Seal, now) -> dict:
    """The parameters of INSERT_ONCE_SQL for a seal's own row (reply: the body's digest)."""
    return {"key": seal.key, "reply": seal.digest, "created": now, "expires": seal.expires_at(now)}


def insert_seal(seal: Seal) -> None:
    """Record only a seal, in the caller's transaction (see ``claim_seal``)."""
    now = utcnow()
    if not list(db.session.scalars(INSERT_ONCE, seal_row(seal, now))):
        check_recorded(seal, now)


def check_recorded(seal: Seal, now) -> None:
    """The seal's key was in the database already: WeChat's retry passes, another body raises."""
    recorded = db.session.execute(
        select(InboundMessage.reply, InboundMessage.expires_at).where(InboundMessage.key == seal.key)).first()
    if recorded is not None and recorded.expires_at > now:
        replay.check(seal, recorded.reply)


def store_reply(key: str, reply: str) -> None:
    """The reply of a delivery claimed with ``insert_once`` (same transaction)."""
    db.session.execute(STORE_REPLY, {"key": key, "reply": reply})


def record_failure(key: str, reply: str, claimed: bool | None, seal: Seal | None = None) -> None:
    """After a handler failed and was rolled back: keep the polite reply for the retries."""
    if claimed:
        remember(key, reply)
        return
    insert_once(key, reply, seal)
    db.session.commit()


def reply_for(key: str) -> str:
    """The reply the first delivery got ("success" when none is stored yet)."""
    client = _redis()
    if client is not None:
        try:
            value = client.get(_redis_key(key))
            if value:
                return value.decode()
        except Exception as error:
            REDIS_ERRORS.labels("dedup").inc()
            log.warning("wechat dedup: cannot read a reply (%s)", type(error).__name__)
    stored = db.session.scalar(select(InboundMessage.reply).where(InboundMessage.key == key))
    return stored or "success"
