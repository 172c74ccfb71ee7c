"""How a federation is formed and run (Hebei opinion 2020, §二–§三): formation steps, covered
units and base unions, committee terms and members, special committees, meetings and reports,
collective contracts, labour-law supervision letters (一函两书), employers and labour-relations
early warnings. The rules live in service/governance/; these are the records."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import JSONType, TimestampMixin, utcnow
from service.extensions import db

FORMATION_STEPS = ("consultation", "party_consent", "no_party_org", "upper_approval", "preparing_group",
                   "founding_election")
FORMATION_STEP_LABELS = {
    "consultation": "征求覆盖单位意见、酝酿协商", "party_consent": "同级党组织同意",
    "no_party_org": "未建立党组织（在上一级工会领导下进行）", "upper_approval": "上一级工会批准成立筹备组",
    "preparing_group": "筹备组成立", "founding_election": "召开大会，选举产生第一届委员会",
}
BASE_UNION_KINDS = ("committee", "joint_committee", "federation")
BASE_UNION_KIND_LABELS = {"committee": "基层工会委员会", "joint_committee": "联合基层工会委员会",
                          "federation": "基层工会联合会"}
UNIT_KINDS = ("unit", "scattered")  # a base unit, or scattered workers (零散就业人员) covered directly
ROLES = ("chair", "vice_chair", "member")
ROLE_LABELS = {"chair": "主席", "vice_chair": "副主席", "member": "委员"}
SOURCES = ("base_union", "representative", "government")
SOURCE_LABELS = {"base_union": "所覆盖基层工会主席", "representative": "有关方面代表", "government": "政府有关部门代表"}
CHOSEN_HOW = ("committee_election", "congress_election", "democratic_recommendation", "replacement", "addition")
CHOSEN_HOW_LABELS = {"committee_election": "全体委员选举", "congress_election": "会员（代表）大会选举",
                     "democratic_recommendation": "基层工会主席民主推选", "replacement": "替补（履行民主程序）",
                     "addition": "增补（履行民主程序）"}
ASSOCIATION_POSTS = ("president", "vice_president")
ELECTED_BY = ("committee", "congress")
APPROVAL_KINDS = ("early", "late")
APPROVAL_KIND_LABELS = {"early": "提前换届", "late": "延期换届"}
SPECIAL_COMMITTEES = ("funds_review", "women", "labour_law_supervision")
SPECIAL_COMMITTEE_LABELS = {"funds_review": "工会经费审查委员会", "women": "女职工委员会",
                            "labour_law_supervision": "工会劳动法律监督委员会"}
MEETING_KINDS = ("congress", "plenary", "report")
MEETING_KIND_LABELS = {"congress": "职工（代表）大会、会员（代表）大会", "plenary": "委员会全体会议",
                       "report": "向本级党组织、上级工会汇报工作"}
CONTRACT_STATUSES = ("negotiating", "drafted", "voted", "filed", "effective", "rejected", "expired")
CONTRACT_STATUS_LABELS = {"negotiating": "协商中", "drafted": "草案已形成", "voted": "大会已通过",
                          "filed": "已报送审查", "effective": "已生效", "rejected": "未通过或被退回",
                          "expired": "已到期"}
LETTER_KINDS = ("reminder", "opinion", "recommendation")
LETTER_KIND_LABELS = {"reminder": "劳动法律监督提示函", "opinion": "劳动法律监督意见书",
                      "recommendation": "工会劳动法律监督建议书"}
LETTER_STATUSES = ("issued", "answered", "escalated", "closed")
LETTER_STATUS_LABELS = {"issued": "待回复", "answered": "已回复", "escalated": "已升级", "closed": "已办结"}
WARNING_LEVELS = ("green", "yellow", "red")
WARNING_LEVEL_LABELS = {"green": "绿色", "yellow": "黄色", "red": "红色"}


def _fed_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("federations.id", ondelete="CASCADE"), index=True)


class FormationStep(db.Model):
    """One step of forming a federation (§二.1), with the document that records it."""

    __tablename__ = "formation_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    step: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[date] = mapped_column(Date)
    people: Mapped[str | None] = mapped_column(String(500))  # e.g. the preparing group's members
    document: Mapped[str | None] = mapped_column(String(300))  # file name or number of the document
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BaseUnion(TimestampMixin, db.Model):
    """A base union the federation covers (§二.2): one of the three kinds, with its chair."""

    __tablename__ = "base_unions"
    __table_args__ = (CheckConstraint("kind IN ('committee', 'joint_committee', 'federation')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    chair_name: Mapped[str | None] = mapped_column(String(50))
    chair_since: Mapped[date | None] = mapped_column(Date)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    women_count: Mapped[int] = mapped_column(Integer, default=0)
    left_on: Mapped[date | None] = mapped_column(Date)  # no longer covered

    units: Mapped[list["CoveredUnit"]] = relationship(back_populates="base_union")


class CoveredUnit(TimestampMixin, db.Model):
    """A unit inside the federation's coverage (or a group of scattered workers): with its own
    base union, or covered by the federation directly (a small unit that cannot form one)."""

    __tablename__ = "covered_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    kind: Mapped[str] = mapped_column(String(16), default="unit")
    name: Mapped[str] = mapped_column(String(100))
    head_name: Mapped[str | None] = mapped_column(String(50))  # 行政主要负责人
    workers: Mapped[int] = mapped_column(Integer, default=0)
    base_union_id: Mapped[int | None] = mapped_column(ForeignKey("base_unions.id", ondelete="SET NULL"))
    covered_directly: Mapped[bool] = mapped_column(Boolean, default=False)

    base_union: Mapped[BaseUnion | None] = relationship(back_populates="units")


class TermApproval(db.Model):
    """The upper union's recorded approval of an early or late renewal (§二.3)."""

    __tablename__ = "term_approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    kind: Mapped[str] = mapped_column(String(8))
    approved_on: Mapped[date] = mapped_column(Date)
    renew_by: Mapped[date | None] = mapped_column(Date)  # late renewal: the election must be held by then
    reason: Mapped[str] = mapped_column(String(500))
    document: Mapped[str | None] = mapped_column(String(300))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitteeTerm(db.Model):
    """One term (届) of the federation's committee: 3 or 5 years from its election."""

    __tablename__ = "committee_terms"
    __table_args__ = (CheckConstraint("years IN (3, 5)", name="years"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    number: Mapped[int] = mapped_column(Integer)  # 第N届
    elected_on: Mapped[date] = mapped_column(Date)
    years: Mapped[int] = mapped_column(Integer)
    ends_on: Mapped[date] = mapped_column(Date)
    elected_by: Mapped[str] = mapped_column(String(16))  # the committee | the congress elected the chairs
    renewal: Mapped[str] = mapped_column(String(8), default="first")  # first | on_time | early | late
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("term_approvals.id"))
    minutes_file: Mapped[str | None] = mapped_column(String(300))
    closed_on: Mapped[date | None] = mapped_column(Date)  # replaced by the next term
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["CommitteeMember"]] = relationship(back_populates="term", order_by="CommitteeMember.id")


class CommitteeMember(TimestampMixin, db.Model):
    """A member of a term's committee (§二.3–4)."""

    __tablename__ = "committee_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    term_id: Mapped[int] = mapped_column(ForeignKey("committee_terms.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16), default="member")
    source: Mapped[str] = mapped_column(String(16))
    base_union_id: Mapped[int | None] = mapped_column(ForeignKey("base_unions.id", ondelete="SET NULL"))
    body: Mapped[str | None] = mapped_column(String(100))  # the body a representative comes from
    chosen_how: Mapped[str] = mapped_column(String(32))
    chosen_on: Mapped[date] = mapped_column(Date)
    full_time: Mapped[bool] = mapped_column(Boolean, default=False)
    association_post: Mapped[str | None] = mapped_column(String(16))  # 行业协会（商会）会长 / 副会长
    procedure: Mapped[str | None] = mapped_column(String(500))  # the democratic procedure followed
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    # set when the member stops being their base union's chair: their successor replaces them
    needs_replacement_since: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(200))

    term: Mapped[CommitteeTerm] = relationship(back_populates="members")
    base_union: Mapped[BaseUnion | None] = relationship()


class SpecialCommittee(db.Model):
    """经费审查委员会, 女职工委员会, 劳动法律监督委员会 — the records, not just flags."""

    __tablename__ = "special_committees"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    kind: Mapped[str] = mapped_column(String(24))
    established_on: Mapped[date] = mapped_column(Date)
    chair_name: Mapped[str] = mapped_column(String(50))
    members: Mapped[list] = mapped_column(JSONType, default=list)  # names
    document: Mapped[str | None] = mapped_column(String(300))
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(db.Model):
    """A congress, a committee plenary or a half-year report (§三.3)."""

    __tablename__ = "governance_meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    attendance: Mapped[int | None] = mapped_column(Integer)
    expected: Mapped[int | None] = mapped_column(Integer)
    to_party: Mapped[bool] = mapped_column(Boolean, default=False)  # reports: to the party organisation
    to_upper: Mapped[bool] = mapped_column(Boolean, default=False)  # reports: to the upper union
    minutes_file: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CollectiveContract(TimestampMixin, db.Model):
    """A regional or industry collective contract (§三.1–2), from negotiation to expiry."""

    __tablename__ = "collective_contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="negotiating")
    chief_representative: Mapped[str] = mapped_column(String(50))
    employer_side: Mapped[str] = mapped_column(String(200))  # the employers' representative body
    negotiation_started_on: Mapped[date] = mapped_column(Date)
    draft_on: Mapped[date | None] = mapped_column(Date)
    vote_on: Mapped[date | None] = mapped_column(Date)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_total: Mapped[int | None] = mapped_column(Integer)
    filed_on: Mapped[date | None] = mapped_column(Date)  # 报送劳动行政部门审查
    review_due: Mapped[date | None] = mapped_column(Date)  # filed + 15 days
    review_result: Mapped[str | None] = mapped_column(String(16))  # approved | objection | no_objection
    term_years: Mapped[int | None] = mapped_column(Integer)  # the agreed term, 1 to 3 years
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    employers_covered: Mapped[int] = mapped_column(Integer, default=0)
    workers_covered: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(1000))


class Employer(TimestampMixin, db.Model):
    """An employer the federation watches; its dossier is built from requests and letters."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    address: Mapped[str | None] = mapped_column(String(200))
    workers: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8), default="green")  # the highest open warning


class SupervisionLetter(TimestampMixin, db.Model):
    """一函两书: 提示函 → 意见书 → 建议书, each with a due date and the answer (§三.3)."""

    __tablename__ = "supervision_letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="issued")
    source: Mapped[str] = mapped_column(String(16))  # help_request | inspection | escalation
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="SET NULL"))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_letters.id"))
    addressee: Mapped[str] = mapped_column(String(100))  # the employer, or the authority for 建议书
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    facts: Mapped[str] = mapped_column(Text)
    demands: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    response_on: Mapped[date | None] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool | None] = mapped_column(Boolean)  # did the answer put it right?
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    employer: Mapped[Employer] = relationship()


class LabourWarning(TimestampMixin, db.Model):
    """A labour-relations early warning on an employer (§三.3): raised by a rule or by staff."""

    __tablename__ = "labour_warnings"
    id: Mapped[int] = mapped_column(primary_key=True)
    federation_id: Mapped[int] = _fed_fk()
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    rule: Mapped[str | None] = mapped_column(String(32))  # the rule that raised it; null: staff
    reason: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict] = mapped_column(JSONType, default=dict)
    raised_on: Mapped[date] = mapped_column(Date)
    response_due: Mapped[date | None] = mapped_column(Date)  # red: the upper union's deadline
    notified_upper_at: Mapped[datetime | None] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_note: Mapped[str | None] = mapped_column(String(500))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    employer: Mapped[Employer] = relationship()
