"""The personal-information notice workers consent to, the retention clock and its purge,
and key rotation for encrypted ID numbers (DESIGN §4 Join, §7).

The notice is versioned: the version a worker accepted and the time are stored with the
application. Change the text → bump NOTICE_VERSION (changing RETENTION_DAYS changes the text).
"""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select

from models.base import utcnow
from models.membership import OPEN_APPLICATION_STATUSES, Application, Membership
from models.contest import Signup
from models.request import HelpRequest
from models.worker import Worker
from service import audit
from service.privacy import erasure, pii
from service.extensions import db

log = logging.getLogger(__name__)

NOTICE_VERSION = "2026-12"
NOTICE_TITLE = "工联入会个人信息处理规则"
NOTICE_TEXT = """\
一、处理者：受理您入会申请的工会联合会（或上级工会）及“工联”平台运营方。
二、处理目的：审核入会申请、办理会员登记和会籍变更、发放电子会员卡、向您发送办理结果通知。
三、处理的个人信息：姓名、身份证号、性别和出生日期（由身份证号得出）、手机号码、就业形态、工作单位或平台、工作地、所属行业，以及您的微信 OpenID。
四、敏感个人信息：身份证号属于敏感个人信息，仅用于核实身份、防止重复入会和会籍管理。身份证号加密存储，页面和工作台默认只显示部分号码（如 13**************3X），出生日期只显示年龄段；经授权的工作人员查看完整号码时，每次查看都会记录在案。
五、提供与公开：除法律法规另有规定外，不向其他单位提供、不公开您的个人信息；向上级工会报送的统计数据不含可识别个人的信息。
六、保存期限：会员期间保存。申请未通过或退会后保存 {retention_days} 日，期满删除姓名、身份证号、手机号码、出生日期和工作单位，仅保留不可识别个人的统计信息。
七、您的权利：您可以查阅、更正您的个人信息，可以退会并撤回本同意，可以向受理的工会联合会提出删除请求或投诉。撤回同意不影响撤回前已进行的处理。
八、单独同意：本规则须单独勾选同意；不同意的，无法在线办理入会。"""


def retention_days() -> int:
    return int(current_app.config["RETENTION_DAYS"])


def notice() -> dict:
    """The current notice as shown on the join page."""
    return {"version": NOTICE_VERSION, "title": NOTICE_TITLE,
            "text": NOTICE_TEXT.format(retention_days=retention_days())}


def retention_deadline(start: datetime | None = None) -> datetime:
    return (start or utcnow()) + timedelta(days=retention_days())


# --- purge --------------------------------------------------------------------------------
# free text (reason, history notes) may name the person too, so it goes with them
APPLICATION_PERSONAL = ("name", "id_number_enc", "id_hash", "id_masked", "birth_date", "phone", "employer", "reason")
WORKER_PERSONAL = ("name", "id_number_enc", "id_hash", "id_masked", "birth_date", "phone")
OPEN_HELP_STATUSES = ("new", "in_progress", "awaiting_worker", "resolved")


def erase_application(application: Application, now: datetime) -> None:
    for column in APPLICATION_PERSONAL:
        setattr(application, column, None)
    application.history = [{k: v for k, v in entry.items() if k != "note"} for entry in application.history or []]
    application.erased_at = now


def erase_worker(worker: Worker, now: datetime) -> None:
    for column in WORKER_PERSONAL:
        setattr(worker, column, None)
    worker.erased_at = now


def _erasable_workers(now: datetime):
    """Workers holding personal data with nothing left that keeps it: every application, help request
    and contest sign-up of theirs erased, and no live membership."""
    live = exists().where(Membership.worker_id == Worker.id, Membership.status != "withdrawn")
    kept_application = exists().where(Application.worker_id == Worker.id, Application.erased_at.is_(None))
    kept_help = exists().where(HelpRequest.worker_id == Worker.id, HelpRequest.erased_at.is_(None))
    kept_signup = exists().where(Signup.worker_id == Worker.id, Signup.erased_at.is_(None))
    anything = or_(exists().where(Application.worker_id == Worker.id), exists().where(HelpRequest.worker_id == Worker.id),
                   exists().where(Signup.worker_id == Worker.id))
    has_data = or_(*(getattr(Worker, column).is_not(None) for column in WORKER_PERSONAL))
    return select(Worker).where(has_data, anything, ~kept_application, ~kept_help, ~kept_signup, ~live)


def purge(now: datetime | None = None) -> dict:
    """Erase personal data whose retention clock has run out (flushed; the caller commits).

    Applications rejected or withdrawn, and applications of withdrawn members, carry
    `retention_until`; after it, name, ID number, phone, birth date and employer are nulled
    and `erased_at` is set. Federation, region, industry, dates and status stay for statistics."""
    now = now or utcnow()
    applications = list(db.session.scalars(
        select(Application).where(
            Application.retention_until.is_not(None), Application.retention_until <= now,
            Application.erased_at.is_(None), Application.status.not_in(OPEN_APPLICATION_STATUSES),
            ~exists().where(and_(Membership.application_id == Application.id, Membership.status != "withdrawn")),
        ).with_for_update(skip_locked=True, of=Application)  # claimed: erased once
    ))
    for application in applications:
        erase_application(application, now)
    db.session.flush()
    cases = erasure.purge_cases(now, retention_days())
    workers = list(db.session.scalars(_erasable_workers(now).with_for_update(skip_locked=True, of=Worker)))
    for worker in workers:
        erase_worker(worker, now)
    db.session.flush()
    counts = {"applications": len(applications), "workers": len(workers)} | cases
    if any(counts.values()):
        audit.record("privacy.purge", actor="system", detail=counts)
        log.info("privacy purge: %s", counts)
    return counts


# --- key rotation -------------------------------------------------------------------------
def rotate_keys(batch: int = 500) -> dict:
    """Re-encrypt every stored ID number with the newest key (commits per batch)."""
    multi = pii.cipher()
    counts = {}
    for model in (Application, Worker):
        done, last_id = 0, 0
        while True:
            rows = list(db.session.scalars(
                select(model).where(model.id > last_id, model.id_number_enc.is_not(None))
                .order_by(model.id).limit(batch)
            ))
            if not rows:
                break
            for row in rows:
                row.id_number_enc = pii.rotate(row.id_number_enc, multi)
            last_id = rows[-1].id
            done += len(rows)
            db.session.commit()  # a batch at a time, so a long rotation holds no table for long
        counts[model.__tablename__] = done
    audit.record("privacy.rotate_keys", actor="cli", detail=counts)
    db.session.flush()
    return counts


def purge_job() -> int:
    return sum(purge().values())
