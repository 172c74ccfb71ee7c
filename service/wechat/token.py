"""The WeChat access token, shared by every process (DESIGN §7, WECHAT.md "access_token").

One copy per account: in Redis when REDIS_URL is set (a redis-py Lock lets one process
refresh while the others wait and then read its result), otherwise in the database
(a KeyValue row; PostgreSQL guards the refresh with a row lock, SQLite with a lease taken
by a conditional UPDATE). Nobody keeps a token of its own per process or per worker.

A store never calls WeChat itself: `get(fetch, stale)` is given the function that fetches
a token (`fetch() -> (token, expires_in)`) and calls it only when no usable copy exists.
`stale` names a token WeChat has just refused, so it is not handed out again.
"""
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from models.base import utcnow
from models.wechat import KeyValue
from service.extensions import db

Fetch = Callable[[], tuple[str, int]]
_redis_clients: dict[str, object] = {}


def cache_seconds(expires_in: int) -> int:
    """How long to keep a token: a minute less than WeChat says, for clock and network slack."""
    expires_in = int(expires_in)
    return expires_in - 60 if expires_in > 120 else max(1, expires_in)


class RedisTokenStore:
    def __init__(self, redis_url: str, prefix: str, appid: str, wait: float):
        import redis

        client = _redis_clients.get(redis_url)
        if client is None:
            client = _redis_clients[redis_url] = redis.Redis.from_url(redis_url)
        self.redis = client
        self.key = f"{prefix}wechat:access_token:{appid}"
        self.wait = wait

    def _read(self, stale: str | None) -> str | None:
        value = self.redis.get(self.key)
        token = value.decode() if value else None
        return token if token and token != stale else None

    def get(self, fetch: Fetch, stale: str | None = None) -> str:
        token = self._read(stale)
        if token:
            return token
        # One process refreshes; the others block here, then find its token.
        with self.redis.lock(self.key + ":lock", timeout=self.wait + 30, blocking_timeout=self.wait + 30):
            token = self._read(stale)
            if token:
                return token
            token, expires_in = fetch()
            self.redis.set(self.key, token, ex=cache_seconds(expires_in))
            return token

    def clear(self) -> None:
        self.redis.delete(self.key, self.key + ":lock")


class DatabaseTokenStore:
    """The token in a KeyValue row, read and written on a connection of its own, so the
    caller's transaction is never committed or blocked by a token refresh."""

    def __init__(self, appid: str, wait: float):
        self.key = f"wechat:access_token:{appid}"
        self.lease_key = self.key + ":refreshing"
        self.wait = wait

    @staticmethod
    def _usable(row, stale: str | None) -> str | None:
        if row is None or not row.value or row.expires_at is None or row.expires_at <= utcnow():
            return None
        return row.value if row.value != stale else None

    def _select(self, conn, key: str, for_update: bool = False):
        query = select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == key)
        return conn.execute(query.with_for_update() if for_update else query).first()

    def get(self, fetch: Fetch, stale: str | None = None) -> str:
        with db.engine.connect() as conn:
            token = self._usable(self._select(conn, self.key), stale)
            conn.commit()
            if token:
                return token
            if conn.dialect.name == "postgresql":
                return self._refresh_locked(conn, fetch, stale)
            return self._refresh_leased(conn, fetch, stale)

    def _write(self, conn, token: str, expires_in: int) -> None:
        expires = utcnow() + timedelta(seconds=cache_seconds(expires_in))
        conn.execute(update(KeyValue).where(KeyValue.key == self.key).values(value=token, expires_at=expires))

    def _refresh_locked(self, conn, fetch: Fetch, stale: str | None) -> str:
        """PostgreSQL: the first process takes the row lock and refreshes; the others wait on
        the lock and then read the row it wrote."""
        conn.execute(pg_insert(KeyValue).values(key=self.key, value="", expires_at=None)
                     .on_conflict_do_nothing(index_elements=["key"]))
        conn.commit()
        try:
            token = self._usable(self._select(conn, self.key, for_update=True), stale)
            if not token:
                token, expires_in = fetch()
                self._write(conn, token, expires_in)
            conn.commit()
            return token
        except BaseException:
            conn.rollback()
            raise

    def _refresh_leased(self, conn, fetch: Fetch, stale: str | None) -> str:
        """SQLite (no row locks): a lease row claimed by a conditional UPDATE; whoever holds it
        refreshes, the others poll the token row until it changes or the lease runs out."""
        for key in (self.key, self.lease_key):
            if self._select(conn, key) is None:
                conn.execute(KeyValue.__table__.insert().prefix_with("OR IGNORE")
                             .values(key=key, value="", expires_at=None))
        conn.commit()
        me = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait + 30
        while True:
            now = utcnow()
            claimed = conn.execute(
                update(KeyValue)
                .where(KeyValue.key == self.lease_key,
                       (KeyValue.expires_at.is_(None)) | (KeyValue.expires_at < now))
                .values(value=me, expires_at=now + timedelta(seconds=self.wait + 30))
            ).rowcount
            conn.commit()
            if claimed == 1:
                break
            time.sleep(0.05)
            token = self._usable(self._select(conn, self.key), stale)
            conn.commit()
            if token:
                return token
            if time.monotonic() > deadline:
                raise TimeoutError("access token refresh lease not released")
        try:
            token = self._usable(self._select(conn, self.key), stale)
            if not token:
                token, expires_in = fetch()
                self._write(conn, token, expires_in)
            return token
        finally:
            conn.execute(update(KeyValue).where(KeyValue.key == self.lease_key, KeyValue.value == me)
                         .values(expires_at=None))
            conn.commit()

    def clear(self) -> None:
        with db.engine.begin() as conn:
            conn.execute(KeyValue.__table__.delete().where(KeyValue.key.in_([self.key, self.lease_key])))


def store_for(config) -> RedisTokenStore | DatabaseTokenStore:
    """The store this deployment shares: Redis when REDIS_URL is set, else the database."""
    wait = float(config["WECHAT_TIMEOUT"])
    if config.get("REDIS_URL"):
        return RedisTokenStore(config["REDIS_URL"], config["REDIS_PREFIX"], config["WECHAT_APPID"], wait)
    return DatabaseTokenStore(config["WECHAT_APPID"], wait)
