"""A request as the staff console shows it: worker (ID masked, membership), facts, type-specific
fields, attachments, routing, deadlines and the full timeline (public and internal)."""
from sqlalchemy import func, select

from models.federation import Federation
from models.membership import MEMBERSHIP_STATUSES, Membership
from models.request import (OPEN_STATUSES, REQUEST_TYPE_LABELS, STATUS_LABELS, Attachment, HelpRequest,
                            RequestEvent)
from models.staff import Staff
from service import audit
from service.help_requests import deadlines
from service.routing import transfers
from service.extensions import db
from service.help_requests.outcomes import OUTCOME_LABELS, describe
from service.help_requests.fields import INJURY_RECOGNITION, LEGAL_AID_CLAIMS, LEGAL_AID_GROUNDS
from service.help_requests import grouping
from service.help_requests.meetings import can_set as can_set_meeting, meeting_of
from service.help_requests.delivery import deliveries
from service.help_requests.wording import routing_sentence, staff_line
from service import refdata


def _number(request_id: int | None) -> str | None:
    return db.session.scalar(select(HelpRequest.number).where(HelpRequest.id == request_id)) if request_id else None


def _industry_name(code: str | None) -> str | None:
    industry = refdata.get_industry(code) if code else None
    return f"{industry.name}" if industry else code

MEMBERSHIP_LABELS = dict(zip(MEMBERSHIP_STATUSES, ("会员", "转会中", "保留会籍", "已退会")))
DETAIL_LABELS = {
    "employer_address": "用人单位地址", "legal_representative": "法定代表人",
    "migrant_worker": "进城务工人员", "claim": "申请事项", "exempt": "免予核查经济困难",
    "ground": "申请理由", "ground_note": "理由说明", "injury_date": "受伤日期", "recognised": "工伤认定",
    "months": "拖欠月数", "workers_affected": "涉及人数",
}
DETAIL_VALUES = {"claim": LEGAL_AID_CLAIMS, "ground": LEGAL_AID_GROUNDS, "recognised": INJURY_RECOGNITION}


def _detail_rows(details: dict) -> list[dict]:
    rows = []
    for key, value in (details or {}).items():
        if value is None or key not in DETAIL_LABELS:
            continue
        if isinstance(value, bool):
            value = "是" if value else "否"
        value = DETAIL_VALUES.get(key, {}).get(value, value)
        rows.append({"key": key, "label": DETAIL_LABELS[key], "value": str(value)})
    return rows


def membership_of(worker_id: int) -> dict | None:
    row = db.session.execute(
        select(Membership.status, Membership.member_no, Federation.name)
        .join(Federation, Federation.id == Membership.federation_id)
        .where(Membership.worker_id == worker_id).order_by(Membership.status == "withdrawn", Membership.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"status": row.status, "status_label": MEMBERSHIP_LABELS.get(row.status, row.status),
            "member_no": row.member_no, "federation_name": row.name}


def status_label(status: str, incoming: bool, escalated: bool) -> str:
    """办理中 etc.; an escalation nobody above has taken yet reads 待上级受理."""
    if status in OPEN_STATUSES and incoming and escalated:
        return "待上级受理"
    return STATUS_LABELS[status]


def actions_for(request: HelpRequest, staff: Staff) -> list[str]:
    """What the console offers on this request (the services check again)."""
    status, manager = request.status, staff.role in ("admin", "chair")
    actions = ["note"]
    if status in OPEN_STATUSES:
        mine = request.assignee_id == staff.id and not request.incoming
        actions += ([] if mine else ["claim"]) + ["transfer", "escalate", "reply"]
        actions += ["assign"] if manager else []
        actions += ["merge"]
        actions += ["ask_info"] if status in ("new", "in_progress") else ["resume"]
        actions += ["resolve"] if status in ("new", "in_progress") else []
        actions += ["meeting"] if can_set_meeting(request) else []
    if status == "resolved":
        actions += ["reply", "reopen", "close"] if manager else ["reply", "close"]  # reopen: chair and admin
    return actions


def timeline(request: HelpRequest) -> list[dict]:
    """Every line, written for staff, with the delivery state of what was sent to the worker."""
    events = db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                                .order_by(RequestEvent.created_at, RequestEvent.id)).all()
    sent = deliveries(request, events)
    return [{"id": e.id, "kind": e.kind, "public": e.public, "by_worker": e.by_worker,
             "body": staff_line(e.kind, e.body, e.data, e.by_worker), "delivery": sent.get(e.id),
             "actor": e.actor.display_name if e.actor else None, "created_at": e.created_at} for e in events]


def attachment_rows(request: HelpRequest) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(
        select(Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size, Attachment.status,
               Attachment.source, Attachment.created_at)
        .where(Attachment.request_id == request.id).order_by(Attachment.id)).all()]


def staff_updates(request: HelpRequest, *, clear_unread: bool = True) -> dict:
    """What the open detail page polls for: the timeline, attachments and state (no audit line:
    the page's view was audited when it opened). Reading it clears the new-message flag."""
    if clear_unread:
        request.worker_unread = 0
    return {"id": request.id, "status": request.status,
            "status_label": status_label(request.status, request.incoming, request.escalated),
            "updated_at": request.updated_at, "timeline": timeline(request), "attachments": attachment_rows(request)}


def read_only_detail(staff: Staff, request: HelpRequest) -> dict:
    """The view kept by someone who acted on a request that has moved out of their scope."""
    body = staff_detail(staff, request, clear_unread=False)
    body.update(actions=[], read_only=True, moved_to=request.federation.name)
    return body


def staff_detail(staff: Staff, request: HelpRequest, *, clear_unread: bool = True) -> dict:
    """Everything the detail page shows; records the view of personal data in the audit log."""
    worker = request.worker
    unread = request.worker_unread or 0
    if clear_unread:
        request.worker_unread = 0
    names: dict[int, str] = {}
    hops = transfers.history("request", request.id)
    fed_ids = {h.from_federation_id for h in hops} | {h.to_federation_id for h in hops}
    if fed_ids:
        names = dict(db.session.execute(select(Federation.id, Federation.name).where(Federation.id.in_(fed_ids))).all())
    others = db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.worker_id == request.worker_id, HelpRequest.id != request.id))
    kind, due = deadlines.next_due(request)
    target = deadlines.TARGETS[request.type]
    audit.record("request.view", staff=staff, subject_type="request", subject_id=request.id,
                 federation_id=request.federation_id)
    return {
        "id": request.id, "number": request.number, "type": request.type,
        "type_label": REQUEST_TYPE_LABELS[request.type], "status": request.status,
        "status_label": status_label(request.status, request.incoming, request.escalated),
        "federation_id": request.federation_id, "read_only": False,
        "federation_name": request.federation.name, "assignee_id": request.assignee_id,
        "assignee_name": request.assignee.display_name if request.assignee else None,
        "incoming": request.incoming, "overdue": request.overdue, "overdue_kind": request.overdue_kind,
        "escalated": request.escalated, "limitation_warning": request.limitation_warning,
        "limitation_date": deadlines.limitation_date(request.learned_on),
        "created_at": request.created_at, "updated_at": request.updated_at,
        "worker": {"name": request.worker_name, "phone": request.worker_phone, "id_masked": worker.id_masked,
                   "membership": membership_of(worker.id), "other_requests": others},
        "employer_name": request.employer_name, "region_code": request.region_code,
        "region_name": refdata.region_full_name(request.region_code) or request.region_code,
        "industry_code": request.industry_code, "industry_name": _industry_name(request.industry_code),
        "worker_unread": unread, "facts": request.facts, "wants": request.wants,
        "amount": request.amount, "learned_on": request.learned_on, "details": _detail_rows(request.details),
        "consent_at": request.consent_at, "consent_version": request.consent_version,
        "routing": {"explanation": (request.routing or {}).get("explanation"),
                    "sentence": routing_sentence(request.routing, request.federation.name),
                    "reason": (request.routing or {}).get("reason"),
                    "candidates": [c.get("name") for c in (request.routing or {}).get("candidates", [])]},
        "deadlines": {"first_response_due": request.first_response_due, "resolution_due": request.resolution_due,
                      "first_responded_at": request.first_responded_at, "accepted_at": request.accepted_at,
                      "due_kind": kind, "due_at": due, "resolution_label": target.resolution_label,
                      "basis": target.basis},
        "outcome": request.outcome,
        "outcome_label": OUTCOME_LABELS.get((request.outcome or {}).get("result")),
        "outcome_text": describe(request.outcome) if request.outcome else None,
        "rating": request.rating, "rating_comment": request.rating_comment,
        "attachments": attachment_rows(request),
        "timeline": timeline(request),
        "transfers": [{"kind": h.kind, "from": names.get(h.from_federation_id), "to": names.get(h.to_federation_id),
                       "reason": h.reason, "created_at": h.created_at} for h in hops],
        "actions": actions_for(request, staff),
        "same_employer": grouping.same_employer(staff, request) if request.is_open else [],
        "group_label": grouping.group_label(request),
        "group": [{"id": m.id, "number": m.number, "worker_name": m.worker_name, "phone": m.worker_phone}
                  for m in grouping.members(request)],
        "merged_into": _number(request.merged_into_id), "merged_into_id": request.merged_into_id,
        "meeting": meeting_of(request),
    }
