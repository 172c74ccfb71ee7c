"""Help requests, the staff's side: claim, assign, reply, note, ask for information, transfer,
escalate, resolve, reopen, close (DESIGN §5 Inbox). Every action is audited; every public
line and status change queues a WeChat message to the worker in the same transaction."""
from datetime import datetime

from sqlalchemy import select

from models.base import utcnow
from models.request import HelpRequest
from models.staff import Staff
from service import audit
from service.help_requests import deadlines
from service.routing import transfers
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.guarded import guarded_update, same_as
from service.help_requests.outcomes import clean_outcome, describe
from service.help_requests.status import add_event, notify_worker, tell_worker, transition
from service.staff.scope import can_see, require_role
from service import clock
from service.staff.scope import get_in_scope

MAX_BODY = 2000
MAX_BULK = 200
AS_READ = object()  # claim(): no expectation from the page, guard on what the server read
CLAIMED = "该诉求刚被他人认领，请刷新后再试"


def get_request(staff: Staff, request_id: int, *, lock: bool = False) -> HelpRequest:
    """A request the staff member may see; a guessed or out-of-scope id is a 404."""
    if not isinstance(request_id, int) or not 0 < request_id < 2 ** 31:
        raise NotFound("找不到该诉求")
    return get_in_scope(staff, HelpRequest, request_id, message="找不到该诉求", lock=lock)


def get_involved(staff: Staff, request_id: int) -> HelpRequest:
    """A request this staff member acted on that has since moved out of their scope (转办/上报):
    they keep a read-only view. Anything else is a 404."""
    from models.request import RequestEvent

    valid = isinstance(request_id, int) and 0 < request_id < 2 ** 31
    request = db.session.get(HelpRequest, request_id) if valid else None
    acted = request is not None and db.session.scalar(select(RequestEvent.id).where(
        RequestEvent.request_id == request.id, RequestEvent.actor_staff_id == staff.id).limit(1))
    if not acted:
        raise NotFound("找不到该诉求")
    return request


def _text(body: str | None, label: str, key: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(fields={key: f"请填写{label}"})
    if len(body) > MAX_BODY:
        raise Invalid(fields={key: f"{label}不超过{MAX_BODY}字"})
    return body


def _audit(staff: Staff, request: HelpRequest, action: str, **detail) -> None:
    audit.record(f"request.{action}", staff=staff, subject_type="request", subject_id=request.id,
                 federation_id=request.federation_id, detail=detail or None)


def _touch(request: HelpRequest, now: datetime) -> None:
    request.updated_at = now
    request.incoming = False  # the receiving inbox has acted on it


def _accept(staff: Staff, request: HelpRequest, now: datetime, assignee: Staff, *, notify: bool = True) -> None:
    """new → in_progress, starting the clocks that run from acceptance. `notify=False` when the
    action itself sends the worker a message (a reply, a question, an outcome)."""
    transition(request, "in_progress")
    deadlines.on_accepted(request, now)
    add_event(request, "accepted", public=True, staff=staff, now=now,
              body=f"{request.federation.name}已受理您的诉求")
    if notify:
        notify_worker(request, f"{request.federation.name}已受理您的诉求，正在办理。",
                      dedup_key=f"request:{request.id}:accepted", now=now)
    if request.assignee_id is None:
        request.assignee_id = assignee.id


def claim(staff: Staff, request_id: int, *, expected_assignee_id=AS_READ,
          now: datetime | None = None) -> HelpRequest:
    """Take a request for oneself (and accept it if it is new). `expected_assignee_id` is the
    assignee the page showed (None: unassigned); when someone else claimed it meanwhile, or claims
    it at the same moment, this is a Conflict — one claim wins, never two."""
    now = now or utcnow()
    request = get_request(staff, request_id)
    if not request.is_open:
        raise Conflict("该诉求已办结或已撤回，不能认领")
    if request.assignee_id == staff.id and not request.incoming:
        raise Conflict("您已认领该诉求")
    previous = request.assignee_id
    if expected_assignee_id is not AS_READ and previous != expected_assignee_id:
        raise Conflict(CLAIMED, code="claimed")
    guarded_update(request, same_as(HelpRequest.assignee_id, previous), HelpRequest.status == request.status,
                   conflict=CLAIMED, code="claimed", assignee_id=staff.id)
    if request.status == "new":
        _accept(staff, request, now, staff)
    add_event(request, "claimed", public=False, staff=staff, now=now, body=f"{staff.display_name}认领",
              data={"previous": previous})
    _touch(request, now)
    _audit(staff, request, "claim", previous=previous)
    return request


def _check_assignee(staff: Staff, request: HelpRequest, assignee_id: int) -> Staff:
    assignee = db.session.get(Staff, assignee_id) if isinstance(assignee_id, int) else None
    if assignee is None or not assignee.active or not can_see(staff, assignee.federation_id) \
            or not can_see(assignee, request.federation_id):
        raise Invalid(fields={"assignee_id": "该员工不能办理此诉求（已停用或不在受理单位）"})
    return assignee


def assign(staff: Staff, request_id: int, assignee_id: int, *, now: datetime | None = None) -> HelpRequest:
    """Give a request to a colleague who can see it (chair and admin)."""
    require_role(staff, "admin", "chair")
    now = now or utcnow()
    request = get_request(staff, request_id, lock=True)
    return _assign_one(staff, request, assignee_id, now)


def _assign_one(staff: Staff, request: HelpRequest, assignee_id: int, now: datetime) -> HelpRequest:
    if not request.is_open:
        raise Conflict(f"诉求 {request.number} 已办结或已撤回，不能分派")
    assignee = _check_assignee(staff, request, assignee_id)
    previous = request.assignee_id
    request.assignee_id = assignee.id
    if request.status == "new":
        _accept(staff, request, now, assignee)
    add_event(request, "assigned", public=False, staff=staff, now=now,
              body=f"{staff.display_name}分派给{assignee.display_name}", data={"to": assignee.id, "previous": previous})
    _touch(request, now)
    _audit(staff, request, "assign", to=assignee.id, previous=previous)
    return request


def bulk_assign(staff: Staff, request_ids: list[int], assignee_id: int, *, now: datetime | None = None) -> int:
    """Assign many requests at once; all or nothing (one unseen id is a 404 for the batch)."""
    require_role(staff, "admin", "chair")
    now = now or utcnow()
    ids = sorted(set(request_ids or []))
    if not ids or len(ids) > MAX_BULK:
        raise Invalid(fields={"request_ids": f"请选择1–{MAX_BULK}件诉求"})
    for request_id in ids:
        _assign_one(staff, get_request(staff, request_id, lock=True), assignee_id, now)
    return len(ids)


def reply(staff: Staff, request_id: int, body: str, *, now: datetime | None = None) -> HelpRequest:
    """A public reply, delivered to the worker in WeChat; accepts a new request."""
    now = now or utcnow()
    body = _text(body, "回复内容")
    request = get_request(staff, request_id, lock=True)
    if request.status in ("closed", "withdrawn"):
        raise Conflict("该诉求已结案或已撤回，不能再回复")
    if request.status == "new":
        _accept(staff, request, now, staff, notify=False)
    deadlines.on_first_response(request, now)
    event = tell_worker(request, "reply", body, message=f"工会回复：{body}", staff=staff, now=now)
    _touch(request, now)
    _audit(staff, request, "reply", event=event.id)
    return request


def note(staff: Staff, request_id: int, body: str, *, now: datetime | None = None) -> HelpRequest:
    """An internal note: staff only, never shown to or sent to the worker."""
    now = now or utcnow()
    body = _text(body, "备注内容")
    request = get_request(staff, request_id)
    event = add_event(request, "note", public=False, staff=staff, now=now, body=body)
    request.updated_at = now
    _audit(staff, request, "note", event=event.id)
    return request


def ask_info(staff: Staff, request_id: int, body: str, *, now: datetime | None = None) -> HelpRequest:
    """Ask the worker for more information: status awaiting_worker until they add it."""
    now = now or utcnow()
    body = _text(body, "需要补充的内容")
    request = get_request(staff, request_id, lock=True)
    if request.status == "new":
        _accept(staff, request, now, staff, notify=False)
    transition(request, "awaiting_worker")
    deadlines.on_first_response(request, now)
    event = tell_worker(request, "info_requested", body, message=f"请补充材料：{body}", staff=staff, now=now)
    _touch(request, now)
    _audit(staff, request, "ask_info", event=event.id)
    return request


def resume(staff: Staff, request_id: int, *, now: datetime | None = None) -> HelpRequest:
    """Stop waiting for the worker (awaiting_worker → in_progress), e.g. when they never answer."""
    now = now or utcnow()
    request = get_request(staff, request_id, lock=True)
    if request.status != "awaiting_worker":
        raise Conflict("该诉求不在“待职工补充”状态", code="bad_transition")
    transition(request, "in_progress")
    tell_worker(request, "resumed", "工会已根据现有材料继续办理", message="工会已根据现有材料继续办理您的诉求。",
                staff=staff, now=now)
    _touch(request, now)
    _audit(staff, request, "resume")
    return request


def resolve(staff: Staff, request_id: int, outcome: dict, *, now: datetime | None = None) -> HelpRequest:
    """Resolve with a type-specific outcome (see service/help_requests/outcomes.py)."""
    now = now or utcnow()
    request = get_request(staff, request_id, lock=True)
    clean = clean_outcome(request.type, outcome, today=clock.china_date(now))
    if request.status == "new":
        _accept(staff, request, now, staff, notify=False)
    transition(request, "resolved")
    request.outcome, request.resolved_at = clean, now
    text = describe(clean)
    deadlines.on_first_response(request, now)
    tell_worker(request, "resolved", text, message=f"{text}\n欢迎对本次办理作出评价。", staff=staff, data=clean,
                now=now)
    _touch(request, now)
    _audit(staff, request, "resolve", result=clean["result"])
    return request


def reopen(staff: Staff, request_id: int, reason: str, *, now: datetime | None = None) -> HelpRequest:
    """resolved → in_progress (chair and admin)."""
    require_role(staff, "admin", "chair")
    now = now or utcnow()
    reason = _text(reason, "重新办理的原因", "reason")
    request = get_request(staff, request_id, lock=True)
    if request.status != "resolved":
        raise Conflict("只有已办结的诉求可以重新办理", code="bad_transition")
    transition(request, "in_progress")
    request.resolved_at = None
    tell_worker(request, "reopened", f"诉求重新办理：{reason}", message=f"您的诉求已重新办理。原因：{reason}",
                staff=staff, now=now)
    _touch(request, now)
    _audit(staff, request, "reopen")
    return request


def close(staff: Staff, request_id: int, *, now: datetime | None = None) -> HelpRequest:
    now = now or utcnow()
    request = get_request(staff, request_id, lock=True)
    transition(request, "closed")
    request.closed_at = now
    tell_worker(request, "closed", "诉求已结案", message="您的诉求已结案。感谢您的信任。", staff=staff, now=now)
    request.updated_at = now
    _audit(staff, request, "close")
    return request


def transfer(staff: Staff, request_id: int, to_federation_id: int, reason: str) -> HelpRequest:
    """Move to another federation's inbox (service/routing/transfers.py: clock not restarted)."""
    request = get_request(staff, request_id, lock=True)
    transfers.transfer(request, to_federation_id=to_federation_id, reason=reason, staff=staff)
    return request


def escalate(staff: Staff, request_id: int, reason: str) -> HelpRequest:
    """Send to the upper union of the federation holding it."""
    request = get_request(staff, request_id, lock=True)
    transfers.escalate(request, reason=reason, staff=staff)
    request.escalated = True
    request.escalated_at = utcnow()
    return request

