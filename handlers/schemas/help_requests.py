"""Schemas for help requests: the worker's pages (In/Out) and the staff console (staff-only Out
schemas live apart, so no staff field can leak to a worker through a shared schema)."""
import marshmallow as ma

# Chinese for marshmallow's own messages (the services give the rule-specific ones).
ZH = {"required": "此项必填", "null": "此项必填", "validator_failed": "内容不符合要求", "invalid": "格式不正确"}


def zh(field_class, *args, **kwargs):
    kwargs.setdefault("error_messages", ZH)
    return field_class(*args, **kwargs)


def length(max_len: int, min_len: int | None = None):
    return ma.validate.Length(min=min_len, max=max_len, error=f"长度不超过{max_len}个字符")


class ZhSchema(ma.Schema):
    error_messages = {"unknown": "不允许的字段", "type": "格式不正确"}


# --------------------------------------------------------------------------- worker side
class PreviewQuery(ZhSchema):
    region = zh(ma.fields.String, required=True, validate=length(12))
    industry = zh(ma.fields.String, load_default=None, validate=length(8))
    type = zh(ma.fields.String, load_default=None, validate=length(16))


class RequestPreviewOut(ma.Schema):
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.String()
    reason = ma.fields.String(metadata={"description": "coverage | fallback"})
    explanation = ma.fields.String(metadata={"description": "由谁受理、为什么（给职工看）"})
    sentence = ma.fields.String(metadata={"description": "此诉求将由…受理：…（提交前给职工看）"})


class RequestIn(ZhSchema):
    type = zh(ma.fields.String, required=True,
              metadata={"description": "legal_aid | mediation | wage_arrears | work_injury | consultation"})
    employer_name = zh(ma.fields.String, required=True, validate=length(100))
    region = zh(ma.fields.String, required=True, validate=length(12), metadata={"description": "GB/T 2260"})
    industry = zh(ma.fields.String, required=True, validate=length(8), metadata={"description": "GB/T 4754-2017"})
    facts = zh(ma.fields.String, required=True, validate=length(3000))
    wants = zh(ma.fields.String, required=True, validate=length(1000))
    amount = zh(ma.fields.Raw, load_default=None, allow_none=True, metadata={"description": "元，数字或字符串"})
    learned_on = zh(ma.fields.String, load_default=None, allow_none=True, validate=length(10),
                    metadata={"description": "知道权益受侵害的日期 YYYY-MM-DD（仲裁时效由此起算）"})
    name = zh(ma.fields.String, required=True, validate=length(50))
    phone = zh(ma.fields.String, required=True, validate=length(11))
    consent = zh(ma.fields.Boolean, required=True, metadata={"description": "同意个人信息处理说明"})
    details = zh(ma.fields.Dict, load_default=dict, metadata={"description": "按类型填写的字段（DESIGN §4）"})


class TextIn(ZhSchema):
    text = zh(ma.fields.String, required=True, validate=length(2000))


class WithdrawIn(ZhSchema):
    reason = zh(ma.fields.String, load_default=None, allow_none=True, validate=length(500))


class RatingIn(ZhSchema):
    rating = zh(ma.fields.Integer, required=True, strict=True)
    comment = zh(ma.fields.String, load_default=None, allow_none=True, validate=length(500))


class UploadIn(ZhSchema):
    file = zh(ma.fields.Raw, required=True, metadata={"type": "string", "format": "binary"})


class PublicEventOut(ma.Schema):
    kind = ma.fields.String()
    body = ma.fields.String()
    by_worker = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class WorkerAttachmentOut(ma.Schema):
    id = ma.fields.Integer()
    filename = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending（正在从微信获取）| stored | failed"})
    created_at = ma.fields.DateTime()


class WorkerRequestSummaryOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    type = ma.fields.String()
    type_label = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    federation_name = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    due_at = ma.fields.DateTime(allow_none=True)
    due_kind = ma.fields.String(allow_none=True)


class WorkerRequestOut(WorkerRequestSummaryOut):
    employer_name = ma.fields.String()
    region_name = ma.fields.String()
    industry_name = ma.fields.String()
    facts = ma.fields.String()
    wants = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True, allow_none=True)
    learned_on = ma.fields.Date(allow_none=True)
    outcome_text = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    rating_comment = ma.fields.String(allow_none=True)
    can_add_info = ma.fields.Boolean()
    can_withdraw = ma.fields.Boolean()
    can_rate = ma.fields.Boolean()
    events = ma.fields.List(ma.fields.Nested(PublicEventOut))
    attachments = ma.fields.List(ma.fields.Nested(WorkerAttachmentOut))
