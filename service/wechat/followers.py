"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from models.base import utcnow
from models.worker import Worker
from service.extensions import db


def get_or_create_worker(openid: str) -> Worker:
    """The worker for an openid, created (flushed, not committed) on first contact."""
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    if worker is None:
        # ON CONFLICT DO NOTHING: the last-contact writer (service/wechat/contact.py) may create
        # the same row at the same moment.
        now = utcnow()
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(Worker.__table__).values(
            openid=openid, subscribed=False, created_at=now, updated_at=now).on_conflict_do_nothing(
            index_elements=["openid"]))
        worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
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
