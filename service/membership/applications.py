"""Joining the union online, the worker's side (DESIGN §4 Join): the form's rules, where an
application goes, submitting, correcting after a staff request, and withdrawing.

An application made from a federation's link or QR code (`fed`) goes to that federation if it
is active; otherwise `service.routing.router.route` picks the federation from the workplace region
and industry, and the decision (with a sentence for the worker) is stored with it.
The decision is due within APPLICATION_DUE_WORKDAYS working days (Mon–Fri; public holidays and
make-up working weekends are not modelled). Neither a correction nor a transfer restarts it.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.federation import FEDERATION_KINDS, Federation
from models.membership import (
    EMPLOYMENT_FORMS, LIVE_MEMBERSHIP_STATUSES, OPEN_APPLICATION_STATUSES, Application, Membership,
)
from models.worker import Worker
from service import audit, refdata
from service.privacy import pii
from service.privacy import retention as privacy
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.routing.router import route
from service.privacy.fields import FieldError, check_mobile, check_name, check_resident_id, check_text
from service import clock

ACCEPTED = "请勾选"


# --- deadline -----------------------------------------------------------------------------
def due_date(submitted_at: datetime) -> datetime:
    return clock.add_working_days(submitted_at, int(current_app.config["APPLICATION_DUE_WORKDAYS"]))


def is_overdue(application: Application, now: datetime | None = None) -> bool:
    return (application.status == "pending" and application.due_at is not None
            and application.due_at < (now or utcnow()))


def history_entry(action: str, by: str, note: str | None = None, **extra) -> dict:
    entry = {"at": utcnow().isoformat(timespec="seconds"), "action": action, "by": by, **extra}
    if note:
        entry["note"] = note
    return entry


def add_history(application: Application, entry: dict) -> None:
    application.history = [*(application.history or []), entry]  # reassign: JSON is not mutable-tracked


# --- the form -----------------------------------------------------------------------------
def _region_error(code: str) -> str | None:
    region = refdata.get_region(code)
    if region is None:
        return "请选择工作地"
    if region.level not in ("county", "township"):
        return "请选择到区县（或乡镇、街道）一级"
    return None


def _industry_error(code: str) -> str | None:
    if not code:
        return "请选择所属行业"
    if not refdata.is_industry(code):
        return "行业代码无效，请从列表中选择"
    return None


def validate_form(data: dict, *, id_required: bool = True) -> dict:
    """Every field of the join form checked at once; Invalid(fields=...) lists each problem.

    Answers the clean values, with `resident_id` (a validators.ResidentId or None when the
    ID was left empty on a correction)."""
    errors: dict[str, str] = {}
    clean: dict = {}

    def run(field, check, *args, **kwargs):
        try:
            clean[field] = check(*args, **kwargs)
        except FieldError as error:
            errors[field] = error.message

    run("name", check_name, data.get("name"))
    if id_required or (data.get("id_number") or "").strip():
        run("resident_id", check_resident_id, data.get("id_number"))
        if "resident_id" in errors:
            errors["id_number"] = errors.pop("resident_id")
    else:
        clean["resident_id"] = None
    run("phone", check_mobile, data.get("phone"))
    form = data.get("employment_form") or ""
    if form not in EMPLOYMENT_FORMS:
        errors["employment_form"] = "请选择就业形态"
    clean["employment_form"] = form
    run("employer", check_text, data.get("employer"), label="工作单位或平台名称", max_len=100,
        required=form in ("employee", "platform"))
    region = (data.get("region_code") or "").strip()
    industry = (data.get("industry_code") or "").strip().upper()
    for field, message in (("region_code", _region_error(region)), ("industry_code", _industry_error(industry))):
        if message:
            errors[field] = message
    clean["region_code"], clean["industry_code"] = region, industry
    if data.get("declaration") is not True:
        errors["declaration"] = ACCEPTED + "“以工资收入为主要生活来源”的声明"
    if data.get("constitution") is not True:
        errors["constitution"] = ACCEPTED + "“承认《中国工会章程》”"
    if data.get("privacy_consent") is not True:
        errors["privacy_consent"] = "请阅读并单独勾选同意《个人信息处理规则》"
    elif data.get("notice_version") != privacy.NOTICE_VERSION:
        errors["privacy_consent"] = "个人信息处理规则已更新，请刷新页面重新阅读并同意"
    if errors:
        raise Invalid("请按提示修改后再提交", fields=errors)
    return clean


# --- where it goes ------------------------------------------------------------------------
def federation_from_link(fed_id: int | None) -> Federation | None:
    """The federation named by a join link or QR code, if it can take members now."""
    if not fed_id:
        return None
    federation = db.session.get(Federation, fed_id)
    if federation is None or federation.status != "active" or federation.kind not in FEDERATION_KINDS:
        return None
    return federation


def scanned_federation(worker: Worker) -> Federation | None:
    """The federation whose QR code the worker scanned last (Worker.last_scene "fed:<id>")."""
    prefix, _, value = (worker.last_scene or "").partition(":")
    return federation_from_link(int(value)) if prefix == "fed" and value.isdigit() else None


def decide_federation(worker: Worker, region_code: str, industry_code: str,
                      fed_id: int | None) -> tuple[Federation, str, dict]:
    """(federation, source, routing record) for a new application."""
    federation = federation_from_link(fed_id)
    if federation is not None:
        scanned = worker.last_scene == federation.scene
        how = "扫描了该联合会的二维码" if scanned else "通过该联合会的入会链接"
        record = {"federation_id": federation.id, "federation_name": federation.name, "reason": "qr",
                  "inputs": {"region": region_code, "industry": industry_code, "fed": fed_id, "scanned": scanned},
                  "explanation": f"由{federation.name}受理：您是{how}申请入会的。"}
        return federation, "qr", record
    decision = route(region_code, industry_code, "membership", worker.id)
    if fed_id:
        decision.explanation += "（您打开的入会链接所属联合会当前不接收申请，已按工作地和行业分配。）"
    return db.session.get(Federation, decision.federation_id), "routed", decision.as_dict()


# --- the worker's actions -----------------------------------------------------------------
def live_membership(worker_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.worker_id == worker_id, Membership.status.in_(LIVE_MEMBERSHIP_STATUSES)))


def open_application(worker_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.worker_id == worker_id, Application.status.in_(OPEN_APPLICATION_STATUSES)))


def latest_application(worker_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(Application.worker_id == worker_id)
                             .order_by(Application.id.desc()).limit(1))


def _check_duplicate_id(worker: Worker, hashed: str) -> None:
    """The same person may not hold two memberships or two open applications (other openids)."""
    other_member = db.session.scalar(
        select(Membership.id).join(Worker, Worker.id == Membership.worker_id).where(
            Worker.id_hash == hashed, Worker.id != worker.id,
            Membership.status.in_(LIVE_MEMBERSHIP_STATUSES)).limit(1))
    if other_member:
        raise Conflict("该身份证号已登记为工会会员，请勿重复入会", code="id_already_member",
                       fields={"id_number": "该身份证号已登记为工会会员；如需转会，请用原微信号办理"})
    other_open = db.session.scalar(
        select(Application.id).where(Application.id_hash == hashed, Application.worker_id != worker.id,
                                     Application.status.in_(OPEN_APPLICATION_STATUSES)).limit(1))
    if other_open:
        raise Conflict("该身份证号已有入会申请正在审核", code="id_application_open",
                       fields={"id_number": "该身份证号已有入会申请正在审核，请勿重复提交"})


def _fill(application: Application, clean: dict) -> None:
    resident = clean["resident_id"]
    if resident is not None:
        for column, value in pii.protect_id(resident.number).items():
            setattr(application, column, value)
        application.gender, application.birth_date = resident.gender, resident.birth_date
    application.name = clean["name"]
    application.phone = clean["phone"]
    application.employment_form = clean["employment_form"]
    application.employer = clean["employer"]
    application.region_code = clean["region_code"]
    application.industry_code = clean["industry_code"]


def _copy_to_worker(worker: Worker, application: Application) -> None:
    for column in ("name", "id_number_enc", "id_hash", "id_masked", "gender", "birth_date", "phone"):
        setattr(worker, column, getattr(application, column))
    worker.erased_at = None


def submit_application(worker: Worker, data: dict, *, fed_id: int | None = None) -> Application:
    """A new application (flushed; the caller commits). A double submit creates one."""
    clean = validate_form(data)
    if live_membership(worker.id):
        raise Conflict("您已是工会会员，无需重复入会；如工作变动，可申请转会", code="already_member")
    if open_application(worker.id):
        raise Conflict("您的入会申请正在审核中，请勿重复提交", code="application_open")
    hashed = pii.id_hash(clean["resident_id"].number)
    _check_duplicate_id(worker, hashed)
    federation, source, record = decide_federation(worker, clean["region_code"], clean["industry_code"], fed_id)
    now = utcnow()
    application = Application(
        worker_id=worker.id, federation_id=federation.id, status="pending", open_key=worker.id,
        declaration=True, constitution=True, consent_version=privacy.NOTICE_VERSION, consent_at=now,
        source=source, routing=record, submitted_at=now, due_at=due_date(now),
        history=[history_entry("submit", "worker", federation_id=federation.id)],
    )
    _fill(application, clean)
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:  # a concurrent submit won the open_key
        raise Conflict("您的入会申请正在审核中，请勿重复提交", code="application_open") from None
    _copy_to_worker(worker, application)
    audit.record("application.submit", actor=f"worker:{worker.id}", subject_type="application",
                 subject_id=application.id, federation_id=federation.id, detail={"source": source})
    return application


def get_own_application(worker: Worker, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.worker_id != worker.id:
        raise NotFound("找不到该入会申请")
    return application


def resubmit_application(worker: Worker, application_id: int, data: dict) -> Application:
    """The corrected form after a staff correction request; back to pending, same deadline.
    An empty ID number keeps the one already given."""
    application = get_own_application(worker, application_id)
    if application.status != "correction":
        raise Conflict("该申请当前不需要补正", code="not_in_correction")
    clean = validate_form(data, id_required=False)
    if clean["resident_id"] is not None:
        _check_duplicate_id(worker, pii.id_hash(clean["resident_id"].number))
    application.consent_version, application.consent_at = privacy.NOTICE_VERSION, utcnow()
    _fill(application, clean)
    application.status = "pending"
    add_history(application, history_entry("resubmit", "worker"))
    db.session.flush()
    _copy_to_worker(worker, application)
    audit.record("application.resubmit", actor=f"worker:{worker.id}", subject_type="application",
                 subject_id=application.id, federation_id=application.federation_id)
    return application


def withdraw_application(worker: Worker, application_id: int) -> Application:
    """The worker takes back an open application; its retention clock starts."""
    application = get_own_application(worker, application_id)
    if application.status not in OPEN_APPLICATION_STATUSES:
        raise Conflict("该申请已处理完毕，不能撤回")
    now = utcnow()
    application.status, application.open_key = "withdrawn", None
    application.decided_at = now
    application.retention_until = privacy.retention_deadline(now)
    add_history(application, history_entry("withdraw", "worker"))
    db.session.flush()
    audit.record("application.withdraw", actor=f"worker:{worker.id}", subject_type="application",
                 subject_id=application.id, federation_id=application.federation_id)
    return application
