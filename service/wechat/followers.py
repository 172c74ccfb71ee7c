"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import select

from models.base import utcnow
from models.worker import Worker
from service.extensions import db


def get_or_create_worker(openid: str) -> Worker:
    """The worker for an openid, created (flushed, not committed) on first contact."""
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    if worker is None:
        worker = Worker(openid=openid)
        db.session.add(worker)
        db.session.flush()
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
