"""Contest schemas: staff In/Out (console) and worker In/Out (H5). Times leave as UTC ISO with Z."""
import marshmallow as ma

from models.contest import CONTEST_STATUS_LABELS, ELIGIBILITY_SCOPES, QUESTION_KINDS, SIGNUP_STATUS_LABELS
from handlers.schemas.base import InSchema, OutSchema, UtcDateTime, length
from handlers.schemas.positions import PlaceOut, position_id_field
from service import refdata
from service.contests import rules as contest_rules


# --- staff: contest -----------------------------------------------------------------------
class QuestionIn(InSchema):
    key = ma.fields.String(validate=length(20))
    label = ma.fields.String(required=True, validate=length(100, 1))
    kind = ma.fields.String(load_default="text", validate=ma.validate.OneOf(QUESTION_KINDS, error="取值无效"))
    options = ma.fields.List(ma.fields.String(validate=length(50)), load_default=list)
    required = ma.fields.Boolean(load_default=False)


class EligibilityIn(InSchema):
    scope = ma.fields.String(validate=ma.validate.OneOf(ELIGIBILITY_SCOPES, error="取值无效"),
                             metadata={"description": "any 所有会员 | federation 本联合会会员 | coverage 按地区/行业"})
    region_prefix = ma.fields.String(allow_none=True, metadata={"description": "GB/T 2260 前缀，如 1301"})
    industry_prefix = ma.fields.String(allow_none=True, metadata={"description": "GB/T 4754 前缀，如 G602"})
    age_min = ma.fields.Integer(allow_none=True)
    age_max = ma.fields.Integer(allow_none=True)


class ContestIn(InSchema):
    title = ma.fields.String(required=True, validate=length(100, 1))
    industry_code = ma.fields.String(allow_none=True, metadata={"description": "工种所属行业，GB/T 4754-2017"})
    description = ma.fields.String(validate=length(5000))
    venue = ma.fields.String(validate=length(200), metadata={"description": "比赛地点；选了服务阵地时写具体位置，如 二楼培训室"})
    venue_position_id = position_id_field("比赛地点所在的服务阵地（本单位及下级单位登记、开放中的）；null 为不用")
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(allow_none=True)
    registration_opens_at = ma.fields.DateTime(required=True)
    registration_closes_at = ma.fields.DateTime(required=True)
    cancel_cutoff_at = ma.fields.DateTime(allow_none=True, metadata={"description": "空：报名截止前均可取消"})
    capacity = ma.fields.Integer(required=True,
                                 validate=ma.validate.Range(min=1, max=100_000, error="名额应为1至100000之间的整数"))
    members_only = ma.fields.Boolean()
    eligibility = ma.fields.Nested(EligibilityIn)
    exclusions = ma.fields.String(allow_none=True, validate=length(1000))
    questions = ma.fields.List(ma.fields.Nested(QuestionIn))
    scoring_note = ma.fields.String(allow_none=True, validate=length(500))
    federation_id = ma.fields.Integer(load_only=True, metadata={"description": "默认：本人所属单位"})


class ContestPatchIn(ContestIn):
    """ContestIn with every field optional (use as ContestPatchIn(partial=True))."""


class ContestOut(OutSchema):
    id = ma.fields.Integer()
    federation_id = ma.fields.Integer()
    federation_name = ma.fields.Function(lambda c: c.federation.name)
    title = ma.fields.String()
    industry_code = ma.fields.String(allow_none=True)
    trade = ma.fields.Function(lambda c: (refdata.get_industry(c.industry_code).name
                                          if c.industry_code and refdata.get_industry(c.industry_code) else None))
    description = ma.fields.String()
    venue = ma.fields.String()
    venue_position_id = ma.fields.Integer(allow_none=True)
    venue_position = ma.fields.Nested(PlaceOut, allow_none=True)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime(allow_none=True)
    registration_opens_at = UtcDateTime()
    registration_closes_at = UtcDateTime()
    cancel_cutoff_at = UtcDateTime(allow_none=True)
    capacity = ma.fields.Integer()
    confirmed_count = ma.fields.Integer()
    waitlisted_count = ma.fields.Integer()
    places_left = ma.fields.Integer()
    members_only = ma.fields.Boolean()
    eligibility = ma.fields.Dict()
    scope_text = ma.fields.Function(lambda c: contest_rules.scope_text(c),
                                    metadata={"description": "who may take part, in words: 河北省石家庄市快递服务相关工会联合会会员"})
    exclusions = ma.fields.String(allow_none=True)
    questions = ma.fields.List(ma.fields.Dict())
    scoring_note = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda c: CONTEST_STATUS_LABELS[c.status])
    scene = ma.fields.String()
    qr_url = ma.fields.String(allow_none=True)
    qr_expires_at = UtcDateTime(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    results_published_at = UtcDateTime(allow_none=True)
    has_signups = ma.fields.Function(lambda c: c.last_seq > 0)


class ContestListQuery(InSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(tuple(CONTEST_STATUS_LABELS), error="取值无效"))


class ContestReasonIn(InSchema):
    reason = ma.fields.String(required=True, validate=length(500, 1))


# --- staff: roster ------------------------------------------------------------------------
class SignupOut(OutSchema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda s: SIGNUP_STATUS_LABELS[s.status])
    seq = ma.fields.Integer()
    position = ma.fields.Integer(allow_none=True, metadata={"description": "候补顺位"})
    source = ma.fields.String()
    name = ma.fields.String()
    phone = ma.fields.String()
    member_no = ma.fields.String(allow_none=True)
    answers = ma.fields.Dict()
    reason = ma.fields.String(allow_none=True)
    created_at = UtcDateTime()
    confirmed_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    checked_in_at = UtcDateTime(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    rank = ma.fields.Integer(allow_none=True)
    award = ma.fields.String(allow_none=True)


class RosterQuery(InSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(tuple(SIGNUP_STATUS_LABELS), error="取值无效"))
    checked_in = ma.fields.Boolean()
    q = ma.fields.String(validate=length(50))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, error="应为正整数"))
    per_page = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500, error="应为1至500"))


class RosterOut(OutSchema):
    items = ma.fields.List(ma.fields.Nested(SignupOut))
    total = ma.fields.Integer()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class AddSignupIn(InSchema):
    member_no = ma.fields.String(validate=length(20))
    phone = ma.fields.String(validate=length(11))
    name = ma.fields.String(validate=length(50))
    reason = ma.fields.String(required=True, validate=length(500, 1))


class ReorderIn(InSchema):
    order = ma.fields.List(ma.fields.Integer(), required=True, metadata={"description": "全部候补报名的 id，按新顺序"})


class CheckInIn(InSchema):
    token = ma.fields.String(validate=length(500), metadata={"description": "会员卡二维码内容"})
    signup_id = ma.fields.Integer()


class CheckInOut(OutSchema):
    signup = ma.fields.Nested(SignupOut)
    already = ma.fields.Boolean(metadata={"description": "此前已签到"})


class ResultEntryIn(InSchema):
    signup_id = ma.fields.Integer(required=True)
    score = ma.fields.Decimal(allow_none=True)
    rank = ma.fields.Integer(allow_none=True)
    award = ma.fields.String(allow_none=True, validate=length(50))


class ResultsIn(InSchema):
    entries = ma.fields.List(ma.fields.Nested(ResultEntryIn), required=True)


class ContestCountOut(OutSchema):
    count = ma.fields.Integer()


# --- worker -------------------------------------------------------------------------------
class MySignupOut(OutSchema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.String()
    position = ma.fields.Integer(allow_none=True)
    checked_in = ma.fields.Boolean()
    can_cancel = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    answers = ma.fields.Dict()
    result = ma.fields.Dict(allow_none=True)
    created_at = UtcDateTime()


class WorkerContestOut(OutSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    federation_name = ma.fields.String()
    trade = ma.fields.String(allow_none=True)
    venue = ma.fields.String()
    venue_position = ma.fields.Nested(PlaceOut, allow_none=True, metadata={"description": "比赛地点所在的服务阵地"})
    starts_at = UtcDateTime()
    ends_at = UtcDateTime(allow_none=True)
    registration_opens_at = UtcDateTime()
    registration_closes_at = UtcDateTime()
    cancel_cutoff_at = UtcDateTime()
    capacity = ma.fields.Integer()
    places_left = ma.fields.Integer()
    waitlist_count = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.String()
    registration = ma.fields.String(metadata={"description": "open | not_open | closed | finished | cancelled"})
    eligible = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True, metadata={"description": "不能报名的原因"})
    mine = ma.fields.Nested(MySignupOut, allow_none=True)
    description = ma.fields.String()
    scope_text = ma.fields.String()
    age_text = ma.fields.String(allow_none=True)
    exclusions = ma.fields.String(allow_none=True)
    scoring_note = ma.fields.String(allow_none=True)
    questions = ma.fields.List(ma.fields.Dict())
    needs_birth_date = ma.fields.Boolean()
    prefill = ma.fields.Dict()
    cancel_reason = ma.fields.String(allow_none=True)


class SignUpIn(InSchema):
    name = ma.fields.String(required=True, validate=length(50, 1))
    phone = ma.fields.String(required=True, validate=length(11, 1), metadata={"description": "11位手机号码"})
    birth_date = ma.fields.Date(allow_none=True)
    answers = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)
