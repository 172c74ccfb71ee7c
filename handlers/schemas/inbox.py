"""Staff-only schemas: the inbox, request detail, actions, canned replies, staff accounts."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, length
from handlers.schemas.help_requests import RequestFactsOut
from handlers.schemas.help_requests import MeetingPlaceOut
from handlers.schemas.positions import position_id_field


class InboxQuery(InSchema):
    view = ma.fields.String(load_default="all",
              validate=ma.validate.OneOf(["unassigned", "mine", "overdue", "incoming", "all", "involved"],
                                        error="未知的视图"))
    type = ma.fields.String(load_default=None, validate=length(16))
    status = ma.fields.String(load_default=None, validate=length(16))
    date_from = ma.fields.Date(load_default=None)
    date_to = ma.fields.Date(load_default=None)
    assignee_id = ma.fields.Integer(load_default=None)
    federation_id = ma.fields.Integer(load_default=None)
    q = ma.fields.String(load_default=None, validate=length(50),
           metadata={"description": "编号（QZ…）、手机号或职工姓名（前缀）"})
    cursor = ma.fields.String(load_default=None, validate=length(200))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 100, error="每页1–100条"))


class ExportQuery(InboxQuery):
    class Meta:
        exclude = ("cursor", "limit")


class InboxRowOut(OutSchema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    type = ma.fields.String()
    type_label = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    created_at = ma.fields.DateTime()
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.String()
    assignee_id = ma.fields.Integer(allow_none=True)
    assignee_name = ma.fields.String(allow_none=True)
    worker_name = ma.fields.String(allow_none=True)
    employer_name = ma.fields.String()
    due_at = ma.fields.DateTime(allow_none=True)
    due_kind = ma.fields.String(allow_none=True, metadata={"description": "first_response | resolution"})
    overdue = ma.fields.Boolean()
    incoming = ma.fields.Boolean()
    escalated = ma.fields.Boolean()
    limitation_warning = ma.fields.Boolean()
    worker_unread = ma.fields.Integer(metadata={"description": "职工发来、员工尚未查看的消息数"})


class InboxPageOut(OutSchema):
    items = ma.fields.List(ma.fields.Nested(InboxRowOut))
    next_cursor = ma.fields.String(allow_none=True)


class BodyIn(InSchema):
    body = ma.fields.String(required=True, validate=length(2000))


class MeetingPlaceIn(InSchema):
    position_id = position_id_field("调解地点所在的服务阵地（本单位及下级单位登记、开放中的）；null 为不用")
    note = ma.fields.String(load_default=None, allow_none=True, validate=length(200),
                            metadata={"description": "时间、房间等，如 12月8日（周二）下午3点，二楼调解室"})


class RequestReasonIn(InSchema):
    reason = ma.fields.String(required=True, validate=length(500))


class ClaimIn(InSchema):
    expected_assignee_id = ma.fields.Integer(allow_none=True, strict=True, metadata={
        "description": "页面上显示的承办人（null：未分派）；已被他人认领时答 409"})


class AssignIn(InSchema):
    assignee_id = ma.fields.Integer(required=True, strict=True)


class BulkAssignIn(AssignIn):
    request_ids = ma.fields.List(ma.fields.Integer(strict=True), required=True,
                                 validate=ma.validate.Length(1, 200, error="一次分派1–200件"))


class MergeIn(InSchema):
    into_id = ma.fields.Integer(required=True, strict=True, metadata={"description": "并入哪件诉求"})


class TransferIn(RequestReasonIn):
    to_federation_id = ma.fields.Integer(required=True, strict=True)


class OutcomeIn(InSchema):
    result = ma.fields.String(required=True, validate=length(20))
    summary = ma.fields.String(load_default=None, allow_none=True, validate=length(2000))
    amount = ma.fields.Raw(load_default=None, allow_none=True)
    pay_by = ma.fields.String(load_default=None, allow_none=True, validate=length(10))
    aid_form = ma.fields.String(load_default=None, allow_none=True, validate=length(20))
    reason = ma.fields.String(load_default=None, allow_none=True, validate=length(1000))
    referred_to = ma.fields.String(load_default=None, allow_none=True, validate=length(100))
    amount_recovered = ma.fields.Raw(load_default=None, allow_none=True,
                                     metadata={"description": "欠薪：追回金额（元）"})
    workers_covered = ma.fields.Raw(load_default=None, allow_none=True, metadata={"description": "欠薪：涉及职工人数"})


class StateOut(OutSchema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    status = ma.fields.String()
    federation_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)


class InboxCountOut(OutSchema):
    assigned = ma.fields.Integer()


class RequestDetailOut(RequestFactsOut):
    """Assembled by service.help_requests.detail.staff_detail (see there for every key); the
    facts the worker sees too come from RequestFactsOut."""

    federation_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)
    assignee_name = ma.fields.String(allow_none=True)
    incoming = ma.fields.Boolean()
    overdue = ma.fields.Boolean()
    overdue_kind = ma.fields.String(allow_none=True)
    escalated = ma.fields.Boolean()
    limitation_warning = ma.fields.Boolean()
    limitation_date = ma.fields.Date(allow_none=True)
    worker = ma.fields.Dict()
    region_code = ma.fields.String()
    industry_code = ma.fields.String()
    industry_name = ma.fields.String(allow_none=True)
    worker_unread = ma.fields.Integer()
    details = ma.fields.List(ma.fields.Dict())
    consent_at = ma.fields.DateTime(allow_none=True)
    consent_version = ma.fields.String(allow_none=True)
    routing = ma.fields.Dict()
    deadlines = ma.fields.Method("dump_deadlines")
    outcome = ma.fields.Dict(allow_none=True)
    outcome_label = ma.fields.String(allow_none=True)
    attachments = ma.fields.List(ma.fields.Nested(lambda: AttachmentOut()))
    timeline = ma.fields.List(ma.fields.Nested(lambda: TimelineOut()))
    transfers = ma.fields.List(ma.fields.Nested(lambda: RequestTransferOut()))
    actions = ma.fields.List(ma.fields.String())
    same_employer = ma.fields.List(ma.fields.Dict(), metadata={"description": "同一用人单位的其他在办诉求"})
    group_label = ma.fields.String(allow_none=True, metadata={"description": "群体性欠薪等（有其他职工的诉求并入时）"})
    group = ma.fields.List(ma.fields.Dict(), metadata={"description": "并入本诉求的诉求（编号、职工、电话）"})
    merged_into = ma.fields.String(allow_none=True)
    merged_into_id = ma.fields.Integer(allow_none=True, metadata={"description": "已并入的诉求（合并办理）"})
    meeting = ma.fields.Nested(MeetingPlaceOut, allow_none=True, metadata={"description": "调解地点（劳动争议调解）"})
    read_only = ma.fields.Boolean(metadata={"description": "已转出：参与办理过的员工只能查看"})
    moved_to = ma.fields.String(allow_none=True, metadata={"description": "已转出时：现在由哪家受理"})

    def dump_deadlines(self, obj):
        out = {}
        for key, value in obj["deadlines"].items():
            out[key] = value.isoformat() if hasattr(value, "isoformat") else value
        return out


class AttachmentOut(OutSchema):
    id = ma.fields.Integer()
    filename = ma.fields.String()
    content_type = ma.fields.String(allow_none=True)
    size = ma.fields.Integer()
    status = ma.fields.String()
    source = ma.fields.String()
    created_at = ma.fields.DateTime()


class TimelineOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    public = ma.fields.Boolean()
    by_worker = ma.fields.Boolean()
    body = ma.fields.String(allow_none=True)
    delivery = ma.fields.Dict(allow_none=True, metadata={"description": "state: delivered | waiting | failed; label; reason"})
    actor = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class RequestUpdatesOut(OutSchema):
    """What the open request page polls: timeline, attachments and status."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.String()
    updated_at = ma.fields.DateTime()
    timeline = ma.fields.List(ma.fields.Nested(TimelineOut))
    attachments = ma.fields.List(ma.fields.Nested(AttachmentOut))


class RequestTransferOut(OutSchema):
    kind = ma.fields.String()
    from_ = ma.fields.String(data_key="from", attribute="from", allow_none=True)
    to = ma.fields.String(allow_none=True)
    reason = ma.fields.String()
    created_at = ma.fields.DateTime()


class NodeOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)


class NodeQuery(InSchema):
    q = ma.fields.String(load_default=None, validate=length(50))


class AssigneeOut(OutSchema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    role = ma.fields.String()
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.Function(lambda s: s.federation.name)


class CannedQuery(InSchema):
    federation_id = ma.fields.Integer(load_default=None)


class CannedIn(InSchema):
    title = ma.fields.String(required=True, validate=length(50))
    body = ma.fields.String(required=True, validate=length(2000))
    federation_id = ma.fields.Integer(load_default=None)


class CannedUpdateIn(InSchema):
    title = ma.fields.String(required=True, validate=length(50))
    body = ma.fields.String(required=True, validate=length(2000))


class CannedOut(OutSchema):
    id = ma.fields.Integer()
    federation_id = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    updated_at = ma.fields.DateTime()


class TargetOut(OutSchema):
    type = ma.fields.String()
    label = ma.fields.String()
    first_response_days = ma.fields.Integer()
    resolution_days = ma.fields.Integer()
    resolution_from = ma.fields.String()
    resolution_label = ma.fields.String()
    basis = ma.fields.String()


class TargetsOut(OutSchema):
    types = ma.fields.List(ma.fields.Nested(TargetOut))
    escalation_grace_days = ma.fields.Integer()
    limitation_warning_days = ma.fields.Integer()
