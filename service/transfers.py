"""Moving a request or an application to another inbox, with a reason (DESIGN §3.5).

The history keeps every hop (a Transfer row each); the receiving inbox sees the item as
incoming; the assignee is cleared. Deadlines do not restart: a transfer keeps the due dates
the item already had, so passing a request around never buys time.
"""
from models.federation import Federation
from models.membership import Application
from models.request import HelpRequest, RequestEvent, Transfer
from models.staff import Staff
from service import audit
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.outbox import queue_message

DEADLINE_RULE = "转办不重新计时：期限仍按最初受理时间计算"


def _target(federation_id: int | None) -> Federation:
    federation = db.session.get(Federation, federation_id) if federation_id else None
    if federation is None:
        raise NotFound("接收单位不存在")
    if federation.status != "active":
        raise Conflict(f"{federation.name}当前不在运行状态，不能接收转办")
    return federation


def _subject_type(subject) -> str:
    if isinstance(subject, HelpRequest):
        return "request"
    if isinstance(subject, Application):
        return "application"
    raise TypeError(f"cannot transfer {type(subject).__name__}")


def transfer(subject: HelpRequest | Application, *, to_federation_id: int, reason: str,
             staff: Staff | None = None, kind: str = "transfer") -> Transfer:
    """Move `subject` to another federation's inbox (flushed; the caller commits).

    `kind` is "transfer" (to any active federation) or "escalate" (to the upper union).
    The caller has already checked that `staff` may act on the subject."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "请填写转办原因"})
    if len(reason) > 500:
        raise Invalid(fields={"reason": "原因不超过500字"})
    target = _target(to_federation_id)
    if target.id == subject.federation_id:
        raise Conflict("已经在该单位的收件箱中")
    subject_type = _subject_type(subject)
    if subject_type == "request" and subject.status in ("closed", "withdrawn"):
        raise Conflict("该诉求已结束，不能转办")
    if subject_type == "application" and subject.status not in ("pending", "correction"):
        raise Conflict("该申请已处理完毕，不能转办")
    hop = Transfer(subject_type=subject_type, subject_id=subject.id, kind=kind,
                   from_federation_id=subject.federation_id, to_federation_id=target.id,
                   reason=reason, actor_staff_id=staff.id if staff else None)
    db.session.add(hop)
    source_id = subject.federation_id
    subject.federation_id = target.id
    if subject_type == "request":
        subject.assignee_id = None
        subject.incoming = True
        verb = "上报" if kind == "escalate" else "转交"
        db.session.add(RequestEvent(
            request_id=subject.id, kind=kind, public=True, actor_staff_id=staff.id if staff else None,
            body=f"您的诉求已{verb}{target.name}办理。原因：{reason}",
            data={"from": source_id, "to": target.id, "deadline_rule": DEADLINE_RULE},
        ))
        from service.links import h5_url

        queue_message(
            subject.worker.openid, f"您的诉求（{subject.number}）已{verb}{target.name}办理。",
            url=h5_url("request", id=subject.id), template="request_update",
            fields={"number": subject.number, "status": f"已{verb}", "handler": target.name},
        )
    db.session.flush()
    audit.record(f"{subject_type}.{kind}", staff=staff, subject_type=subject_type, subject_id=subject.id,
                 federation_id=source_id, detail={"to": target.id, "reason": reason})
    return hop


def escalate(subject: HelpRequest | Application, *, reason: str, staff: Staff | None = None) -> Transfer:
    """Send to the upper union of the federation that holds it."""
    holder = db.session.get(Federation, subject.federation_id)
    if holder is None or holder.parent_id is None:
        raise Conflict("已是最上级工会，无法再上报")
    return transfer(subject, to_federation_id=holder.parent_id, reason=reason, staff=staff, kind="escalate")


def history(subject_type: str, subject_id: int) -> list[Transfer]:
    from sqlalchemy import select

    return list(db.session.scalars(
        select(Transfer).where(Transfer.subject_type == subject_type, Transfer.subject_id == subject_id)
        .order_by(Transfer.id)
    ))
