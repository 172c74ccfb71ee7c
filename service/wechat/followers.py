"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import select

from models.base import utcnow
from models.worker import Worker
from service.errors import BadRequest
from service.extensions import db
from service.guarded import insert_unless_exists

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


def note_contact(openid: str, *, event: bool) -> Worker:
    """Record that the worker wrote (opens the 48-hour window) or clicked/scanned (1 minute)."""
    worker = get_or_create_worker(openid)
    if event:
        worker.last_event_at = utcnow()
    else:
        worker.last_message_at = utcnow()
    return worker


def follow(openid: str, scene: str | None = None) -> Worker:
    worker = get_or_create_worker(openid)
    if not worker.subscribed:
        worker.subscribed = True
        worker.subscribed_at = utcnow()
    if scene:
        worker.last_scene = scene
    return worker


def unfollow(openid: str) -> Worker:
    worker = get_or_create_worker(openid)
    worker.subscribed = False
    worker.unsubscribed_at = utcnow()
    return worker
