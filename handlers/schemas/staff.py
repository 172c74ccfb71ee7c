"""Staff account management (admins) and the federation summary."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, length

ROLE = ma.validate.OneOf(["admin", "chair", "caseworker"], error="角色应为 admin、chair 或 caseworker")


class StaffCreateIn(InSchema):
    username = ma.fields.String(required=True, validate=length(50))
    password = ma.fields.String(required=True, validate=length(200))
    display_name = ma.fields.String(load_default=None, validate=length(50))
    federation_id = ma.fields.Integer(required=True, strict=True)
    role = ma.fields.String(load_default="caseworker", validate=ROLE)
    may_view_id = ma.fields.Boolean(load_default=False)


class StaffUpdateIn(InSchema):
    role = ma.fields.String(validate=ROLE)
    display_name = ma.fields.String(validate=length(50))
    openid = ma.fields.String(validate=length(64), metadata={"description": "用于接收超期提醒的微信 openid"})
    may_view_id = ma.fields.Boolean()


class PasswordIn(InSchema):
    password = ma.fields.String(required=True, validate=length(200))


class PasswordChangeIn(InSchema):
    current_password = ma.fields.String(required=True, validate=length(200, 1))
    password = ma.fields.String(required=True, validate=length(200))


class LoginIn(InSchema):
    username = ma.fields.String(required=True, validate=length(50, 1))
    password = ma.fields.String(required=True, validate=length(200, 1))


class StaffOut(OutSchema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.Function(lambda s: s.federation.name)
    may_view_id = ma.fields.Boolean()


class SessionOut(OutSchema):
    staff = ma.fields.Nested(StaffOut, allow_none=True)
    csrf_token = ma.fields.String()


class StaffAccountOut(StaffOut):
    active = ma.fields.Boolean()
    wechat_linked = ma.fields.Function(lambda s: bool(s.openid))
    locked = ma.fields.Function(lambda s: bool(s.locked_until))
    last_login_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class FederationSummaryOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    kind_label = ma.fields.String()
    level = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    region_code = ma.fields.String()
    region_name = ma.fields.String()
    industry_code = ma.fields.String(allow_none=True)
    industry_name = ma.fields.String(allow_none=True)
    parent_name = ma.fields.String(allow_none=True)
    term_start = ma.fields.Date(allow_none=True)
    term_years = ma.fields.Integer(allow_none=True)
    term_end = ma.fields.Date(allow_none=True)
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    coverage = ma.fields.List(ma.fields.Dict())
    nodes_beneath = ma.fields.Integer()
    scene = ma.fields.String()
    poster_url = ma.fields.String()
    staff_count = ma.fields.Integer()
    open_requests = ma.fields.Dict()
    overdue_requests = ma.fields.Integer()
