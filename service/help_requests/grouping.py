"""Duplicates and group cases. Staff see the other open requests against the same employer beside
a request; they merge a duplicate into the original (the duplicate is closed, its worker follows
the original), and requests of several workers against one employer gathered into one original
make a group case (群体性欠薪 for wage arrears): one caseworker, and every update of the
original reaches every worker (service/help_requests/status.notify_worker fans out)."""
from datetime import datetime

from sqlalchemy import func, select

from models.base import utcnow
from models.request import OPEN_STATUSES, REQUEST_TYPE_LABELS, STATUS_LABELS, HelpRequest
from models.staff import Staff
from service.errors import Conflict, Invalid
from service.extensions import db
from service.help_requests.status import add_event, notify_worker
from service.staff.scope import in_scope

SAME_EMPLOYER_MAX = 20


def normalise_employer(name: str | None) -> str:
    return (name or "").strip().replace(" ", "")


def same_employer(staff: Staff, request: HelpRequest) -> list[dict]:
    """Other open requests in the staff member's scope that name the same employer."""
    key = normalise_employer(request.employer_name)
    if not key:
        return []
    rows = db.session.scalars(select(HelpRequest).where(
        in_scope(staff, HelpRequest.federation_id), HelpRequest.id != request.id,
        HelpRequest.status.in_(OPEN_STATUSES), HelpRequest.merged_into_id.is_(None),
        func.replace(HelpRequest.employer_name, " ", "") == key)
        .order_by(HelpRequest.created_at).limit(SAME_EMPLOYER_MAX)).all()
    return [{"id": r.id, "number": r.number, "type_label": REQUEST_TYPE_LABELS[r.type], "worker_name": r.worker_name,
             "status_label": STATUS_LABELS[r.status], "same_worker": r.worker_id == request.worker_id,
             "created_at": r.created_at} for r in rows]


def members(request: HelpRequest) -> list[HelpRequest]:
    """The requests merged into `request` (its group)."""
    return list(db.session.scalars(select(HelpRequest).where(HelpRequest.merged_into_id == request.id)
                                   .order_by(HelpRequest.id)))


def is_group(request: HelpRequest) -> bool:
    return any(m.worker_id != request.worker_id for m in members(request))


def group_label(request: HelpRequest) -> str | None:
    if not is_group(request):
        return None
    return "群体性欠薪" if request.type == "wage_arrears" else f"群体性{REQUEST_TYPE_LABELS[request.type]}"


def merge(staff: Staff, request_id: int, into_id: int, *, now: datetime | None = None) -> HelpRequest:
    """Merge request `request_id` into `into_id`: the duplicate is closed, its worker is told and
    from now on receives every update of the original. Answers the original."""
    from service.help_requests.casework import _audit, get_request

    now = now or utcnow()
    if not isinstance(into_id, int) or into_id == request_id:
        raise Invalid(fields={"into_id": "请选择要并入的另一件诉求"})
    duplicate = get_request(staff, request_id, lock=True)
    original = get_request(staff, into_id, lock=True)
    if not duplicate.is_open or not original.is_open:
        raise Conflict("只能合并正在办理的诉求")
    if original.merged_into_id is not None:
        raise Conflict(f"诉求 {original.number} 本身已并入其他诉求，请并入原始诉求")
    for member in members(duplicate):  # a group moves as a whole
        member.merged_into_id = original.id
    duplicate.merged_into_id = original.id
    # Closed by the merge (outside the worker-facing state machine: nothing is left to do here).
    duplicate.status, duplicate.closed_at, duplicate.updated_at = "closed", now, now
    duplicate.outcome = {"result": "merged", "summary": f"已并入 {original.number} 一并办理", "into": original.number}
    event = add_event(duplicate, "merged", public=True, staff=staff, now=now,
                      body=f"您的诉求已与同一用人单位的诉求 {original.number} 合并办理，后续进展会同时通知您。",
                      data={"into": original.id})
    notify_worker(duplicate, f"您的诉求已与诉求 {original.number} 合并办理，后续进展会同时通知您。",
                  dedup_key=f"request:{duplicate.id}:event:{event.id}", now=now, fan_out=False)
    who = duplicate.worker_name or "职工"
    add_event(original, "merged_in", public=False, staff=staff, now=now,
              body=f"{staff.display_name}将 {duplicate.number}（{who}）并入本诉求", data={"from": duplicate.id})
    original.updated_at = now
    _audit(staff, original, "merge", merged=duplicate.id)
    return original
