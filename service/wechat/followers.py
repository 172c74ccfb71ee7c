"""Workers as WeChat followers: created on first contact, window times kept for the outbox."""
from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite

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
