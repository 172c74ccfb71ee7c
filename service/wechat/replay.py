"""Replayed plaintext callbacks are refused (issue 11 §6).

In plaintext mode WeChat signs only token + timestamp + nonce, not the body: whoever sees one signed
query (a proxy log, a browser history) could post any body with it for as long as the timestamp is
fresh. So each (timestamp, nonce, signature) is remembered with a digest of the body for the time
window; the same delivery again (WeChat's retry) is let through to the de-duplication, another body
with the same signature is refused. Kept in Redis when REDIS_URL is set, else in the key_values table."""
import hashlib
from datetime import timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.wechat import KeyValue
from service.extensions import db

PREFIX = "wechat-nonce:"
_redis_clients: dict[str, object] = {}


class Replayed(Exception):
    """This signature was already used with another body."""


def _key(timestamp: str, nonce: str, signature: str) -> str:
    return PREFIX + hashlib.sha256(f"{timestamp}\n{nonce}\n{signature}".encode()).hexdigest()


def _redis(url: str):
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = redis.Redis.from_url(url)
    return client


def remember(config, timestamp: str, nonce: str, signature: str, body: bytes) -> None:
    """Record this signed delivery; raise Replayed when its signature came before with another body.

    The database store writes on a connection of its own (committed at once), so the record
    survives whatever the callback's own transaction does."""
    key = _key(timestamp, nonce, (signature or "").lower())
    digest = hashlib.sha256(body).hexdigest()
    window = 2 * int(config["WECHAT_MAX_SKEW"])  # a timestamp may be off either way
    if config.get("REDIS_URL"):
        import redis

        client = _redis(config["REDIS_URL"])
        name = config.get("REDIS_PREFIX", "gonglian:") + key
        try:
            if client.set(name, digest, nx=True, ex=window):
                return
            seen = client.get(name)
        except redis.RedisError:
            seen = False  # Redis is down: the database remembers instead
        if seen is not False:
            if seen is not None and seen.decode() != digest:
                raise Replayed()
            return
    now = utcnow()
    with db.engine.begin() as conn:
        try:
            with conn.begin_nested():
                conn.execute(insert(KeyValue).values(key=key, value=digest, expires_at=now + timedelta(seconds=window)))
            return
        except IntegrityError:
            pass
        seen = conn.execute(select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == key)).first()
    if seen is not None and seen.value != digest and (seen.expires_at is None or seen.expires_at > now):
        raise Replayed()


def forget_expired_job() -> int:
    """Drop remembered signatures whose window has passed (database store only)."""
    result = db.session.execute(delete(KeyValue).where(KeyValue.key.like(PREFIX + "%"),
                                                       KeyValue.expires_at < utcnow()))
    return result.rowcount or 0
