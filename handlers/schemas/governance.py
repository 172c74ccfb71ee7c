"""Federation governance (Hebei opinion §二–§三): the board, one federation's records, and the
inputs that record formation steps, the register, elections, members, approvals, committees,
meetings, collective contracts, supervision letters, employers and warnings. Types and lengths
are checked here; the opinion's rules (with their Chinese messages) in service/governance/."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, UtcDateTime, length
from models.governance import (BASE_UNION_KIND_LABELS, CHOSEN_HOW_LABELS, CONTRACT_STATUS_LABELS,
                               FORMATION_STEP_LABELS, LETTER_KIND_LABELS, LETTER_STATUS_LABELS, MEETING_KIND_LABELS,
                               ROLE_LABELS, SOURCE_LABELS, SPECIAL_COMMITTEE_LABELS, WARNING_LEVEL_LABELS)

MAX_ID = 2**31 - 1


def _id(**kw):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID, error="编号无效"), **kw)


def _count(**kw):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(0, 10**7, error="应为非负整数"), **kw)


def _date(**kw):
    return ma.fields.Date(**kw)


def _str(max_len: int, **kw):
    return ma.fields.String(validate=length(max_len), **kw)


def _bool(**kw):
    return ma.fields.Boolean(**kw)


def _label(labels: dict, attr: str):
    return ma.fields.Function(lambda obj: labels.get(getattr(obj, attr), getattr(obj, attr)))


# ------------------------------------------------------------------ inputs

class FormationStepIn(InSchema):
    step = _str(24, required=True, metadata={"description": " | ".join(FORMATION_STEP_LABELS)})
    occurred_on = _date(required=True)
    people = _str(500, load_default=None, allow_none=True)
    document = _str(300, load_default=None, allow_none=True)
    note = _str(1000, load_default=None, allow_none=True)


class BaseUnionIn(InSchema):
    name = _str(100, required=True)
    kind = _str(16, required=True, metadata={"description": "committee | joint_committee | federation"})
    chair_name = _str(50, load_default=None, allow_none=True)
    member_count = _count(load_default=0)
    women_count = _count(load_default=0)


class ChairChangeIn(InSchema):
    chair_name = _str(50, required=True)
    since = _date(required=True)


class UnitIn(InSchema):
    name = _str(100, required=True)
    kind = _str(16, load_default="unit", metadata={"description": "unit | scattered (零散就业人员)"})
    head_name = _str(50, load_default=None, allow_none=True, metadata={"description": "行政主要负责人"})
    workers = _count(load_default=0)
    base_union_id = _id(load_default=None, allow_none=True)
    covered_directly = _bool(load_default=False)


class UnitUpdateIn(InSchema):
    head_name = _str(50, allow_none=True)
    workers = _count()
    base_union_id = _id(allow_none=True)
    covered_directly = _bool()


class MemberIn(InSchema):
    name = _str(50, required=True)
    role = _str(16, load_default="member", metadata={"description": "chair | vice_chair | member"})
    source = _str(16, required=True, metadata={"description": "base_union | representative | government"})
    base_union_id = _id(load_default=None, allow_none=True)
    body = _str(100, load_default=None, allow_none=True)
    chosen_how = _str(32, metadata={"description": " | ".join(CHOSEN_HOW_LABELS)})
    chosen_on = _date()
    full_time = _bool(load_default=False)
    association_post = _str(16, load_default=None, allow_none=True, metadata={"description": "president | vice_president"})
    procedure = _str(500, load_default=None, allow_none=True)
    replaces_id = _id(load_default=None, allow_none=True)


class ElectionIn(InSchema):
    elected_on = _date(required=True)
    years = ma.fields.Integer(required=True, strict=True, metadata={"description": "3 | 5"})
    elected_by = _str(16, required=True, metadata={"description": "committee | congress"})
    minutes_file = _str(300, load_default=None, allow_none=True)
    members = ma.fields.List(ma.fields.Nested(MemberIn), required=True, validate=ma.validate.Length(1, 200))


class LeaveIn(InSchema):
    left_on = _date(required=True)
    reason = _str(200, required=True)


class ApprovalIn(InSchema):
    kind = _str(8, required=True, metadata={"description": "early | late"})
    approved_on = _date(required=True)
    renew_by = _date(load_default=None, allow_none=True)
    reason = _str(500, required=True)
    document = _str(300, load_default=None, allow_none=True)


class SpecialCommitteeIn(InSchema):
    kind = _str(24, required=True, metadata={"description": "funds_review | women | labour_law_supervision"})
    established_on = _date(required=True)
    chair_name = _str(50, required=True)
    members = ma.fields.List(_str(50), load_default=list, validate=ma.validate.Length(max=100))
    document = _str(300, load_default=None, allow_none=True)


class MeetingIn(InSchema):
    kind = _str(16, required=True, metadata={"description": "congress | plenary | report"})
    held_on = _date(required=True)
    attendance = _count(load_default=None, allow_none=True)
    expected = _count(load_default=None, allow_none=True)
    to_party = _bool(load_default=False)
    to_upper = _bool(load_default=False)
    minutes_file = _str(300, load_default=None, allow_none=True)
    summary = _str(5000, load_default=None, allow_none=True)


class ContractIn(InSchema):
    title = _str(200, required=True)
    chief_representative = _str(50, required=True)
    employer_side = _str(200, required=True)
    negotiation_started_on = _date(required=True)


class ContractStepIn(InSchema):
    on = _date(load_default=None, allow_none=True)
    votes_for = _count(load_default=None)
    votes_total = _count(load_default=None)
    result = _str(16, load_default=None, metadata={"description": "approved | objection"})
    term_years = ma.fields.Integer(strict=True, load_default=None, metadata={"description": "file: 1 | 2 | 3"})
    employers_covered = _count(load_default=None)
    workers_covered = _count(load_default=None)


class LetterIn(InSchema):
    kind = _str(16, required=True, metadata={"description": "reminder (提示函) | opinion (意见书)"})
    source = _str(16, required=True, metadata={"description": "help_request | inspection"})
    help_request_id = _id(load_default=None, allow_none=True)
    employer_name = _str(100, load_default=None, allow_none=True)
    issued_on = _date(required=True)
    due_on = _date(required=True)
    facts = _str(5000, required=True)
    demands = _str(5000, required=True)
    legal_basis = _str(2000, load_default=None, allow_none=True)


class LetterEscalateIn(InSchema):
    issued_on = _date(required=True)
    due_on = _date(required=True)
    facts = _str(5000, required=True)
    demands = _str(5000, required=True)
    legal_basis = _str(2000, load_default=None, allow_none=True)
    addressee = _str(100, load_default=None, allow_none=True, metadata={"description": "建议书报送的部门"})


class LetterResponseIn(InSchema):
    response_on = _date(required=True)
    response = _str(5000, required=True)
    resolved = _bool(required=True)


class EmployerIn(InSchema):
    name = _str(100, required=True)
    credit_code = _str(18, load_default=None, allow_none=True)
    address = _str(200, load_default=None, allow_none=True)
    workers = _count(load_default=None, allow_none=True)


class WarningIn(InSchema):
    employer_name = _str(100, required=True)
    level = _str(8, required=True, metadata={"description": "green | yellow | red"})
    reason = _str(500, required=True)


class WarningCloseIn(InSchema):
    closed_on = _date(required=True)
    note = _str(500, required=True)


class BoardQuery(InSchema):
    status = ma.fields.String(load_default=None,
                validate=ma.validate.OneOf(["preparing", "active"], error="状态应为 preparing 或 active"))


# ------------------------------------------------------------------ outputs

class CheckOut(OutSchema):
    code = ma.fields.String(metadata={"description": "term_expired | congress_overdue | unit_head_member | red_warning | …"})
    severity = ma.fields.String(metadata={"description": "red | yellow"})
    message = ma.fields.String()
    evidence = ma.fields.String()
    link = ma.fields.String(metadata={"description": "where it is fixed"})
    due = ma.fields.String(allow_none=True)


class BoardRowOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)
    parent_name = ma.fields.String(allow_none=True)
    term_number = ma.fields.Integer(allow_none=True)
    term_ends_on = ma.fields.Date(allow_none=True)
    coverage_rate = ma.fields.Float(allow_none=True)
    base_unions = ma.fields.Integer()
    open_red_warnings = ma.fields.Integer()
    red = ma.fields.Integer()
    yellow = ma.fields.Integer()
    checks = ma.fields.List(ma.fields.Nested(CheckOut))
    link = ma.fields.String()


class FormationStepOut(OutSchema):
    id = ma.fields.Integer()
    step = ma.fields.String()
    step_label = _label(FORMATION_STEP_LABELS, "step")
    occurred_on = ma.fields.Date()
    people = ma.fields.String(allow_none=True)
    document = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


class BaseUnionOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    kind_label = _label(BASE_UNION_KIND_LABELS, "kind")
    chair_name = ma.fields.String(allow_none=True)
    chair_since = ma.fields.Date(allow_none=True)
    member_count = ma.fields.Integer()
    women_count = ma.fields.Integer()


class UnitOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    head_name = ma.fields.String(allow_none=True)
    workers = ma.fields.Integer()
    base_union_id = ma.fields.Integer(allow_none=True)
    covered_directly = ma.fields.Boolean()


class MemberOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    role = ma.fields.String()
    role_label = _label(ROLE_LABELS, "role")
    source = ma.fields.String()
    source_label = _label(SOURCE_LABELS, "source")
    base_union_id = ma.fields.Integer(allow_none=True)
    base_union_name = ma.fields.Function(lambda m: m.base_union.name if m.base_union else None)
    body = ma.fields.String(allow_none=True)
    chosen_how = ma.fields.String()
    chosen_how_label = _label(CHOSEN_HOW_LABELS, "chosen_how")
    chosen_on = ma.fields.Date()
    full_time = ma.fields.Boolean()
    association_post = ma.fields.String(allow_none=True)
    procedure = ma.fields.String(allow_none=True)
    replaces_id = ma.fields.Integer(allow_none=True)
    needs_replacement_since = ma.fields.Date(allow_none=True)
    left_on = ma.fields.Date(allow_none=True)
    left_reason = ma.fields.String(allow_none=True)


class TermOut(OutSchema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    elected_on = ma.fields.Date()
    years = ma.fields.Integer()
    ends_on = ma.fields.Date()
    elected_by = ma.fields.String()
    renewal = ma.fields.String(metadata={"description": "first | on_time | early | late"})
    approval_id = ma.fields.Integer(allow_none=True)
    minutes_file = ma.fields.String(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    members = ma.fields.List(ma.fields.Nested(MemberOut))


class ApprovalOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    approved_on = ma.fields.Date()
    renew_by = ma.fields.Date(allow_none=True)
    reason = ma.fields.String()
    document = ma.fields.String(allow_none=True)


class SpecialCommitteeOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    kind_label = _label(SPECIAL_COMMITTEE_LABELS, "kind")
    established_on = ma.fields.Date()
    chair_name = ma.fields.String()
    members = ma.fields.List(ma.fields.String())
    document = ma.fields.String(allow_none=True)


class MeetingOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    kind_label = _label(MEETING_KIND_LABELS, "kind")
    held_on = ma.fields.Date()
    attendance = ma.fields.Integer(allow_none=True)
    expected = ma.fields.Integer(allow_none=True)
    to_party = ma.fields.Boolean()
    to_upper = ma.fields.Boolean()
    minutes_file = ma.fields.String(allow_none=True)
    summary = ma.fields.String(allow_none=True)


class ContractOut(OutSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    status = ma.fields.String()
    status_label = _label(CONTRACT_STATUS_LABELS, "status")
    chief_representative = ma.fields.String()
    employer_side = ma.fields.String()
    negotiation_started_on = ma.fields.Date()
    draft_on = ma.fields.Date(allow_none=True)
    vote_on = ma.fields.Date(allow_none=True)
    votes_for = ma.fields.Integer(allow_none=True)
    votes_total = ma.fields.Integer(allow_none=True)
    filed_on = ma.fields.Date(allow_none=True)
    review_due = ma.fields.Date(allow_none=True)
    review_result = ma.fields.String(allow_none=True, metadata={"description": "approved | objection | no_objection"})
    term_years = ma.fields.Integer(allow_none=True)
    effective_from = ma.fields.Date(allow_none=True)
    effective_until = ma.fields.Date(allow_none=True)
    employers_covered = ma.fields.Integer()
    workers_covered = ma.fields.Integer()


class EmployerOut(OutSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    credit_code = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    workers = ma.fields.Integer(allow_none=True)
    level = ma.fields.String(metadata={"description": "green | yellow | red"})
    level_label = _label(WARNING_LEVEL_LABELS, "level")


class LetterOut(OutSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    kind_label = _label(LETTER_KIND_LABELS, "kind")
    number = ma.fields.String()
    status = ma.fields.String()
    status_label = _label(LETTER_STATUS_LABELS, "status")
    source = ma.fields.String()
    help_request_id = ma.fields.Integer(allow_none=True)
    previous_id = ma.fields.Integer(allow_none=True)
    employer_id = ma.fields.Integer()
    employer_name = ma.fields.Function(lambda x: x.employer.name)
    addressee = ma.fields.String()
    issued_on = ma.fields.Date()
    due_on = ma.fields.Date()
    facts = ma.fields.String()
    demands = ma.fields.String()
    legal_basis = ma.fields.String(allow_none=True)
    response_on = ma.fields.Date(allow_none=True)
    response = ma.fields.String(allow_none=True)
    resolved = ma.fields.Boolean(allow_none=True)
    federation_name = ma.fields.String(dump_only=True)


class LabourWarningOut(OutSchema):
    id = ma.fields.Integer()
    employer_id = ma.fields.Integer()
    employer_name = ma.fields.Function(lambda w: w.employer.name)
    level = ma.fields.String()
    level_label = _label(WARNING_LEVEL_LABELS, "level")
    rule = ma.fields.String(allow_none=True, metadata={"description": "null: raised by staff"})
    reason = ma.fields.String()
    raised_on = ma.fields.Date()
    response_due = ma.fields.Date(allow_none=True)
    notified_upper_at = UtcDateTime(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    closing_note = ma.fields.String(allow_none=True)


class FiguresOut(OutSchema):
    units = ma.fields.Integer()
    units_with_union = ma.fields.Integer()
    units_covered_directly = ma.fields.Integer()
    units_uncovered = ma.fields.Integer()
    scattered_workers = ma.fields.Integer()
    coverage_rate = ma.fields.Float(allow_none=True)
    base_unions = ma.fields.Integer()
    members = ma.fields.Integer()
    women = ma.fields.Integer()


class GovernanceOut(BoardRowOut):
    """One federation's governance page: its checks and every record behind them."""

    own_funds = ma.fields.Boolean()
    many_women = ma.fields.Boolean()
    has_party_org = ma.fields.Boolean()
    can_write = ma.fields.Boolean(metadata={"description": "the caller may record (admin or chair)"})
    can_approve = ma.fields.Boolean(metadata={"description": "the caller is an admin of the upper union"})
    figures = ma.fields.Nested(FiguresOut)
    steps = ma.fields.List(ma.fields.Nested(FormationStepOut))
    unions = ma.fields.List(ma.fields.Nested(BaseUnionOut))
    units = ma.fields.List(ma.fields.Nested(UnitOut))
    terms = ma.fields.List(ma.fields.Nested(TermOut))
    approvals = ma.fields.List(ma.fields.Nested(ApprovalOut))
    specials = ma.fields.List(ma.fields.Nested(SpecialCommitteeOut))
    meetings = ma.fields.List(ma.fields.Nested(MeetingOut))
    contracts = ma.fields.List(ma.fields.Nested(ContractOut))
    letters = ma.fields.List(ma.fields.Nested(LetterOut))
    employers = ma.fields.List(ma.fields.Nested(EmployerOut))
    warnings = ma.fields.List(ma.fields.Nested(LabourWarningOut))


class DossierRequestOut(OutSchema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    type = ma.fields.String()
    type_label = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    created_at = UtcDateTime()
    amount = ma.fields.String(allow_none=True)
    workers_affected = ma.fields.Integer(allow_none=True)
    outcome = ma.fields.String(allow_none=True)


class DossierFiguresOut(OutSchema):
    requests = ma.fields.Integer()
    wage_arrears_requests = ma.fields.Integer()
    wage_arrears_amount = ma.fields.String()
    wage_arrears_workers = ma.fields.Integer()
    mediations = ma.fields.Integer()
    mediation_agreements = ma.fields.Integer()


class DossierOut(OutSchema):
    employer = ma.fields.Nested(EmployerOut)
    requests = ma.fields.List(ma.fields.Nested(DossierRequestOut))
    letters = ma.fields.List(ma.fields.Nested(LetterOut))
    warnings = ma.fields.List(ma.fields.Nested(LabourWarningOut))
    figures = ma.fields.Nested(DossierFiguresOut)
