"""Meetings and reports (Hebei opinion §三.3): at least one workers' or members' congress and one
committee plenary a year, and a report to the party organisation and to the upper union at least
every half year — each recorded with its date, attendance and minutes.

"A year" is read as "no more than a year after the previous one" (the first counted from the
federation's first election); a report is due six months after the previous report to the same
recipient. An obligation is "due soon" from DUE_SOON before its date, then overdue.
A federation whose formation record says it has no party organisation reports to the upper union
only. A plenary is valid only with more than half of the committee present.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from models.federation import Federation
from models.governance import MEETING_KINDS, CommitteeTerm, Meeting
from models.staff import Staff
from service import clock
from service.extensions import db
from service.governance.access import add_months, add_years, check_past, raise_if, record, require_writer, text
from service.governance.committee import current_term, member_count

DUE_SOON = timedelta(days=30)
MAX_PEOPLE = 100_000


@dataclass(frozen=True)
class Duty:
    code: str
    label: str
    months: int  # at most this long between two


DUTIES = (
    Duty("congress", "职工（代表）大会或会员（代表）大会", 12),
    Duty("plenary", "委员会全体会议", 12),
    Duty("report_party", "向本级党组织汇报工作", 6),
    Duty("report_upper", "向上级工会汇报工作", 6),
)


def _people(value, field: str, label: str, errors: dict) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PEOPLE:
        errors[field] = f"{label}应为0到{MAX_PEOPLE}之间的整数"
        return None
    return value


def record_meeting(federation: Federation, *, kind: str, held_on: date, attendance: int | None = None,
                   expected: int | None = None, to_party: bool = False, to_upper: bool = False,
                   minutes_file: str | None = None, summary: str | None = None, staff: Staff | None,
                   today: date | None = None) -> Meeting:
    """Record a congress, a plenary or a report (with its minutes file)."""
    require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    if kind not in MEETING_KINDS:
        errors["kind"] = "请选择会议类型：大会、委员会全体会议或工作汇报"
    check_past(held_on, "held_on", "日期", today, errors)
    attendance = _people(attendance, "attendance", "出席人数", errors)
    expected = _people(expected, "expected", "应出席人数", errors)
    minutes_file = text(minutes_file, "minutes_file", "会议记录文件", 300, errors, required=kind != "report")
    summary = text(summary, "summary", "内容摘要", 5000, errors, required=kind == "report")
    if kind in ("congress", "plenary") and attendance is None and "attendance" not in errors:
        errors["attendance"] = "请填写出席人数"
    if kind == "plenary" and "attendance" not in errors and "expected" not in errors:
        term = current_term(federation)
        expected = expected if expected is not None else (member_count(term.id) if term else None)
        if not expected:
            errors["expected"] = "请填写应出席委员人数（或先登记委员会）"
        elif attendance * 2 <= expected:
            errors["attendance"] = f"委员会全体会议须有半数以上委员出席（应出席{expected}人，出席{attendance}人）"
    if attendance is not None and expected is not None and attendance > expected and "attendance" not in errors:
        errors["attendance"] = "出席人数不能多于应出席人数"
    if kind == "report":
        if not (to_party or to_upper):
            errors["to_upper"] = "请选择汇报对象：本级党组织、上级工会（可都选）"
    else:
        to_party = to_upper = False
    raise_if(errors)
    meeting = Meeting(federation_id=federation.id, kind=kind, held_on=held_on, attendance=attendance,
                      expected=expected, to_party=bool(to_party), to_upper=bool(to_upper),
                      minutes_file=minutes_file, summary=summary, recorded_by_id=staff.id if staff else None)
    db.session.add(meeting)
    db.session.flush()
    record("governance.meeting.add", staff, federation, "meeting", meeting.id,
           {"kind": kind, "held_on": held_on.isoformat()})
    return meeting


def _matches(duty: Duty, meeting: Meeting) -> bool:
    if duty.code == "report_party":
        return meeting.kind == "report" and meeting.to_party
    if duty.code == "report_upper":
        return meeting.kind == "report" and meeting.to_upper
    return meeting.kind == duty.code


def duty_checks(federation: Federation, meetings: list[Meeting], first_term: CommitteeTerm | None,
                has_party_org: bool, today: date) -> list[dict]:
    """Each duty's next due date and state; a check for every one due soon or overdue."""
    if federation.status != "active":
        return []
    start = first_term.elected_on if first_term else None
    if start is None and federation.activated_at is not None:
        start = federation.activated_at.date()
    if start is None:
        return []
    found = []
    for duty in DUTIES:
        if duty.code == "report_party" and not has_party_org:
            continue
        last = max((m.held_on for m in meetings if _matches(duty, m)), default=None)
        due = add_months(last, duty.months) if last else add_months(start, duty.months)
        if duty.months == 12 and last:
            due = add_years(last, 1)
        since = f"上次：{last.isoformat()}" if last else f"自{start.isoformat()}起尚无记录"
        if due < today:
            found.append({"code": f"{duty.code}_overdue", "severity": "red", "due": due,
                          "message": f"{duty.label}已逾期（应于{due.isoformat()}前，逾期{(today - due).days}天）",
                          "evidence": f"{since}；《实施意见》三.3：" + ("每年至少一次" if duty.months == 12 else "每半年至少一次")})
        elif due - today <= DUE_SOON:
            found.append({"code": f"{duty.code}_due", "severity": "yellow", "due": due,
                          "message": f"{duty.label}将于{due.isoformat()}到期（还有{(due - today).days}天）",
                          "evidence": since})
    return found
