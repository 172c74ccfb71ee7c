"""Where a mediation meets: staff pick a service position they can see (or clear it) and add
when or in which room; the worker reads it on their request page and gets it in WeChat, with a
link to the position's page (details, opening hours, navigation). Audited like every action."""
from datetime import datetime

from models.base import utcnow
from models.request import HelpRequest
from models.staff import Staff
from service import audit
from service.errors import Conflict, Invalid
from service.help_requests.casework import get_request
from service.help_requests.status import add_event, notify_worker
from service.positions import venues

MAX_NOTE = 200
STATUSES = ("in_progress", "awaiting_worker")  # accepted and still open


def meeting_of(request: HelpRequest) -> dict | None:
    """The meeting place as pages show it, dumped by MeetingPlaceOut (None when none is set)."""
    if request.meeting_position is None and not request.meeting_note:
        return None
    return {"position": request.meeting_position, "note": request.meeting_note,
            "text": venues.place_text(request.meeting_position, request.meeting_note)}


def can_set(request: HelpRequest) -> bool:
    return request.type == "mediation" and request.status in STATUSES


def set_meeting_place(staff: Staff, request_id: int, position_id: int | None, note: str | None = None, *,
                      now: datetime | None = None) -> HelpRequest:
    """Set (or clear, with neither) the meeting place of an accepted, open mediation request."""
    now = now or utcnow()
    request = get_request(staff, request_id, lock=True)
    if request.type != "mediation":
        raise Conflict("只有劳动争议调解诉求需要安排调解地点", code="bad_type")
    if request.status == "new":
        raise Conflict("请先认领并受理该诉求，再安排调解地点", code="bad_transition")
    if request.status not in STATUSES:
        raise Conflict("该诉求已办结或已撤回，不能再安排调解地点", code="bad_transition")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise Invalid(fields={"note": f"不超过{MAX_NOTE}字"})
    previous = request.meeting_position_id
    position = venues.pick(staff, position_id, field="position_id", current_id=previous)
    new_id = position.id if position else None
    if new_id == previous and note == request.meeting_note:
        return request  # nothing changed: no line, no message
    request.meeting_position_id, request.meeting_note = new_id, note
    request.meeting_position = position
    if position is None and note is None:
        body, text = "调解地点已取消，另行通知", "调解地点已取消，工会将另行通知。"
    else:
        place = venues.place_text(position, note)
        body, text = f"调解地点：{place}", f"调解地点：{place}。" + venues.place_link(position)
    event = add_event(request, "meeting", public=True, staff=staff, now=now, body=body,
                      data={"position_id": new_id, "previous": previous})
    notify_worker(request, text, dedup_key=f"request:{request.id}:event:{event.id}", now=now)
    request.updated_at = now
    request.incoming = False
    audit.record("request.meeting", staff=staff, subject_type="request", subject_id=request.id,
                 federation_id=request.federation_id,
                 detail={"position_id": new_id, "previous": previous, "note": note is not None})
    return request
