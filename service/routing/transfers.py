"""Moving a request or an application to another inbox, with a reason (DESIGN §3.5).

The history keeps every hop (a Transfer row each, never updated or deleted); the receiving
inbox sees the item as incoming (a request's `incoming` flag until someone claims it, an
application's `source` = "transfer"); the assignee is cleared.

Deadline rule: by default the clock does not restart — the item keeps the due dates it
already had, so passing it around never buys time. With `restart_clock=True` (a transfer
the receiving side could not have foreseen, e.g. a routing mistake) every deadline that has
not been met is moved by the time already spent, as if the item had arrived now. The rule
applied is written into the timeline entry.
"""
from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.membership import Application
from models.request import HelpRequest, RequestEvent, Transfer
from models.staff import Staff
from service import audit
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.wechat.outbox import queue_message
from service.routing.router import OPEN_APPLICATION_STATUSES, OPEN_REQUEST_STATUSES
from service.staff.scope import require_scope

DEADLINE_RULE = "转办不重新计时：期限仍按最初受理时间计算"
DEADLINE_RULE_RESTARTED = "转办后重新计时：尚未到期的期限自转办时起重新计算"
KINDS = ("transfer", "escalate")
SUBJECT_TYPES = ("request", "application")


def _target(federation_id: int | None) -> Federation:
    federation = db.session.get(Federation, federation_id) if federation_id else None
    if federation is None:
        raise NotFound("接收单位不存在")
    if federation.status != "active":
        raise Conflict(f"{federation.name}当前不在运行状态，不能接收转办")
    return federation


def subject_type_of(subject) -> str:
    if isinstance(subject, HelpRequest):
        return "request"
    if isinstance(subject, Application):
        return "application"
    raise TypeError(f"cannot transfer {type(subject).__name__}")


def _restart_request_clock(subject: HelpRequest, now) -> None:
    if subject.first_response_due and subject.first_responded_at is None:
        subject.first_response_due = now + (subject.first_response_due - subject.created_at)
    if subject.resolution_due:
        subject.resolution_due = now + (subject.resolution_due - (subject.accepted_at or subject.created_at))
    if subject.overdue:
        subject.overdue, subject.overdue_since = False, None


def transfer(subject: HelpRequest | Application, *, to_federation_id: int, reason: str,
             staff: Staff | None = None, kind: str = "transfer", restart_clock: bool = False) -> Transfer:
    """Move `subject` to another federation's inbox (flushed; the caller commits).

    `kind` is "transfer" (to any active node of the tree) or "escalate" (to the upper
    union, see `escalate`). `staff` must be able to see the subject where it is now; the
    caller checks their role."""
    if kind not in KINDS:
        raise ValueError(f"unknown transfer kind {kind!r}")
    subject_type = subject_type_of(subject)
    if staff is not None:
        require_scope(staff, subject.federation_id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "请填写转办原因"})
    if len(reason) > 500:
        raise Invalid(fields={"reason": "原因不超过500字"})
    target = _target(to_federation_id)
    if target.id == subject.federation_id:
        raise Conflict("已经在该单位的收件箱中")
    if subject_type == "request" and subject.status not in OPEN_REQUEST_STATUSES:
        raise Conflict("该诉求已办结或已撤回，不能转办")
    if subject_type == "application" and subject.status not in OPEN_APPLICATION_STATUSES:
        raise Conflict("该申请已处理完毕，不能转办")
    now = utcnow()
    actor_id = staff.id if staff else None
    rule = DEADLINE_RULE_RESTARTED if restart_clock else DEADLINE_RULE
    hop = Transfer(subject_type=subject_type, subject_id=subject.id, kind=kind, reason=reason,
                   from_federation_id=subject.federation_id, to_federation_id=target.id,
                   actor_staff_id=actor_id, created_at=now)
    db.session.add(hop)
    source_id = subject.federation_id
    subject.federation_id = target.id
    verb = "上报" if kind == "escalate" else "转交"
    if subject_type == "request":
        subject.assignee_id = None
        subject.incoming = True
        if kind == "escalate":
            subject.escalated = True
        if restart_clock:
            _restart_request_clock(subject, now)
        db.session.add(RequestEvent(
            request_id=subject.id, kind=kind, public=True, actor_staff_id=actor_id, created_at=now,
            body=f"您的诉求已{verb}{target.name}办理。原因：{reason}",
            data={"from": source_id, "to": target.id, "deadline_rule": rule},
        ))
        from service.links import h5_url

        queue_message(
            subject.worker.openid, f"您的诉求（{subject.number}）已{verb}{target.name}办理。",
            url=h5_url("request", id=subject.id), template="request_update",
            fields={"number": subject.number, "status": f"已{verb}", "handler": target.name},
        )
    else:
        subject.source = "transfer"
        if restart_clock and subject.due_at:
            subject.due_at = now + (subject.due_at - subject.submitted_at)
    db.session.flush()
    audit.record(f"{subject_type}.{kind}", staff=staff, subject_type=subject_type, subject_id=subject.id,
                 federation_id=source_id,
                 detail={"from": source_id, "to": target.id, "reason": reason, "deadline_rule": rule})
    return hop


def escalate(subject: HelpRequest | Application, *, reason: str, staff: Staff | None = None,
             restart_clock: bool = False) -> Transfer:
    """Send to the upper union of the federation that holds it."""
    holder = db.session.get(Federation, subject.federation_id)
    if holder is None or holder.parent_id is None:
        raise Conflict("已是最上级工会，无法再上报")
    return transfer(subject, to_federation_id=holder.parent_id, reason=reason, staff=staff, kind="escalate",
                    restart_clock=restart_clock)


def history(subject_type: str, subject_id: int) -> list[Transfer]:
    """Every hop of a request or application, oldest first."""
    return list(db.session.scalars(
        select(Transfer).where(Transfer.subject_type == subject_type, Transfer.subject_id == subject_id)
        .order_by(Transfer.id)
    ))


def incoming(federation_id: int, subject_type: str | None = None) -> list[Transfer]:
    """The latest hop of each item transferred or escalated into `federation_id` that is
    still there and still open (for requests: not yet claimed), newest first."""
    hops = db.session.scalars(
        select(Transfer).where(Transfer.to_federation_id == federation_id,
                               *([Transfer.subject_type == subject_type] if subject_type else []))
        .order_by(Transfer.id.desc())
    )
    seen, found = set(), []
    for hop in hops:
        key = (hop.subject_type, hop.subject_id)
        if key in seen:
            continue
        seen.add(key)
        subject = get_subject(hop.subject_type, hop.subject_id)
        if subject is None or subject.federation_id != federation_id:
            continue
        if hop.subject_type == "request" and (not subject.incoming or subject.status not in OPEN_REQUEST_STATUSES):
            continue
        if hop.subject_type == "application" and subject.status not in OPEN_APPLICATION_STATUSES:
            continue
        found.append(hop)
    return found


def get_subject(subject_type: str, subject_id: int) -> HelpRequest | Application | None:
    model = {"request": HelpRequest, "application": Application}.get(subject_type)
    return db.session.get(model, subject_id) if model else None


def visible_history(staff: Staff, subject_type: str, subject_id: int) -> list[dict]:
    """The hops of an item `staff` can see where it is now (a guessed id is a 404)."""
    subject = get_subject(subject_type, subject_id)
    if subject is None:
        raise NotFound()
    require_scope(staff, subject.federation_id)
    hops = history(subject_type, subject_id)
    ids = {hop.from_federation_id for hop in hops} | {hop.to_federation_id for hop in hops}
    names = dict(db.session.execute(select(Federation.id, Federation.name).where(Federation.id.in_(ids))).all())
    return [{"id": hop.id, "kind": hop.kind, "reason": hop.reason, "actor_staff_id": hop.actor_staff_id,
             "created_at": hop.created_at,
             "from_federation_id": hop.from_federation_id, "from_federation_name": names.get(hop.from_federation_id),
             "to_federation_id": hop.to_federation_id, "to_federation_name": names.get(hop.to_federation_id)}
            for hop in hops]
