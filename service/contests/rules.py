"""Contest rules: who may sign up (eligibility), the extra questions and their answers, and
the China-time formatting of contest times. Pure checks; nothing here writes."""
import re
from datetime import date, datetime

from sqlalchemy import select

from models.contest import ELIGIBILITY_SCOPES, QUESTION_KINDS, Contest
from models.federation import CoverageRule
from models.membership import Membership
from models.worker import Worker
from service import refdata
from service.errors import Invalid
from service.extensions import db
from service import clock
from service.routing.router import industry_prefix, region_prefix
from service.positions import venues

MAX_QUESTIONS = 20
MAX_OPTIONS = 20
MAX_ANSWER = 500
AGE_LIMITS = (16, 100)


# --- time ---------------------------------------------------------------------------------
def fmt(value: datetime | None) -> str:
    """A stored time as people in China read it: 2026年12月1日 09:00."""
    if value is None:
        return ""
    local = clock.to_china(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def venue_text(contest: Contest) -> str:
    """Where it is held, for messages: the venue position (name and address) and the free text."""
    return venues.place_text(contest.venue_position, contest.venue)


def venue_link(contest: Contest) -> str:
    """A link to the venue position's page for a message ('' without one)."""
    return venues.place_link(contest.venue_position)


def fmt_short(value: datetime) -> str:
    local = clock.to_china(value)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


# --- eligibility --------------------------------------------------------------------------
def active_membership(worker_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.worker_id == worker_id, Membership.status == "active")
        .order_by(Membership.id.desc()).limit(1)
    )


def _covers(federation_id: int, region_prefix: str, industry_prefix: str | None) -> bool:
    """Does the federation cover workplaces inside (region_prefix, industry_prefix)?"""
    for rule in db.session.scalars(select(CoverageRule).where(CoverageRule.federation_id == federation_id)):
        if not rule.region_prefix.startswith(region_prefix):
            continue
        if industry_prefix and not (rule.industry_prefix or "").upper().startswith(industry_prefix.upper()):
            continue
        return True
    return False


def scope_text(contest: Contest) -> str:
    """Who may take part, in one phrase: 本联合会会员 / 工会会员 / 所有职工."""
    rule = contest.eligibility or {}
    if not contest.members_only:
        return "所有职工"
    if rule.get("scope") == "federation":
        return f"{contest.federation.name}会员"
    if rule.get("scope") == "coverage":
        place = refdata.region_full_name(_region_code(rule.get("region_prefix") or "")) or rule.get("region_prefix")
        trade = refdata.get_industry(rule["industry_prefix"]).name if rule.get("industry_prefix") else ""
        return f"{place}{trade}相关工会联合会会员"
    return "工会会员"


def age_text(rule: dict) -> str | None:
    low, high = rule.get("age_min"), rule.get("age_max")
    if low is not None and high is not None:
        return f"年龄须在{low}至{high}周岁之间"
    if low is not None:
        return f"年龄须满{low}周岁"
    if high is not None:
        return f"年龄须在{high}周岁以下"
    return None


def needs_birth_date(contest: Contest, worker: Worker) -> bool:
    rule = contest.eligibility or {}
    has_age_rule = rule.get("age_min") is not None or rule.get("age_max") is not None
    return has_age_rule and worker.birth_date is None


def window_reason(contest: Contest, now: datetime) -> str | None:
    """Why the registration is not open now (None when it is)."""
    if contest.status == "cancelled":
        return "竞赛已取消"
    if contest.status == "finished":
        return "竞赛已结束"
    if contest.status == "draft":
        return "竞赛尚未发布"
    if contest.status == "closed" or now >= contest.registration_closes_at:
        return "报名已截止"
    if now < contest.registration_opens_at:
        return f"报名将于{fmt_short(contest.registration_opens_at)}开始"
    return None


def membership_reason(contest: Contest, membership: Membership | None) -> str | None:
    if not contest.members_only:
        return None
    if membership is None:
        return "仅限工会会员报名，请先申请入会"
    rule = contest.eligibility or {}
    scope = rule.get("scope") or "federation"
    if scope == "federation" and membership.federation_id != contest.federation_id:
        return "仅限本联合会会员报名"
    if scope == "coverage" and not _covers(membership.federation_id, rule.get("region_prefix") or "",
                                           rule.get("industry_prefix")):
        return f"仅限{scope_text(contest)}报名"
    return None


def age_reason(contest: Contest, birth: date | None) -> str | None:
    rule = contest.eligibility or {}
    low, high = rule.get("age_min"), rule.get("age_max")
    if (low is None and high is None) or birth is None:
        return None
    age = clock.age_on(birth, clock.to_china(contest.starts_at).date())
    if (low is not None and age < low) or (high is not None and age > high):
        return age_text(rule)
    return None


def eligibility_reason(contest: Contest, worker: Worker, *, now: datetime, birth: date | None = None,
                       membership: Membership | None = None, check_window: bool = True) -> str | None:
    """The first reason this worker may not sign up, in Chinese; None when they may.

    The age is checked against the birth date on file (from the resident ID), else `birth`
    (declared on the form); with neither, the form asks for it."""
    if check_window:
        reason = window_reason(contest, now)
        if reason:
            return reason
    if membership is None and contest.members_only:
        membership = active_membership(worker.id)
    return membership_reason(contest, membership) or age_reason(contest, worker.birth_date or birth)


# --- contest fields -----------------------------------------------------------------------
def _region_code(prefix: str) -> str:
    return prefix.ljust(6, "0") if len(prefix) <= 6 else prefix


def clean_eligibility(members_only: bool, rule: dict | None) -> dict:
    """Validated eligibility rule: {"scope", "region_prefix", "industry_prefix", "age_min", "age_max"}."""
    rule = dict(rule or {})
    errors = {}
    unknown = set(rule) - {"scope", "region_prefix", "industry_prefix", "age_min", "age_max"}
    if unknown:
        errors["eligibility"] = f"未知的报名条件：{'、'.join(sorted(unknown))}"
    scope = rule.get("scope") or ("federation" if members_only else "any")
    if not members_only:
        scope = "any"
    if scope not in ELIGIBILITY_SCOPES:
        errors["eligibility.scope"] = "范围应为 any、federation 或 coverage"
    out = {"scope": scope, "region_prefix": None, "industry_prefix": None}
    if scope == "coverage":
        region = str(rule.get("region_prefix") or "").strip()
        industry = str(rule.get("industry_prefix") or "").strip().upper() or None
        if not region:
            errors["eligibility.region_prefix"] = "请选择覆盖的地区"
        elif not re.fullmatch(r"\d{2,12}", region) or not refdata.is_region(_region_code(region)):
            errors["eligibility.region_prefix"] = "请选择有效的地区（行政区划代码或其前缀，如 130100 或 1301）"
        if industry and not refdata.is_industry(industry):
            errors["eligibility.industry_prefix"] = "行业代码不在 GB/T 4754-2017 中"
        # the pickers send a region's code (130100) and an industry's (G6020); coverage rules keep
        # the significant prefixes (1301, G602), which is what _covers compares with
        out.update(region_prefix=region_prefix(region) if region else region,
                   industry_prefix=industry_prefix(industry) if industry else None)
    for key in ("age_min", "age_max"):
        value = rule.get(key)
        if value in (None, ""):
            out[key] = None
        elif not isinstance(value, int) or isinstance(value, bool) or not AGE_LIMITS[0] <= value <= AGE_LIMITS[1]:
            errors[f"eligibility.{key}"] = f"年龄应为{AGE_LIMITS[0]}至{AGE_LIMITS[1]}之间的整数"
        else:
            out[key] = value
    if out.get("age_min") is not None and out.get("age_max") is not None and out["age_min"] > out["age_max"]:
        errors["eligibility.age_max"] = "最大年龄不能小于最小年龄"
    if errors:
        raise Invalid(fields=errors)
    return out


def clean_questions(questions: list | None) -> list[dict]:
    """Validated extra questions; keys q1, q2… are given to questions without one."""
    questions = questions or []
    errors: dict[str, str] = {}
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise Invalid(fields={"questions": f"附加问题最多{MAX_QUESTIONS}个"})
    out, keys = [], set()
    for n, item in enumerate(questions, start=1):
        where = f"questions.{n}"
        if not isinstance(item, dict) or set(item) - {"key", "label", "kind", "options", "required"}:
            errors[where] = "问题格式有误"
            continue
        key = str(item.get("key") or f"q{n}").strip()
        label = str(item.get("label") or "").strip()
        kind = item.get("kind") or "text"
        options = item.get("options") or []
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,19}", key) or key in keys:
            errors[where] = "问题标识重复或格式有误"
        elif not label or len(label) > 100:
            errors[where] = "请填写问题（不超过100字）"
        elif kind not in QUESTION_KINDS:
            errors[where] = "题型应为 text、single 或 multiple"
        elif kind == "text" and options:
            errors[where] = "填空题不需要选项"
        elif kind != "text" and (
            not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS
            or any(not isinstance(o, str) or not o.strip() or len(o) > 50 for o in options)
            or len({o.strip() for o in options}) != len(options)
        ):
            errors[where] = f"选择题需要2至{MAX_OPTIONS}个互不相同的选项（每个不超过50字）"
        keys.add(key)
        out.append({"key": key, "label": label, "kind": kind, "options": [o.strip() for o in options],
                    "required": bool(item.get("required"))})
    if errors:
        raise Invalid(fields=errors)
    return out


def clean_answers(questions: list[dict], answers: dict | None) -> dict:
    """The worker's answers checked against the questions: required, choice in options."""
    answers = answers or {}
    by_key = {q["key"]: q for q in questions}
    errors = {f"answers.{k}": "没有这个问题" for k in answers if k not in by_key}
    out = {}
    for key, question in by_key.items():
        value = answers.get(key)
        field = f"answers.{key}"
        if question["kind"] == "text":
            value = (value or "").strip() if isinstance(value, str) or value is None else None
            if value is None:
                errors[field] = "请填写文字"
            elif len(value) > MAX_ANSWER:
                errors[field] = f"不超过{MAX_ANSWER}字"
        elif question["kind"] == "single":
            if value not in (None, "") and value not in question["options"]:
                errors[field] = "请从选项中选择"
            value = value or ""
        else:
            value = value or []
            if not isinstance(value, list) or any(v not in question["options"] for v in value) \
                    or len(set(value)) != len(value):
                errors[field] = "请从选项中选择"
        if field not in errors and question["required"] and not value:
            errors[field] = "此项为必填"
        if field not in errors and value:
            out[key] = value
    if errors:
        raise Invalid(fields=errors)
    return out
