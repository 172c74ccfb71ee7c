"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import DateTime, bindparam, select

from models.base import utcnow
from models.worker import Worker
from service.errors import BadRequest
from service.extensions import db
from service.guarded import insert_unless_exists
from service.wechat.writes import IdempotentWrite, write_alone

MAX_OPENID = Worker.__table__.c.openid.type.length


def get_or_create_worker(openid: str) -> Worker:
    """The worker for an openid, created (not committed) on first contact. A worker's first two
    calls may arrive at once: both find no row, one inserts it and the other's insert does
    nothing, and both answer the same worker."""
    if not openid or len(openid) > MAX_OPENID:
        raise BadRequest("无法识别的微信用户", code="bad_openid")
    select_worker = select(Worker).where(Worker.openid == openid)
    worker = db.session.scalar(select_worker)
    if worker is None:
        insert_unless_exists(Worker, ["openid"], openid=openid)
        worker = db.session.scalar(select_worker)
    return worker


# One statement for SQLite (3.24+) and PostgreSQL, built once: compiled once, then cached.
FOLLOW = IdempotentWrite(
    "INSERT INTO workers (openid, subscribed, subscribed_at, last_scene, created_at, updated_at) "
    "SELECT :openid, true, :now, :scene, :now, :now WHERE {guard} "
    "ON CONFLICT (openid) DO UPDATE SET subscribed = true, updated_at = excluded.updated_at, "
    "subscribed_at = CASE WHEN workers.subscribed THEN workers.subscribed_at ELSE excluded.subscribed_at END, "
    "last_scene = COALESCE(excluded.last_scene, workers.last_scene)",
    bindparam("now", type_=DateTime()))


def follow(openid: str, scene: str | None = None) -> None:
    """The worker follows (a subscribe or a scan): one upsert statement, no ORM load — a burst
    of scans at a poster costs one row write each. Idempotent, so it is written alone (one
    autocommit round trip on PostgreSQL) unless the caller's transaction is open."""
    if not openid or len(openid) > MAX_OPENID:
        raise BadRequest("无法识别的微信用户", code="bad_openid")
    write_alone(FOLLOW, {"openid": openid, "now": utcnow(), "scene": scene or None})


def unfollow(openid: str) -> Worker:
    worker = get_or_create_worker(openid)
    worker.subscribed = False
    worker.unsubscribed_at = utcnow()
    return worker
