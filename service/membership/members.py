"""Memberships (DESIGN §4 Join): member numbers, and the changes after joining.

    active ──request_transfer──▶ transferring ──release (old) + accept (new)──▶ active (new federation)
    transferring ──cancel_transfer──▶ active
    active ──retain (retired/unemployed)──▶ retained ──reactivate──▶ active
    active | transferring | retained ──withdraw──▶ withdrawn (final; the retention clock starts)

A member number is "GL" + year + 8 digits, taken from a per-year counter with one guarded
UPDATE … RETURNING, so concurrent approvals never share one; it stays with the person through
transfers and is never given to anyone else (withdrawn memberships keep theirs).
"""
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.membership import (
    LIVE_MEMBERSHIP_STATUSES, MEMBERSHIP_STATUS_LABELS, RETAINED_REASONS, Application, Membership,
)
from models.request import Transfer
from models.staff import Staff
from service import audit, sequences
from service.privacy import retention as privacy
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from service.links import h5_url
from service.wechat.outbox import queue_message
from service.staff.scope import can_see
from service import clock
from service.staff.scope import get_in_scope

MEMBER_NO_PREFIX = "GL"


def next_member_no() -> str:
    """A new member number, unique across the whole system (flushed inside the caller's
    transaction: the counter row stays locked until it commits, so numbers never collide)."""
    year = clock.today().year
    return f"{MEMBER_NO_PREFIX}{year}{sequences.next_value(f'member_no:{year}'):08d}"


def create_membership(application: Application) -> Membership:
    """The membership an approved application makes (flushed; the caller commits)."""
    membership = Membership(
        worker_id=application.worker_id, federation_id=application.federation_id,
        member_no=next_member_no(), status="active", live_key=application.worker_id,
        application_id=application.id, joined_at=utcnow(),
        region_code=application.region_code, industry_code=application.industry_code,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def status_label(status: str) -> str:
    return MEMBERSHIP_STATUS_LABELS.get(status, status)


# --- who may act --------------------------------------------------------------------------
def get_for_staff(staff: Staff, membership_id: int) -> Membership:
    """A membership the staff member may see: held by their subtree, or being transferred into it."""
    return get_in_scope(staff, Membership, membership_id, message="找不到该会员",
                        federation_of=lambda m: (m.federation_id, m.transfer_to_id))


def _require_holder(staff: Staff, membership: Membership) -> None:
    if not can_see(staff, membership.federation_id):
        raise Forbidden("只有会员所在联合会的工作人员可以办理此项")


def _actor(staff: Staff | None) -> str:
    return f"staff:{staff.id}" if staff else "worker"


def _audit(action: str, membership: Membership, staff: Staff | None, **detail) -> None:
    audit.record(action, staff=staff, actor=None if staff else f"worker:{membership.worker_id}",
                 subject_type="membership", subject_id=membership.id,
                 federation_id=membership.federation_id, detail=detail or None)


def _notify(membership: Membership, text: str, result: str, key: str) -> None:
    queue_message(
        membership.worker.openid, text, url=h5_url("card"), template="application_result",
        fields={"result": result, "federation": membership.federation.name, "member_no": membership.member_no},
        dedup_key=f"membership:{membership.id}:{key}",
    )


def _reason(value: str | None, field: str = "reason", required: bool = True) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(fields={field: "请填写原因"})
    if len(value) > 200:
        raise Invalid(fields={field: "原因不超过200字"})
    return value or None


# --- transfer -----------------------------------------------------------------------------
def request_transfer(membership: Membership, *, to_federation_id: int, reason: str,
                     staff: Staff | None = None) -> Membership:
    """Ask to move to another federation (by the worker, or by staff of the holding federation)."""
    if staff is not None:
        _require_holder(staff, membership)
    if membership.status != "active":
        raise Conflict(f"会籍状态为“{status_label(membership.status)}”，不能申请转会")
    target = db.session.get(Federation, to_federation_id) if to_federation_id else None
    if target is None or target.status != "active":
        raise Invalid(fields={"to_federation_id": "请选择一个正在运行的工会联合会"})
    if target.id == membership.federation_id:
        raise Invalid(fields={"to_federation_id": "已经是该联合会的会员"})
    reason = _reason(reason)
    membership.status = "transferring"
    membership.transfer_to_id = target.id
    membership.transfer_reason = reason
    membership.transfer_requested_at = utcnow()
    membership.transfer_requested_by = _actor(staff)
    membership.transfer_released_at = None
    db.session.flush()
    _audit("membership.transfer_request", membership, staff, to=target.id)
    return membership


def release_transfer(membership: Membership, *, staff: Staff) -> Membership:
    """The old federation lets the member go."""
    _require_holder(staff, membership)
    if membership.status != "transferring":
        raise Conflict("该会员没有待办理的转会")
    if membership.transfer_released_at:
        raise Conflict("已同意转出，等待接收方确认")
    membership.transfer_released_at = utcnow()
    db.session.flush()
    _audit("membership.transfer_release", membership, staff, to=membership.transfer_to_id)
    return membership


def accept_transfer(membership: Membership, *, staff: Staff) -> Membership:
    """The new federation takes the member in (after the release); the member number stays."""
    if membership.status != "transferring" or not can_see(staff, membership.transfer_to_id):
        raise Conflict("该会员没有转入本单位的待办转会")
    if not membership.transfer_released_at:
        raise Conflict("原联合会尚未同意转出")
    source, target = membership.federation_id, membership.transfer_to_id
    db.session.add(Transfer(subject_type="membership", subject_id=membership.id, kind="transfer",
                            from_federation_id=source, to_federation_id=target,
                            reason=membership.transfer_reason or "", actor_staff_id=staff.id))
    membership.federation_id, membership.status = target, "active"
    membership.transfer_to_id = None
    membership.transfer_released_at = None
    db.session.flush()
    db.session.refresh(membership, ["federation"])
    audit.record("membership.transfer_accept", staff=staff, subject_type="membership", subject_id=membership.id,
                 federation_id=target, detail={"from": source})
    _notify(membership, f"您的会籍已转入{membership.federation.name}，会员号不变：{membership.member_no}。",
            "转会完成", f"transfer:{target}:{utcnow():%Y%m%d%H%M%S}")
    return membership


def cancel_transfer(membership: Membership, *, staff: Staff | None = None, reason: str | None = None) -> Membership:
    """Called off by the worker, or declined by either federation's staff: back to active."""
    if membership.status != "transferring":
        raise Conflict("该会员没有待办理的转会")
    target = membership.transfer_to_id
    membership.status, membership.transfer_to_id, membership.transfer_released_at = "active", None, None
    db.session.flush()
    _audit("membership.transfer_cancel", membership, staff, to=target, reason=_reason(reason, required=False))
    if staff is not None:
        _notify(membership, "您的转会申请未办理完成，会籍仍在原联合会。" + (f"原因：{reason}" if reason else ""),
                "转会未完成", f"transfer-cancel:{utcnow():%Y%m%d%H%M%S}")
    return membership


# --- retained, withdrawn ------------------------------------------------------------------
def retain(membership: Membership, *, reason: str, staff: Staff | None = None) -> Membership:
    """保留会籍 for a member who retired or lost their job."""
    if staff is not None:
        _require_holder(staff, membership)
    if reason not in RETAINED_REASONS:
        raise Invalid(fields={"reason": "请选择保留会籍的原因：退休或失业"})
    if membership.status != "active":
        raise Conflict(f"会籍状态为“{status_label(membership.status)}”，不能办理保留会籍")
    membership.status, membership.retained_reason, membership.retained_at = "retained", reason, utcnow()
    db.session.flush()
    _audit("membership.retain", membership, staff, reason=reason)
    return membership


def reactivate(membership: Membership, *, staff: Staff | None = None) -> Membership:
    """Back to active (re-employed)."""
    if staff is not None:
        _require_holder(staff, membership)
    if membership.status != "retained":
        raise Conflict("只有保留会籍的会员可以恢复")
    membership.status, membership.retained_reason = "active", None
    db.session.flush()
    _audit("membership.reactivate", membership, staff)
    return membership


def withdraw(membership: Membership, *, reason: str | None = None, staff: Staff | None = None) -> Membership:
    """Leave the union (worker) or remove a member (staff). Final; the retention clock starts."""
    if staff is not None:
        _require_holder(staff, membership)
        reason = _reason(reason)
    if membership.status not in LIVE_MEMBERSHIP_STATUSES:
        raise Conflict("已经退会")
    now = utcnow()
    membership.status, membership.live_key = "withdrawn", None
    membership.transfer_to_id = membership.transfer_released_at = None
    membership.withdrawn_at, membership.withdrawn_reason = now, _reason(reason, required=False)
    membership.retention_until = privacy.retention_deadline(now)
    if membership.application_id:
        application = db.session.get(Application, membership.application_id)
        application.retention_until = membership.retention_until
    db.session.flush()
    _audit("membership.withdraw", membership, staff)
    text = "您已退出工会，会员卡已失效。" if staff is None else f"您的会籍已由{membership.federation.name}办理退会。原因：{reason}"
    _notify(membership, text, "已退会", "withdrawn")
    return membership


def search(staff: Staff, q: str | None = None, status: str | None = None, incoming: bool = False,
           limit: int = 50, offset: int = 0) -> tuple[list[Membership], int]:
    """Members the staff member may see; `q` matches the member number, name or phone."""
    from sqlalchemy import func, or_

    from models.worker import Worker
    from service.staff.scope import in_scope

    query = select(Membership).join(Worker, Worker.id == Membership.worker_id)
    if incoming:
        query = query.where(in_scope(staff, Membership.transfer_to_id), Membership.status == "transferring")
    else:
        query = query.where(in_scope(staff, Membership.federation_id))
    if status:
        query = query.where(Membership.status == status)
    q = (q or "").strip()
    if q:
        query = query.where(or_(Membership.member_no == q.upper(), Worker.name.contains(q, autoescape=True), Worker.phone == q))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Membership.id.desc()).limit(limit).offset(offset))
    return list(rows), total
