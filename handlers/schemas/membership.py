"""Schemas for joining the union: the worker's form and views, the staff review views.

Inputs are loose on purpose (strings, booleans): the join form's rules live in
service.membership.applications.validate_form, which answers every field's problem in Chinese at once.
Staff-only views are their own schemas; none of them carries a full ID number.
"""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema

from models.membership import APPLICATION_STATUS_LABELS, EMPLOYMENT_FORM_LABELS, RETAINED_REASONS
from service import refdata
from service.extensions import db
from service.routing.transfers import history as transfer_history
from service.membership.applications import is_overdue
from service.membership.members import status_label
from service.privacy.fields import age_band, mask_phone
from service import clock

def region_name(code: str | None) -> str | None:
    return refdata.region_full_name(code) or None if code else None


def industry_name(code: str | None) -> str | None:
    industry = refdata.get_industry(code) if code else None
    return industry.name if industry else None


def member_no_of(application_id: int) -> str | None:
    from sqlalchemy import select

    from models.membership import Membership

    return db.session.scalar(select(Membership.member_no).where(Membership.application_id == application_id))


# --- worker -------------------------------------------------------------------------------
class ApplicationIn(InSchema):
    name = ma.fields.String(load_default="")
    id_number = ma.fields.String(load_default="", metadata={"description": "18位居民身份证号；补正时留空表示不变"})
    phone = ma.fields.String(load_default="")
    employment_form = ma.fields.String(load_default="", metadata={"description": "employee | platform | flexible"})
    employer = ma.fields.String(load_default=None, allow_none=True)
    region_code = ma.fields.String(load_default="", metadata={"description": "GB/T 2260 工作地代码（区县或乡镇）"})
    industry_code = ma.fields.String(load_default="", metadata={"description": "GB/T 4754-2017 行业代码"})
    declaration = ma.fields.Boolean(load_default=False, metadata={"description": "以工资收入为主要生活来源"})
    constitution = ma.fields.Boolean(load_default=False, metadata={"description": "承认《中国工会章程》"})
    privacy_consent = ma.fields.Boolean(load_default=False, metadata={"description": "单独同意个人信息处理规则"})
    notice_version = ma.fields.String(load_default="", metadata={"description": "同意的个人信息处理规则版本"})
    fed = ma.fields.Integer(load_default=None, allow_none=True,
                            metadata={"description": "入会链接或二维码所属联合会 id"})


class FederationRef(InSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class ApplicationOut(OutSchema):
    """The worker's own application (ID masked)."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: APPLICATION_STATUS_LABELS.get(a.status, a.status))
    federation = ma.fields.Nested(FederationRef)
    source = ma.fields.String()
    explanation = ma.fields.Function(lambda a: (a.routing or {}).get("explanation"))
    submitted_at = ma.fields.DateTime()
    due_on = ma.fields.Function(lambda a: clock.date_text(a.due_at))
    decided_at = ma.fields.DateTime()
    reason = ma.fields.String(allow_none=True, metadata={"description": "不予通过的原因或补正要求"})
    name = ma.fields.String()
    id_masked = ma.fields.String()
    phone = ma.fields.String()
    employment_form = ma.fields.String()
    employer = ma.fields.String(allow_none=True)
    region_code = ma.fields.String()
    region_name = ma.fields.Function(lambda a: region_name(a.region_code))
    industry_code = ma.fields.String()
    industry_name = ma.fields.Function(lambda a: industry_name(a.industry_code))


class NoticeOut(OutSchema):
    version = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()


class MembershipBrief(InSchema):
    id = ma.fields.Integer()
    member_no = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda m: status_label(m.status))
    federation = ma.fields.Nested(FederationRef)


class JoinContextOut(OutSchema):
    federation = ma.fields.Nested(FederationRef, allow_none=True,
                                  metadata={"description": "申请将提交给的联合会（来自链接或扫码），没有则按工作地分配"})
    federation_source = ma.fields.String(allow_none=True, metadata={"description": "link | scan"})
    membership = ma.fields.Nested(MembershipBrief, allow_none=True)
    application = ma.fields.Nested(ApplicationOut, allow_none=True)
    notice = ma.fields.Nested(NoticeOut)
    due_workdays = ma.fields.Integer()


class CardOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    id_masked = ma.fields.String()
    member_no = ma.fields.String()
    federation = ma.fields.String()
    federation_id = ma.fields.Integer()
    joined_on = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    retained_reason = ma.fields.String(allow_none=True)
    transfer_to = ma.fields.String(allow_none=True)
    transfer_released = ma.fields.Boolean()
    employment_form = ma.fields.String(allow_none=True)
    valid = ma.fields.Boolean()
    qr_max_age = ma.fields.Integer()


class TransferRequestIn(InSchema):
    to_federation_id = ma.fields.Integer(load_default=None, allow_none=True)
    reason = ma.fields.String(load_default="")


class RetainIn(InSchema):
    reason = ma.fields.String(load_default="", metadata={"description": "retired | unemployed"})


class ApplicationReasonIn(InSchema):
    reason = ma.fields.String(load_default="")


class VerifyOut(OutSchema):
    valid = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    message = ma.fields.String()
    name = ma.fields.String(metadata={"description": "仅显示姓氏，如 张**"})
    federation = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    joined_year = ma.fields.String()
    checked_at = ma.fields.String()


# --- staff --------------------------------------------------------------------------------
class ApplicationRowOut(OutSchema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: APPLICATION_STATUS_LABELS.get(a.status, a.status))
    name = ma.fields.String(allow_none=True)
    id_masked = ma.fields.String(allow_none=True)
    phone_masked = ma.fields.Function(lambda a: mask_phone(a.phone))
    federation = ma.fields.Nested(FederationRef)
    source = ma.fields.String()
    employment_form_label = ma.fields.Function(lambda a: EMPLOYMENT_FORM_LABELS.get(a.employment_form))
    region_name = ma.fields.Function(lambda a: region_name(a.region_code))
    industry_name = ma.fields.Function(lambda a: industry_name(a.industry_code))
    submitted_at = ma.fields.DateTime()
    due_at = ma.fields.DateTime()
    due_on = ma.fields.Function(lambda a: clock.date_text(a.due_at))
    overdue = ma.fields.Function(lambda a: is_overdue(a))


class ApplicationPageOut(OutSchema):
    items = ma.fields.List(ma.fields.Nested(ApplicationRowOut))
    total = ma.fields.Integer()
    counts = ma.fields.Dict()


class TransferHopOut(OutSchema):
    from_federation_id = ma.fields.Integer()
    to_federation_id = ma.fields.Integer()
    reason = ma.fields.String()
    created_at = ma.fields.DateTime()


class ApplicationDetailOut(ApplicationRowOut):
    """One application for staff: ID masked (the full number is its own audited endpoint)."""

    gender = ma.fields.Function(lambda a: {"M": "男", "F": "女"}.get(a.gender))
    age_band = ma.fields.Function(lambda a: age_band(a.birth_date),
                                  metadata={"description": "年龄段（不显示出生日期：与部分身份证号一起可还原完整号码）"})
    phone = ma.fields.String(allow_none=True)
    employment_form = ma.fields.String()
    employer = ma.fields.String(allow_none=True)
    region_code = ma.fields.String()
    industry_code = ma.fields.String()
    declaration = ma.fields.Boolean()
    constitution = ma.fields.Boolean()
    consent_version = ma.fields.String()
    consent_at = ma.fields.DateTime()
    routing = ma.fields.Dict()
    explanation = ma.fields.Function(lambda a: (a.routing or {}).get("explanation"))
    reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    history = ma.fields.List(ma.fields.Dict())
    transfers = ma.fields.Function(lambda a: TransferHopOut(many=True).dump(transfer_history("application", a.id)))
    member_no = ma.fields.Function(lambda a: member_no_of(a.id))
    erased = ma.fields.Function(lambda a: a.erased_at is not None)


class FullIdOut(OutSchema):
    id_number = ma.fields.String()


class MemberRowOut(OutSchema):
    id = ma.fields.Integer()
    member_no = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda m: status_label(m.status))
    name = ma.fields.Function(lambda m: m.worker.name)
    id_masked = ma.fields.Function(lambda m: m.worker.id_masked)
    phone_masked = ma.fields.Function(lambda m: mask_phone(m.worker.phone))
    federation = ma.fields.Nested(FederationRef)
    transfer_to = ma.fields.Nested(FederationRef, allow_none=True)
    transfer_reason = ma.fields.String(allow_none=True)
    transfer_requested_by = ma.fields.String(allow_none=True)
    transfer_released_at = ma.fields.DateTime(allow_none=True)
    retained_reason_label = ma.fields.Function(lambda m: RETAINED_REASONS.get(m.retained_reason))
    joined_at = ma.fields.DateTime()
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    application_id = ma.fields.Integer(allow_none=True)
    viewer_holds = ma.fields.Boolean(metadata={"description": "调用者所在单位是否为会员所属单位（仅详情）"})
    viewer_receives = ma.fields.Boolean(metadata={"description": "调用者所在单位是否为转会接收方（仅详情）"})


class MemberPageOut(OutSchema):
    items = ma.fields.List(ma.fields.Nested(MemberRowOut))
    total = ma.fields.Integer()


class ListArgs(InSchema):
    view = ma.fields.String(load_default="pending")
    q = ma.fields.String(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(0))


class MemberListArgs(InSchema):
    q = ma.fields.String(load_default=None)
    status = ma.fields.String(load_default=None)
    incoming = ma.fields.Boolean(load_default=False)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(0))


class ApplicationTransferIn(InSchema):
    to_federation_id = ma.fields.Integer(required=True, error_messages={"required": "请选择接收单位"})
    reason = ma.fields.String(load_default="")
