"""Membership review, the staff side (DESIGN §4 Join, §5): lists, approve, reject, ask for a
correction, transfer — each scoped to the staff member's part of the union tree and audited.

Approval allocates the member number, makes the membership active and queues the WeChat
notification in the same transaction; a rejection queues one with the reason.
"""
from sqlalchemy import func, or_, select

from models.base import utcnow
from models.membership import OPEN_APPLICATION_STATUSES, Application, Membership
from models.staff import Staff
from models.worker import Worker
from service import audit
from service.membership import members as membership_service
from service.privacy import pii
from service.privacy import retention as privacy
from service.routing import transfers
from service.membership.applications import add_history, history_entry, live_membership
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from service.guarded import guarded_update
from service.links import h5_url
from service.wechat.outbox import queue_message
from service.staff.scope import in_scope
from service import clock
from service.staff.scope import get_in_scope

VIEWS = ("pending", "overdue", "correction", "decided", "all")


def list_applications(staff: Staff, view: str = "pending", q: str | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[list[Application], int]:
    """Applications in the staff member's scope; `view` pending | overdue | correction | decided | all."""
    if view not in VIEWS:
        raise Invalid(fields={"view": "视图应为 " + " / ".join(VIEWS)})
    query = select(Application).where(in_scope(staff, Application.federation_id))
    if view == "pending":
        query = query.where(Application.status == "pending")
    elif view == "overdue":
        query = query.where(Application.status == "pending", Application.due_at < utcnow())
    elif view == "correction":
        query = query.where(Application.status == "correction")
    elif view == "decided":
        query = query.where(Application.status.not_in(OPEN_APPLICATION_STATUSES))
    q = (q or "").strip()
    if q:
        query = query.where(or_(Application.name.contains(q, autoescape=True), Application.phone == q,
                                Application.id == (int(q) if q.isdigit() and len(q) < 10 else -1)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = Application.due_at.asc() if view in ("pending", "overdue") else Application.id.desc()
    rows = db.session.scalars(query.order_by(order, Application.id).limit(limit).offset(offset))
    return list(rows), total


def counts(staff: Staff) -> dict:
    """How many applications each view holds (the console's tab badges)."""
    scoped = select(Application.status, Application.due_at).where(
        in_scope(staff, Application.federation_id), Application.status.in_(OPEN_APPLICATION_STATUSES)).subquery()
    now = utcnow()
    pending = db.session.scalar(select(func.count()).where(scoped.c.status == "pending"))
    overdue = db.session.scalar(select(func.count()).where(scoped.c.status == "pending", scoped.c.due_at < now))
    correction = db.session.scalar(select(func.count()).where(scoped.c.status == "correction"))
    incoming = db.session.scalar(select(func.count(Membership.id)).where(
        in_scope(staff, Membership.transfer_to_id), Membership.status == "transferring"))
    return {"pending": pending, "overdue": overdue, "correction": correction, "incoming_transfers": incoming}


def get_application(staff: Staff, application_id: int) -> Application:
    return get_in_scope(staff, Application, application_id, message="找不到该入会申请")


def _open(application: Application) -> None:
    if application.status != "pending":
        raise Conflict("该申请不在待审核状态" if application.status != "correction" else "该申请正等待申请人补正")


DECIDED = "该申请刚由他人处理，请刷新后查看"


def _decided(application: Application, staff: Staff, status: str) -> None:
    """pending → `status`, only if it is still pending in the database (two staff deciding at once:
    the second gets a Conflict)."""
    guarded_update(application, Application.status == "pending", conflict=DECIDED, code="already_decided",
                   status=status, open_key=None, decided_at=utcnow(), decided_by_id=staff.id)


def approve(staff: Staff, application_id: int) -> Membership:
    """Approve: member number, active membership, notification — one transaction."""
    application = get_application(staff, application_id)
    _open(application)
    if live_membership(application.worker_id):
        raise Conflict("申请人已是会员，不能再次批准")
    twin = db.session.scalar(select(Membership.id).join(Worker, Worker.id == Membership.worker_id).where(
        Worker.id_hash == application.id_hash, Worker.id != application.worker_id,
        Membership.status != "withdrawn").limit(1))
    if twin:
        raise Conflict("该身份证号已登记为会员（另一微信号），不能重复入会")
    _decided(application, staff, "approved")
    membership = membership_service.create_membership(application)
    add_history(application, history_entry("approve", f"staff:{staff.id}", member_no=membership.member_no))
    db.session.flush()
    federation = application.federation
    queue_message(
        application.worker.openid,
        f"恭喜您！您的入会申请已通过，成为{federation.name}会员。会员号：{membership.member_no}。点击查看电子会员卡。",
        url=h5_url("card"), template="application_result",
        fields={"result": "已通过", "federation": federation.name, "member_no": membership.member_no,
                "date": clock.date_text(membership.joined_at)},
        dedup_key=f"application:{application.id}:approved",
    )
    audit.record("application.approve", staff=staff, subject_type="application", subject_id=application.id,
                 federation_id=application.federation_id, detail={"membership_id": membership.id})
    return membership


def _tell_applicant(application: Application, text: str, result: str, key: str, *, reason: str | None = None) -> None:
    """The `application_result` message of a decision that sends the worker back to the join page."""
    fields = {"result": result, "federation": application.federation.name}
    if reason is not None:
        fields["reason"] = reason
    queue_message(application.worker.openid, text, url=h5_url("join"), template="application_result",
                  fields=fields, dedup_key=f"application:{application.id}:{key}")


def _required(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(fields={field: f"请填写{label}"})
    if len(value) > 500:
        raise Invalid(fields={field: f"{label}不超过500字"})
    return value


def reject(staff: Staff, application_id: int, reason: str) -> Application:
    """Reject with a reason the worker sees; they may apply again. The retention clock starts."""
    reason = _required(reason, "reason", "不予通过的原因")
    application = get_application(staff, application_id)
    _open(application)
    _decided(application, staff, "rejected")
    application.reason = reason
    application.retention_until = privacy.retention_deadline(application.decided_at)
    add_history(application, history_entry("reject", f"staff:{staff.id}", reason))
    db.session.flush()
    _tell_applicant(application, f"很抱歉，您的入会申请未通过。原因：{reason}。您可以修改后重新申请。", "未通过",
                    "rejected", reason=reason)
    audit.record("application.reject", staff=staff, subject_type="application", subject_id=application.id,
                 federation_id=application.federation_id)
    return application


def request_correction(staff: Staff, application_id: int, reason: str) -> Application:
    """Send the application back to the worker to correct what `reason` says."""
    reason = _required(reason, "reason", "需要补正的内容")
    application = get_application(staff, application_id)
    _open(application)
    guarded_update(application, Application.status == "pending", conflict=DECIDED, code="already_decided",
                   status="correction", reason=reason)
    add_history(application, history_entry("correction", f"staff:{staff.id}", reason))
    db.session.flush()
    _tell_applicant(application, f"您的入会申请需要补正：{reason}。请点击修改后重新提交。", "需补正",
                    f"correction:{len(application.history or [])}", reason=reason)
    audit.record("application.correction", staff=staff, subject_type="application", subject_id=application.id,
                 federation_id=application.federation_id)
    return application


def transfer_application(staff: Staff, application_id: int, to_federation_id: int, reason: str) -> Application:
    """Hand the application to another federation (service.routing.transfers; the deadline stays)."""
    application = get_application(staff, application_id)
    if application.status not in OPEN_APPLICATION_STATUSES:
        raise Conflict("该申请已处理完毕，不能转办")
    transfers.transfer(application, to_federation_id=to_federation_id, reason=reason, staff=staff)
    db.session.refresh(application, ["federation"])
    add_history(application, history_entry("transfer", f"staff:{staff.id}", reason, federation_id=to_federation_id))
    db.session.flush()
    _tell_applicant(application, f"您的入会申请已转交{application.federation.name}审核。", "已转交",
                    f"transfer:{len(application.history or [])}")
    return application


def reveal_id(staff: Staff, *, application_id: int | None = None, membership_id: int | None = None) -> str:
    """The full ID number, for staff with may_view_id only; every view goes to the audit log."""
    if not staff.may_view_id:
        raise Forbidden("您没有查看完整身份证号的权限", code="id_view_forbidden")
    if application_id is not None:
        subject = get_application(staff, application_id)
        token, subject_type, federation_id = subject.id_number_enc, "application", subject.federation_id
    else:
        subject = membership_service.get_for_staff(staff, membership_id)
        token, subject_type, federation_id = subject.worker.id_number_enc, "membership", subject.federation_id
    if not token:
        raise NotFound("该记录的身份证号已按保存期限删除")
    number = pii.decrypt_id(token)
    audit.record("pii.view_id", staff=staff, subject_type=subject_type, subject_id=subject.id,
                 federation_id=federation_id)
    return number
