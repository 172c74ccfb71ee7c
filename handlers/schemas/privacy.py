"""A worker's own data (my-data.html) and the audit log (console audit.html)."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, UtcDateTime, length

DATA_REQUEST_LABELS = {"pending": "等待中（有须保存的记录）", "done": "已删除"}


class DataRequestOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda r: DATA_REQUEST_LABELS.get(r.status, r.status))
    held_because = ma.fields.Function(lambda r: (r.held_because or "").split("\n") if r.held_because else [],
                                      metadata={"description": "暂不能删除的原因（每条一句）"})
    created_at = UtcDateTime()
    done_at = UtcDateTime(allow_none=True)


class MyDataOut(OutSchema):
    profile = ma.fields.Dict(metadata={"description": "姓名、部分隐藏的身份证号和手机号、性别"})
    memberships = ma.fields.List(ma.fields.Dict())
    applications = ma.fields.List(ma.fields.Dict())
    help_requests = ma.fields.List(ma.fields.Dict())
    signups = ma.fields.List(ma.fields.Dict())
    holds = ma.fields.List(ma.fields.String(), metadata={"description": "目前须保存、暂不能删除的原因"})
    requests = ma.fields.List(ma.fields.Nested(DataRequestOut))


# --- audit log ------------------------------------------------------------------------------------
AUDIT_KINDS = ("id_views", "exports", "staff", "privacy", "all")


class AuditQuery(InSchema):
    kind = ma.fields.String(load_default="all", validate=ma.validate.OneOf(AUDIT_KINDS, error="取值无效"),
                            metadata={"description": "id_views 查看完整身份证号；exports 导出；staff 账号与权限变更；"
                                                     "privacy 职工个人信息请求与清理；all 全部"})
    action = ma.fields.String(validate=length(48), metadata={"description": "动作名，或以 . 结尾的前缀（如 staff.）"})
    actor_staff_id = ma.fields.Integer(strict=False, validate=ma.validate.Range(min=1, max=2**31 - 1,
                                                                                error="应为正整数"))
    federation_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1, error="应为正整数"))
    date_from = ma.fields.Date()
    date_to = ma.fields.Date()
    before_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1, error="应为正整数"),
                                  metadata={"description": "翻页：只列 id 小于此值的记录"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200, error="应为1至200"))


class AuditEntryOut(OutSchema):
    id = ma.fields.Integer()
    created_at = UtcDateTime()
    action = ma.fields.String()
    action_label = ma.fields.String()
    actor = ma.fields.String()
    actor_name = ma.fields.String(allow_none=True)
    subject_type = ma.fields.String(allow_none=True)
    subject_id = ma.fields.Integer(allow_none=True)
    federation_id = ma.fields.Integer(allow_none=True)
    federation_name = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict(allow_none=True)


class AuditPageOut(OutSchema):
    items = ma.fields.List(ma.fields.Nested(AuditEntryOut))
    next_before_id = ma.fields.Integer(allow_none=True)
