import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema


class FederationOut(OutSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True, metadata={"description": "全称，如 石家庄市长安区快递行业工会联合会"})
    kind = ma.fields.String(dump_only=True, metadata={"description": "regional | industry"})
    scene = ma.fields.String(dump_only=True, metadata={"description": "WeChat QR scene, fed:<id>"})
    region_code = ma.fields.String(dump_only=True)
    industry_code = ma.fields.String(dump_only=True, allow_none=True)


# ------------------------------------------------------------------ staff console

def _text(max_length: int, **kw) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=max_length, error=f"不超过{max_length}个字"), **kw)


class WarningOut(OutSchema):
    code = ma.fields.String(metadata={"description": "term_expired | term_expiring | term_missing | "
                                      "funds_committee_missing | women_committee_missing | coverage_missing | "
                                      "coverage_overlap | position_missing"})
    message = ma.fields.String()


class FederationNodeOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String(metadata={"description": "upper | regional | industry"})
    kind_label = ma.fields.String()
    level = ma.fields.String(metadata={"description": "province | city | county | township"})
    level_label = ma.fields.String()
    status = ma.fields.String(metadata={"description": "preparing | active | dissolved"})
    status_label = ma.fields.String()
    region_code = ma.fields.String()
    region_name = ma.fields.String()
    industry_code = ma.fields.String(allow_none=True)
    industry_name = ma.fields.String(allow_none=True)
    term_start = ma.fields.Date(allow_none=True)
    term_years = ma.fields.Integer(allow_none=True)
    term_end = ma.fields.Date(allow_none=True, metadata={"description": "届满日：term_start 加 3 或 5 年"})
    term_state = ma.fields.String(metadata={"description": "none | ok | expiring (90 天内届满) | expired"})
    priority = ma.fields.Integer()
    coverage_count = ma.fields.Integer()
    position_count = ma.fields.Integer(allow_none=True, metadata={"description": "登记的服务阵地（不含已关闭）"})
    warnings = ma.fields.List(ma.fields.Nested(WarningOut))
    can_edit = ma.fields.Boolean(metadata={"description": "the caller may edit the profile"})
    can_manage = ma.fields.Boolean(metadata={"description": "the caller may rename, change status, priority, coverage"})


class CoverageRuleOut(OutSchema):
    id = ma.fields.Integer()
    federation_id = ma.fields.Integer()
    region_prefix = ma.fields.String(metadata={"description": "stored prefix, e.g. 1301 for 130100"})
    region_code = ma.fields.String()
    region_name = ma.fields.String()
    industry_prefix = ma.fields.String(allow_none=True, metadata={"description": "none: every industry"})
    industry_name = ma.fields.String(allow_none=True)
    label = ma.fields.String()
    created_at = ma.fields.DateTime()


class OverlapSideOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    priority = ma.fields.Integer()


class OverlapOut(OutSchema):
    region_prefix = ma.fields.String()
    industry_prefix = ma.fields.String(allow_none=True)
    label = ma.fields.String()
    a = ma.fields.Nested(OverlapSideOut)
    b = ma.fields.Nested(OverlapSideOut)
    resolved_by = ma.fields.String(allow_none=True, metadata={"description": "priority, or null: unresolved"})
    effect = ma.fields.String()


class FederationPositionOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind_label = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    address = ma.fields.String()


class FederationDetailOut(FederationNodeOut):
    scene = ma.fields.String()
    parent_name = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    own_funds = ma.fields.Boolean()
    many_women = ma.fields.Boolean()
    has_funds_committee = ma.fields.Boolean()
    has_women_committee = ma.fields.Boolean()
    activated_at = ma.fields.DateTime(allow_none=True)
    dissolved_on = ma.fields.Date(allow_none=True)
    dissolved_reason = ma.fields.String(allow_none=True)
    coverage = ma.fields.List(ma.fields.Nested(CoverageRuleOut))
    overlaps = ma.fields.List(ma.fields.Nested(OverlapOut))
    positions = ma.fields.List(ma.fields.Nested(FederationPositionOut), metadata={"description": "本会登记的服务阵地"})


PHONE = ma.validate.Regexp(r"^[0-9+\-() ]{5,30}$", error="请填写有效的电话号码（手机或座机）")


class FederationProfileIn(InSchema):
    """Profile, contact details, flags, term and priority: every field optional."""

    description = _text(2000, allow_none=True)
    contact_name = _text(50, allow_none=True)
    contact_phone = ma.fields.String(allow_none=True, validate=PHONE)
    address = _text(200, allow_none=True)
    own_funds = ma.fields.Boolean(error_messages={"invalid": "应为是或否"})
    many_women = ma.fields.Boolean(error_messages={"invalid": "应为是或否"})
    has_funds_committee = ma.fields.Boolean(error_messages={"invalid": "应为是或否"})
    has_women_committee = ma.fields.Boolean(error_messages={"invalid": "应为是或否"})
    term_start = ma.fields.Date(allow_none=True, error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    term_years = ma.fields.Integer(allow_none=True, validate=ma.validate.OneOf([3, 5], error="任期应为3年或5年"),
                                   error_messages={"invalid": "任期应为3年或5年"})
    priority = ma.fields.Integer(validate=ma.validate.Range(-100, 100, error="优先级应在 -100 到 100 之间"),
                                 error_messages={"invalid": "优先级应为整数"})


class FederationCreateIn(FederationProfileIn):
    name = _text(100, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ["regional", "industry", "upper"], error="类型应为 regional（区域性）、industry（行业性）或 upper（上级工会）"))
    region_code = ma.fields.String(required=True)
    industry_code = ma.fields.String(allow_none=True, load_default=None)
    parent_id = ma.fields.Integer(required=True, error_messages={"invalid": "请选择上一级工会"})
    status = ma.fields.String(load_default="preparing", validate=ma.validate.OneOf(
        ["preparing", "active"], error="新建时状态应为 preparing（筹备中）或 active（运行中）"))


class RenameIn(InSchema):
    name = _text(100, required=True)


class DissolveIn(InSchema):
    dissolved_on = ma.fields.Date(required=True, error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})
    reason = _text(500, allow_none=True, load_default=None)


class CoverageIn(InSchema):
    region_code = ma.fields.String(required=True,
                                   metadata={"description": "GB/T 2260 code (130100 is stored as 1301)"})
    industry_code = ma.fields.String(allow_none=True, load_default=None,
                                     metadata={"description": "GB/T 4754-2017 code; empty: every industry"})
