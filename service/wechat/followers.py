"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import case, select
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


def follow(openid: str, scene: str | None = None) -> None:
    """The worker follows (a subscribe or a scan): one upsert statement, no ORM load — a burst
    of scans at a poster costs one row write each. Flushed with the caller's transaction."""
    table = Worker.__table__
    now = utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(openid=openid, subscribed=True, subscribed_at=now, last_scene=scene,
                                          created_at=now, updated_at=now)
    changes = {"subscribed": True, "updated_at": now,
               "subscribed_at": case((table.c.subscribed.is_(True), table.c.subscribed_at), else_=now)}
    if scene:
        changes["last_scene"] = scene
    db.session.flush()  # the ORM's pending changes first, so nothing overwrites this one
    db.session.execute(insert.on_conflict_do_update(index_elements=["openid"], set_=changes))


def unfollow(openid: str) -> Worker:
    worker = get_or_create_worker(openid)
    worker.subscribed = False
    worker.unsubscribed_at = utcnow()
    return worker
