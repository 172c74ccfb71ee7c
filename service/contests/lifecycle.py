"""Skill contests: create, edit, publish, close, finish, cancel; the poster QR code
(DESIGN §4 Skill contests).

States: draft → published → closed (registration closed) → finished (results), or → cancelled
from any state before finished; closed → published again while the closing time is ahead.
What may change depends on the state: nothing once finished or cancelled; the eligibility
rule and the extra questions only until somebody has signed up; the capacity never below the
confirmed sign-ups. Functions flush; the caller commits.
"""
import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from models.base import utcnow
from models.contest import Contest, Signup
from models.staff import Staff
from service import audit, refdata
from service.contests import rules
from service.contests import signups
from service.errors import AppError, Conflict, Invalid
from service.extensions import db
from service.positions import venues
from service.staff.scope import in_scope, require_role, require_scope
from service import clock
from service.staff.scope import get_in_scope

log = logging.getLogger(__name__)

EDITABLE = ("title", "industry_code", "description", "venue", "venue_position_id", "starts_at", "ends_at",
            "registration_opens_at", "registration_closes_at", "cancel_cutoff_at", "capacity", "members_only",
            "eligibility", "exclusions", "questions", "scoring_note")
TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancel_cutoff_at")
RULE_FIELDS = ("members_only", "eligibility", "questions")  # fixed once somebody signed up
TEXT_LIMITS = {"title": 100, "description": 5000, "venue": 200, "exclusions": 1000, "scoring_note": 500}
MANAGERS = ("admin", "chair")
QR_MAX_SECONDS = 2_592_000  # WeChat's limit for a temporary QR code (30 days)


def get_for_staff(contest_id: int, staff: Staff) -> Contest:
    return get_in_scope(staff, Contest, contest_id, message="找不到该竞赛")


def list_for_staff(staff: Staff, status: str | None = None) -> list[Contest]:
    query = select(Contest).where(in_scope(staff, Contest.federation_id))
    if status:
        query = query.where(Contest.status == status)
    return list(db.session.scalars(query.order_by(Contest.starts_at.desc(), Contest.id.desc())))


def _clean(values: dict) -> dict:
    """Domain checks of a full set of contest fields; raises Invalid with every problem."""
    errors = {}
    for name, limit in TEXT_LIMITS.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"不超过{limit}字"
        values[name] = value or (None if name in ("exclusions", "scoring_note") else "")
    if not values["title"]:
        errors["title"] = "请填写竞赛名称"
    code = (values.get("industry_code") or "").strip().upper() or None
    if code and not refdata.is_industry(code):
        errors["industry_code"] = "行业代码不在 GB/T 4754-2017 中"
    values["industry_code"] = code
    for name in TIMES:
        values[name] = clock.to_utc(values.get(name))
    for name in ("starts_at", "registration_opens_at", "registration_closes_at"):
        if values[name] is None:
            errors[name] = "请填写时间"
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 100_000:
        errors["capacity"] = "名额应为1至100000之间的整数"
    if not errors:
        opens, closes, starts = values["registration_opens_at"], values["registration_closes_at"], values["starts_at"]
        if closes <= opens:
            errors["registration_closes_at"] = "报名截止时间应晚于报名开始时间"
        elif closes > starts:
            errors["registration_closes_at"] = "报名截止时间不能晚于比赛开始时间"
        if values["ends_at"] and values["ends_at"] < starts:
            errors["ends_at"] = "结束时间不能早于开始时间"
        cut = values["cancel_cutoff_at"]
        if cut and not opens <= cut <= starts:
            errors["cancel_cutoff_at"] = "取消截止时间应在报名开始之后、比赛开始之前"
    values["members_only"] = bool(values.get("members_only"))
    try:
        values["eligibility"] = rules.clean_eligibility(values["members_only"], values.get("eligibility"))
    except Invalid as error:
        errors.update(error.fields or {})
    try:
        values["questions"] = rules.clean_questions(values.get("questions"))
    except Invalid as error:
        errors.update(error.fields or {})
    if errors:
        raise Invalid(fields=errors)
    return values


def _with_venue(staff: Staff, data: dict, current_id: int | None) -> dict:
    """The venue position as its id, once `staff` may pick it (service/positions/venues.py)."""
    if "venue_position_id" not in data:
        return data
    position = venues.pick(staff, data["venue_position_id"], field="venue_position_id", current_id=current_id)
    return {**data, "venue_position_id": position.id if position else None}


def create_contest(*, staff: Staff, data: dict, federation_id: int | None = None) -> Contest:
    """A new draft contest of the staff member's federation (or of one beneath it); its venue
    may be a service position the staff member can see."""
    require_role(staff, *MANAGERS)
    federation_id = federation_id or staff.federation_id
    require_scope(staff, federation_id)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise Invalid(fields={name: "未知字段" for name in unknown})
    values = _clean({"members_only": True, **_with_venue(staff, data, None)})
    contest = Contest(federation_id=federation_id, status="draft", created_by_id=staff.id,
                      confirmed_count=0, waitlisted_count=0, last_seq=0, **values)
    db.session.add(contest)
    db.session.flush()
    audit.record("contest.create", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=federation_id,
                 detail={"title": contest.title, "venue_position_id": contest.venue_position_id})
    return contest


def update_contest(contest: Contest, *, staff: Staff, data: dict, now: datetime | None = None) -> Contest:
    """Change some fields, within what the contest's state allows."""
    require_role(staff, *MANAGERS)
    if contest.status in ("finished", "cancelled"):
        raise Conflict("竞赛已结束或已取消，不能修改")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise Invalid(fields={name: "未知字段" for name in unknown})
    if contest.status != "draft":
        contest = signups.lock_contest(contest.id)  # the counters cannot move while we compare
    data = _with_venue(staff, data, contest.venue_position_id)
    values = _clean({name: getattr(contest, name) for name in EDITABLE} | data)
    changed = {name for name in EDITABLE if values[name] != getattr(contest, name)}
    if contest.last_seq > 0 and changed & set(RULE_FIELDS):
        raise Conflict("已有人报名，不能再修改报名条件和附加问题")
    if values["capacity"] < contest.confirmed_count:
        raise Invalid(fields={"capacity": f"名额不能少于已确认报名人数（{contest.confirmed_count}人）"})
    grew = values["capacity"] > contest.capacity
    for name in changed:
        setattr(contest, name, values[name])
    db.session.flush()
    detail = {"fields": sorted(changed)}
    if "venue_position_id" in changed:
        db.session.expire(contest, ["venue_position"])  # follow the new id
        detail["venue_position_id"] = contest.venue_position_id
    audit.record("contest.update", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail=detail)
    if grew:
        signups.promote_waitlist(contest, now=now)
    return contest


def _transition(contest: Contest, staff: Staff, allowed: tuple[str, ...], target: str, message: str) -> None:
    require_role(staff, *MANAGERS)
    if contest.status not in allowed:
        raise Conflict(message, code="bad_state")
    before = contest.status
    contest.status = target
    db.session.flush()
    audit.record(f"contest.{target}", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail={"from": before})


def publish(contest: Contest, *, staff: Staff, now: datetime | None = None) -> Contest:
    now = now or utcnow()
    if contest.status == "draft" and contest.registration_closes_at <= now:
        raise Conflict("报名截止时间已过，请先修改报名时间")
    _transition(contest, staff, ("draft",), "published", "只有草稿可以发布")
    contest.published_at = now
    return contest


def close_registration(contest: Contest, *, staff: Staff) -> Contest:
    _transition(contest, staff, ("published",), "closed", "只有报名中的竞赛可以截止报名")
    return contest


def reopen_registration(contest: Contest, *, staff: Staff, now: datetime | None = None) -> Contest:
    if contest.status == "closed" and contest.registration_closes_at <= (now or utcnow()):
        raise Conflict("报名截止时间已过，请先延后报名截止时间")
    _transition(contest, staff, ("closed",), "published", "只有报名已截止的竞赛可以重新开放报名")
    return contest


def finish(contest: Contest, *, staff: Staff, now: datetime | None = None) -> Contest:
    now = now or utcnow()
    if contest.status in ("published", "closed") and now < contest.starts_at:
        raise Conflict("比赛开始后才能结束竞赛")
    _transition(contest, staff, ("published", "closed"), "finished", "只有报名中或报名已截止的竞赛可以结束")
    contest.finished_at = now
    return contest


def cancel(contest: Contest, *, staff: Staff, reason: str, now: datetime | None = None) -> int:
    """Cancel the contest; everyone signed up or waiting is told in WeChat. Answers how many."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "请填写取消原因"})
    contest = signups.lock_contest(contest.id)
    _transition(contest, staff, ("draft", "published", "closed"), "cancelled", "已结束或已取消的竞赛不能取消")
    contest.cancelled_at, contest.cancel_reason = now or utcnow(), reason
    people = db.session.scalars(select(Signup).where(Signup.contest_id == contest.id,
                                                     Signup.status.in_(signups.ACTIVE)))
    told = 0
    for signup in list(people):
        signups.notify(signup, f"很抱歉，「{contest.title}」已取消。原因：{reason}", "竞赛取消",
                       dedup_key=f"contest:{contest.id}:cancelled:{signup.id}")
        told += 1
    return told


# --- the poster's QR code ----------------------------------------------------------------
def _create_qrcode(scene: str, expire_seconds: int) -> tuple[str, str]:
    """A temporary QR code through the WeChat adapter: (ticket, url)."""
    from service.wechat import client as wechat_client

    return wechat_client.create_qrcode(scene, permanent=False, expire_seconds=expire_seconds)


def ensure_qrcode(contest: Contest, *, staff: Staff, now: datetime | None = None) -> Contest:
    """The contest's temporary QR code (scene contest:<id>), created again once it is close to expiring.
    It lasts until a day after registration closes, at most WeChat's 30 days."""
    require_role(staff, *MANAGERS)
    now = now or utcnow()
    if contest.status not in ("draft", "published", "closed"):
        raise Conflict("竞赛已结束或已取消，不需要报名二维码")
    if contest.qr_url and contest.qr_expires_at and contest.qr_expires_at > now + timedelta(days=1):
        return contest
    wanted = contest.registration_closes_at + timedelta(days=1) - now
    seconds = int(min(max(wanted.total_seconds(), 3600), QR_MAX_SECONDS))
    try:
        ticket, url = _create_qrcode(contest.scene, seconds)
    except AppError:
        raise
    except Exception as error:  # the WeChat API is down or refuses: say so, keep what we had
        log.warning("contest qrcode: %s", type(error).__name__)
        raise Conflict("生成二维码失败，请稍后再试", code="wechat_failed") from None
    contest.qr_ticket, contest.qr_url = ticket, url
    contest.qr_expires_at = now + timedelta(seconds=seconds)
    db.session.flush()
    audit.record("contest.qrcode", staff=staff, subject_type="contest", subject_id=contest.id,
                 federation_id=contest.federation_id, detail={"expire_seconds": seconds})
    return contest


def close_due_registrations(now: datetime | None = None) -> int:
    """published → closed once the registration closing time has passed (the job below)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Contest).where(Contest.status == "published",
                                                        Contest.registration_closes_at <= now)
                                  .with_for_update(skip_locked=True)))  # claimed
    for contest in due:
        contest.status = "closed"
        audit.record("contest.closed", actor="system", subject_type="contest", subject_id=contest.id,
                     federation_id=contest.federation_id, detail={"from": "published", "auto": True})
    db.session.flush()
    return len(due)
