"""Routing preview and transfer history."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema


class PreviewIn(InSchema):
    region = ma.fields.String(required=True, error_messages={"required": "请填写工作地行政区划代码"},
                              metadata={"description": "workplace region, GB/T 2260 (e.g. 130102)"})
    industry = ma.fields.String(load_default=None,
                                metadata={"description": "GB/T 4754-2017 code (e.g. G6020)"})
    type = ma.fields.String(load_default=None,
                            metadata={"description": "legal_aid | mediation | wage_arrears | work_injury | "
                                      "consultation | join"})


class CandidateOut(OutSchema):
    federation_id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    region_prefix = ma.fields.String()
    region_name = ma.fields.String(metadata={"description": "e.g. 河北省石家庄市长安区 (the preview only)"})
    industry_prefix = ma.fields.String(allow_none=True)
    industry_name = ma.fields.String(allow_none=True, metadata={"description": "e.g. 快递服务 (the preview only)"})
    priority = ma.fields.Integer()
    member = ma.fields.Boolean()
    open_requests = ma.fields.Integer(allow_none=True)
    specificity = ma.fields.List(ma.fields.Integer())


class PreviewOut(OutSchema):
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.String()
    reason = ma.fields.String(metadata={"description": "coverage | fallback (no federation covers it)"})
    tie_break = ma.fields.String(allow_none=True, metadata={"description": "membership | priority | load | id"})
    sentence = ma.fields.String(metadata={"description": "此诉求将由…受理：…"})
    explanation = ma.fields.String(metadata={"description": "the sentence stored with the request"})


class StaffPreviewOut(PreviewOut):
    candidates = ma.fields.List(ma.fields.Nested(CandidateOut))
    inputs = ma.fields.Dict()


class TransferQueryIn(InSchema):
    subject_type = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ["request", "application"], error="类型应为 request（诉求）或 application（入会申请）"))
    subject_id = ma.fields.Integer(required=True, error_messages={"invalid": "应为整数"})


class TransferOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "transfer | escalate"})
    from_federation_id = ma.fields.Integer()
    from_federation_name = ma.fields.String()
    to_federation_id = ma.fields.Integer()
    to_federation_name = ma.fields.String()
    reason = ma.fields.String()
    actor_staff_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
