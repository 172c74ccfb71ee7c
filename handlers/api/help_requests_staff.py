"""The staff inbox and casework actions (console pages inbox.html and request.html)."""
from urllib.parse import quote

from flask import Response, g, stream_with_context
from flask_smorest import Blueprint
from sqlalchemy import select

from handlers.api.openapi import file_response, json_object
from handlers.api.staff_auth import staff_required
from handlers.schemas.inbox import (AssigneeOut, AssignIn, ClaimIn, BodyIn, BulkAssignIn, InboxCountOut, ExportQuery, InboxPageOut,
                                    InboxQuery, MeetingPlaceIn, MergeIn, NodeOut, NodeQuery, TargetsOut, OutcomeIn, RequestReasonIn,
                                    RequestDetailOut, RequestUpdatesOut, StateOut,
                                    TransferIn)
from models.federation import Federation
from models.request import Attachment
from models.staff import Staff
from service.help_requests import casework
from service.help_requests import inbox
from service.help_requests import meetings
from service.errors import NotFound
from service.extensions import db
from service.help_requests.detail import read_only_detail, staff_detail, staff_updates
from service.staff.scope import in_scope

bp = Blueprint("inbox", __name__, url_prefix="/api/inbox", description="诉求收件箱（员工端）")
MANAGERS = ("admin", "chair")


def _filters(args: dict) -> inbox.Filters:
    return inbox.Filters(**{k: args.get(k) for k in ("type", "status", "date_from", "date_to", "assignee_id",
                                                      "federation_id", "q")})


@bp.get("")
@staff_required()
@bp.arguments(InboxQuery, location="query")
@bp.response(200, InboxPageOut)
def list_inbox(args):
    """One page of a view (unassigned, mine, overdue, incoming, all), filtered and searched;
    pass `next_cursor` back as `cursor` for the next page."""
    items, next_cursor = inbox.list_page(g.staff, args["view"], _filters(args), cursor=args["cursor"],
                                         limit=args["limit"])
    return {"items": items, "next_cursor": next_cursor}


@bp.get("/counts")
@bp.doc(responses=json_object("每个视图的件数与未读职工消息数"))
@staff_required()
def counts():
    """The count of each working view (the inbox tabs poll it) and of requests with unread
    worker messages."""
    return inbox.count_views(g.staff)


@bp.get("/export.csv")
@bp.doc(responses=file_response("text/csv", description="当前视图（CSV，UTF-8 带 BOM，手机号已遮挡）"))
@staff_required(*MANAGERS)
@bp.arguments(ExportQuery, location="query")
def export(args):
    """The current view as CSV (UTF-8 with BOM for Excel), streamed; phone numbers masked."""
    chunks = inbox.export_csv(g.staff, args["view"], _filters(args))
    filename = quote(f"诉求导出-{args['view']}.csv")
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=requests.csv; filename*=UTF-8''{filename}",
                             "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store"})


@bp.get("/targets")
@staff_required()
@bp.response(200, TargetsOut)
def targets():
    """The deadline targets per request type (the one table in service/help_requests/deadlines.py)."""
    from models.request import REQUEST_TYPE_LABELS
    from service.help_requests.deadlines import ESCALATION_GRACE, LIMITATION_WARNING, TARGETS

    return {"types": [{"type": kind, "label": REQUEST_TYPE_LABELS[kind], "first_response_days": t.first_response.days,
                       "resolution_days": t.resolution.days, "resolution_from": t.resolution_from,
                       "resolution_label": t.resolution_label, "basis": t.basis} for kind, t in TARGETS.items()],
            "escalation_grace_days": ESCALATION_GRACE.days, "limitation_warning_days": LIMITATION_WARNING.days}


@bp.get("/assignees")
@staff_required()
@bp.response(200, AssigneeOut(many=True))
def assignees():
    """Active staff in the caller's scope (who a request can be given to)."""
    return db.session.scalars(select(Staff).where(in_scope(g.staff, Staff.federation_id), Staff.active.is_(True))
                              .order_by(Staff.federation_id, Staff.display_name).limit(500)).all()


@bp.get("/federations")
@staff_required()
@bp.arguments(NodeQuery, location="query")
@bp.response(200, NodeOut(many=True))
def scope_nodes(args):
    """The caller's node and every node beneath it (filters, staff accounts)."""
    query = select(Federation).where(in_scope(g.staff, Federation.id))
    if args["q"]:
        query = query.where(Federation.name.contains(args["q"]))
    return db.session.scalars(query.order_by(Federation.id).limit(500)).all()


@bp.get("/transfer-targets")
@staff_required()
@bp.arguments(NodeQuery, location="query")
@bp.response(200, NodeOut(many=True))
def transfer_targets(args):
    """Active unions and federations a request can be transferred to (any, not only in scope)."""
    query = select(Federation).where(Federation.status == "active")
    if args["q"]:
        query = query.where(Federation.name.contains(args["q"]))
    return db.session.scalars(query.order_by(Federation.id).limit(30)).all()


@bp.post("/bulk-assign")
@staff_required(*MANAGERS)
@bp.arguments(BulkAssignIn)
@bp.response(200, InboxCountOut)
def bulk_assign(data):
    """Assign many requests to one colleague, all or nothing."""
    count = casework.bulk_assign(g.staff, data["request_ids"], data["assignee_id"])
    return {"assigned": count}


@bp.get("/requests/<int:request_id>")
@staff_required()
@bp.response(200, RequestDetailOut)
def detail(request_id):
    """Everything about one request, with the full timeline (the view is audited)."""
    try:
        found = casework.get_request(g.staff, request_id)
    except NotFound:  # moved out by 转办/上报: those who acted on it keep a read-only view
        return read_only_detail(g.staff, casework.get_involved(g.staff, request_id))
    return staff_detail(g.staff, found)


@bp.get("/requests/<int:request_id>/updates")
@staff_required()
@bp.response(200, RequestUpdatesOut)
def updates(request_id):
    """The timeline (with delivery states), attachments and status, for the open page to poll."""
    try:
        found = casework.get_request(g.staff, request_id)
    except NotFound:
        found = casework.get_involved(g.staff, request_id)
        return {**staff_updates(found, clear_unread=False)}
    return staff_updates(found)


@bp.get("/requests/<int:request_id>/attachments/<int:attachment_id>")
@bp.doc(responses=file_response("image/jpeg", "image/png", "image/gif", "image/webp", description="证据图片"))
@staff_required()
def attachment(request_id, attachment_id):
    """An evidence image, to staff who may see the request (or keep a read-only view of it)."""
    try:
        casework.get_request(g.staff, request_id)
    except NotFound:
        casework.get_involved(g.staff, request_id)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.request_id != request_id or found.status != "stored":
        raise NotFound("找不到该附件")
    return Response(found.data, mimetype=found.content_type, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"inline; filename=attachment-{found.id}",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"})


def _done(result):
    return result


@bp.post("/requests/<int:request_id>/claim")
@staff_required()
@bp.arguments(ClaimIn)
@bp.response(200, StateOut)
def claim(data, request_id):
    """Claim the request; 409 when another staff member claimed it first (or at the same moment)."""
    return _done(casework.claim(g.staff, request_id, **data))


@bp.post("/requests/<int:request_id>/assign")
@staff_required(*MANAGERS)
@bp.arguments(AssignIn)
@bp.response(200, StateOut)
def assign(data, request_id):
    return _done(casework.assign(g.staff, request_id, data["assignee_id"]))


@bp.post("/requests/<int:request_id>/reply")
@staff_required()
@bp.arguments(BodyIn)
@bp.response(200, StateOut)
def reply(data, request_id):
    """A public reply, sent to the worker in WeChat."""
    return _done(casework.reply(g.staff, request_id, data["body"]))


@bp.post("/requests/<int:request_id>/note")
@staff_required()
@bp.arguments(BodyIn)
@bp.response(200, StateOut)
def note(data, request_id):
    """An internal note, never shown to the worker."""
    return _done(casework.note(g.staff, request_id, data["body"]))


@bp.post("/requests/<int:request_id>/ask-info")
@staff_required()
@bp.arguments(BodyIn)
@bp.response(200, StateOut)
def ask_info(data, request_id):
    return _done(casework.ask_info(g.staff, request_id, data["body"]))


@bp.post("/requests/<int:request_id>/resume")
@staff_required()
@bp.response(200, StateOut)
def resume(request_id):
    return _done(casework.resume(g.staff, request_id))


@bp.post("/requests/<int:request_id>/resolve")
@staff_required()
@bp.arguments(OutcomeIn)
@bp.response(200, StateOut)
def resolve(data, request_id):
    return _done(casework.resolve(g.staff, request_id, data))


@bp.post("/requests/<int:request_id>/reopen")
@staff_required(*MANAGERS)
@bp.arguments(RequestReasonIn)
@bp.response(200, StateOut)
def reopen(data, request_id):
    return _done(casework.reopen(g.staff, request_id, data["reason"]))


@bp.post("/requests/<int:request_id>/close")
@staff_required()
@bp.response(200, StateOut)
def close(request_id):
    return _done(casework.close(g.staff, request_id))


@bp.post("/requests/<int:request_id>/meeting")
@staff_required()
@bp.arguments(MeetingPlaceIn)
@bp.response(200, StateOut)
def set_meeting(data, request_id):
    """Where a mediation meets: a service position the caller can see and/or a note; both null
    clears it. The worker is told in WeChat, with a link to the position's page."""
    return _done(meetings.set_meeting_place(g.staff, request_id, data.get("position_id"), data.get("note")))


@bp.post("/requests/<int:request_id>/merge")
@staff_required()
@bp.arguments(MergeIn)
@bp.response(200, StateOut)
def merge(data, request_id):
    """Merge this request (a duplicate, or one worker of a group case) into another open one."""
    from service.help_requests import grouping

    return _done(grouping.merge(g.staff, request_id, data["into_id"]))


@bp.post("/requests/<int:request_id>/transfer")
@staff_required()
@bp.arguments(TransferIn)
@bp.response(200, StateOut)
def transfer(data, request_id):
    return _done(casework.transfer(g.staff, request_id, data["to_federation_id"], data["reason"]))


@bp.post("/requests/<int:request_id>/escalate")
@staff_required()
@bp.arguments(RequestReasonIn)
@bp.response(200, StateOut)
def escalate(data, request_id):
    return _done(casework.escalate(g.staff, request_id, data["reason"]))
