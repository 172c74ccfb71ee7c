"""Schemas for help requests: the worker's pages (In/Out) and the facts both sides show
(RequestFactsOut). Staff-only Out schemas live apart (inbox.py), so no staff field can leak to a
worker through a shared schema."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, Scalar, length
from handlers.schemas.positions import PlaceOut

# --------------------------------------------------------------------------- worker side
class PreviewQuery(InSchema):
    region = ma.fields.String(required=True, validate=length(12))
    industry = ma.fields.String(load_default=None, validate=length(8))
    type = ma.fields.String(load_default=None, validate=length(16))


class RequestPreviewOut(OutSchema):
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.String()
    reason = ma.fields.String(metadata={"description": "coverage | fallback"})
    explanation = ma.fields.String(metadata={"description": "由谁受理、为什么（给职工看）"})
    sentence = ma.fields.String(metadata={"description": "此诉求将由…受理：…（提交前给职工看）"})


class RequestIn(InSchema):
    # The minimum lengths are the service's (service/help_requests/fields.py), which checks every
    # field at once after trimming; they are documented here, not enforced twice.
    type = ma.fields.String(required=True,
              metadata={"description": "legal_aid | mediation | wage_arrears | work_injury | consultation"})
    employer_name = ma.fields.String(required=True, validate=length(100), metadata={"minLength": 1})
    region = ma.fields.String(required=True, validate=length(12), metadata={"description": "GB/T 2260"})
    industry = ma.fields.String(required=True, validate=length(8), metadata={"description": "GB/T 4754-2017"})
    facts = ma.fields.String(required=True, validate=length(3000), metadata={"minLength": 10})
    wants = ma.fields.String(required=True, validate=length(1000), metadata={"minLength": 2})
    amount = Scalar(max_length=20, load_default=None, metadata={"description": "涉及金额（元），数字或数字字符串，0 至 99亿"})
    learned_on = ma.fields.String(load_default=None, allow_none=True, validate=length(10),
                    metadata={"description": "知道权益受侵害的日期 YYYY-MM-DD（仲裁时效由此起算）"})
    name = ma.fields.String(required=True, validate=length(50), metadata={"minLength": 1})
    phone = ma.fields.String(required=True, validate=length(11))
    consent = ma.fields.Boolean(required=True, metadata={"description": "同意个人信息处理说明"})
    details = ma.fields.Dict(keys=ma.fields.String(validate=length(40)), values=Scalar(max_length=1000),
                             load_default=dict, metadata={"description": "按类型填写的字段（DESIGN §4）：文字、数字或是否"})


class SubmissionHeaders(InSchema):
    """The submission's idempotency key (the help page makes one each time it opens)."""

    class Meta:
        unknown = ma.EXCLUDE  # every other header

    idempotency_key = ma.fields.String(data_key="Idempotency-Key", load_default=None, validate=[
        length(64, 8), ma.validate.Regexp(r"^[A-Za-z0-9_-]+$", error="只能含字母、数字、- 和 _")],
        metadata={"description": "同一次提交的重试带同一个值（8–64 位字母数字），一天内只建一件诉求"})


class TextIn(InSchema):
    text = ma.fields.String(required=True, validate=length(2000))


class WithdrawIn(InSchema):
    reason = ma.fields.String(load_default=None, allow_none=True, validate=length(500))


class RatingIn(InSchema):
    rating = ma.fields.Integer(required=True, strict=True)
    comment = ma.fields.String(load_default=None, allow_none=True, validate=length(500))


class UploadIn(InSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class PublicEventOut(OutSchema):
    kind = ma.fields.String()
    body = ma.fields.String()
    by_worker = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class WorkerAttachmentOut(OutSchema):
    id = ma.fields.Integer()
    filename = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending（正在从微信获取）| stored | failed"})
    created_at = ma.fields.DateTime()


# --------------------------------------------------------------------------- shown to both sides
class RequestHeadOut(OutSchema):
    """What a list row and a detail page show of a request, to the worker and to staff."""

    id = ma.fields.Integer()
    number = ma.fields.String()
    type = ma.fields.String()
    type_label = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    federation_name = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class MeetingPlaceOut(OutSchema):
    """Where a mediation meets: a service position and/or a note (when, which room)."""

    position = ma.fields.Nested(PlaceOut, allow_none=True)
    note = ma.fields.String(allow_none=True, metadata={"description": "时间、房间等"})
    text = ma.fields.String(metadata={"description": "一句话：阵地名称（地址） 备注"})


class RequestFactsOut(RequestHeadOut):
    """A request's facts as both the worker (WorkerRequestOut) and staff (inbox.RequestDetailOut)
    see them; what only one side sees is declared in that side's schema."""

    employer_name = ma.fields.String()
    region_name = ma.fields.String()
    facts = ma.fields.String()
    wants = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True, allow_none=True)
    learned_on = ma.fields.Date(allow_none=True)
    outcome_text = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    rating_comment = ma.fields.String(allow_none=True)


# --------------------------------------------------------------------------- worker side: my requests
class WorkerRequestSummaryOut(RequestHeadOut):
    due_at = ma.fields.DateTime(allow_none=True)
    due_kind = ma.fields.String(allow_none=True)


class WorkerRequestOut(RequestFactsOut, WorkerRequestSummaryOut):
    industry_name = ma.fields.String()
    can_add_info = ma.fields.Boolean()
    can_withdraw = ma.fields.Boolean()
    can_rate = ma.fields.Boolean()
    merged_into = ma.fields.String(allow_none=True, metadata={"description": "已并入的诉求编号（合并办理）"})
    can_ask_reopen = ma.fields.Boolean(metadata={"description": "办结15日内可表示不满意、申请重新办理"})
    reopen_until = ma.fields.Date(allow_none=True)
    routing_sentence = ma.fields.String(metadata={"description": "由谁受理（负责哪里、哪个行业）"})
    clocks = ma.fields.List(ma.fields.String(), metadata={"description": "与职工有关的期限：调解满15日、仲裁时效"})
    details = ma.fields.List(ma.fields.Dict(), metadata={"description": "按类型填写的内容：label, value"})
    meeting = ma.fields.Nested(MeetingPlaceOut, allow_none=True, metadata={"description": "调解地点（劳动争议调解）"})
    events = ma.fields.List(ma.fields.Nested(PublicEventOut))
    attachments = ma.fields.List(ma.fields.Nested(WorkerAttachmentOut))
