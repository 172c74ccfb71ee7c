"""Labour-relations early warning (Hebei opinion §三.3): green / yellow / red labels on employers,
raised by rules or by staff. A red warning reaches the upper union at once (WeChat staff alert
through the outbox, and the governance board) and sets a response deadline.

Rules (RULES), evaluated by `scan_employers` over each federation's inbox:
- wage_arrears_10 (red): wage-arrears requests against the employer in the last 180 days
  affecting 10 or more workers in all;
- repeated_requests (yellow): 3 or more help requests against it in 90 days;
- opinion_unanswered (red): an opinion letter (意见书) past its due date without an answer;
- reminder_unanswered (yellow): a reminder letter (提示函) past its due date without an answer.
A rule raises at most one open warning per employer; closing it (with a note) allows a new one.
"""
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from models.base import utcnow
from models.federation import Federation
from models.governance import WARNING_LEVEL_LABELS, WARNING_LEVELS, Employer, LabourWarning, SupervisionLetter
from models.request import HelpRequest
from models.staff import Staff
from service import clock
from service.errors import Conflict
from service.extensions import db
from service.governance import notify
from service.governance.access import check_past, get_owned, raise_if, record, require_writer, text
from service.governance.employers import ensure_employer, refresh_level

RED_RESPONSE = timedelta(days=3)
ARREARS_WINDOW, ARREARS_WORKERS = timedelta(days=180), 10
REPEAT_WINDOW, REPEAT_COUNT = timedelta(days=90), 3
RULES = {
    "wage_arrears_10": ("red", "欠薪涉及{n}名职工（180天内，达到10人即红色预警）"),
    "repeated_requests": ("yellow", "90天内职工求助{n}次（达到3次即黄色预警）"),
    "opinion_unanswered": ("red", "劳动法律监督意见书{n}逾期未答复"),
    "reminder_unanswered": ("yellow", "劳动法律监督提示函{n}逾期未答复"),
}


def open_warning(employer_id: int, rule: str | None) -> LabourWarning | None:
    return db.session.scalar(select(LabourWarning).where(
        LabourWarning.employer_id == employer_id, LabourWarning.rule == rule, LabourWarning.closed_on.is_(None)))


def _raise(federation: Federation, employer: Employer, *, level: str, rule: str | None, reason: str,
           evidence: dict, today: date, staff: Staff | None) -> LabourWarning:
    warning = LabourWarning(federation_id=federation.id, employer_id=employer.id, level=level, rule=rule,
                            reason=reason, evidence=evidence, raised_on=today,
                            response_due=today + RED_RESPONSE if level == "red" else None,
                            raised_by_id=staff.id if staff else None)
    db.session.add(warning)
    db.session.flush()
    refresh_level(employer)
    if level == "red":
        notify.alert(federation, f"用人单位“{employer.name}”红色劳动关系预警：{reason}；请于"
                     f"{warning.response_due.isoformat()}前响应处置",
                     ref=f"红色预警{warning.id}", issue="红色劳动关系预警", dedup_key=f"red-warning:{warning.id}",
                     path=f"/console/federation-governance.html?id={federation.id}#warnings")
        warning.notified_upper_at = utcnow()
    record("governance.warning.raise", staff, federation, "labour_warning", warning.id,
           {"level": level, "rule": rule, "employer_id": employer.id})
    return warning


def raise_warning(federation: Federation, *, employer_name: str, level: str, reason: str, staff: Staff | None,
                  today: date | None = None) -> LabourWarning:
    """Staff raise a warning by hand (e.g. after a visit: a strike brewing, a boss gone missing)."""
    require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    if level not in WARNING_LEVELS:
        errors["level"] = "预警等级应为绿色、黄色或红色"
    name = text(employer_name, "employer_name", "用人单位名称", 100, errors, required=True)
    reason = text(reason, "reason", "预警原因", 500, errors, required=True)
    raise_if(errors)
    employer = ensure_employer(federation, name)
    return _raise(federation, employer, level=level, rule=None, reason=reason, evidence={"by": "staff"},
                  today=today, staff=staff)


def close_warning(federation: Federation, warning_id: int, *, closed_on: date, note: str, staff: Staff | None,
                  today: date | None = None) -> LabourWarning:
    """The warning was dealt with: when and how (the employer's label is recomputed)."""
    require_writer(staff, federation)
    warning = get_owned(LabourWarning, warning_id, federation)
    errors: dict = {}
    check_past(closed_on, "closed_on", "处置完成日期", today or clock.today(), errors)
    if closed_on and closed_on < warning.raised_on:
        errors["closed_on"] = "处置完成日期不能早于预警日期"
    note = text(note, "note", "处置情况", 500, errors, required=True)
    raise_if(errors)
    if warning.closed_on is not None:
        raise Conflict("该预警已处置")
    warning.closed_on, warning.closing_note = closed_on, note
    db.session.flush()
    refresh_level(warning.employer)
    record("governance.warning.close", staff, federation, "labour_warning", warning.id, {})
    return warning


def _name_key(column):
    """SQL form of employers.normalise: no spaces, full-width brackets."""
    return func.replace(func.replace(func.replace(column, " ", ""), "(", "（"), ")", "）")


def _request_rules(today: date) -> dict[tuple[int, str], dict]:
    """(federation id, employer name) → the rules its requests meet: two grouped queries over the
    window (the inbox may hold millions of requests), then the numbers of the few that qualify."""
    until = clock.day_start(today + timedelta(days=1))
    name = _name_key(HelpRequest.employer_name)
    live = (HelpRequest.created_at < until, HelpRequest.status != "withdrawn")
    workers = func.sum(func.coalesce(HelpRequest.details["workers_affected"].as_integer(), 1))
    arrears = db.session.execute(
        select(HelpRequest.federation_id, name, workers)
        .where(HelpRequest.type == "wage_arrears", HelpRequest.created_at >= clock.day_start(today - ARREARS_WINDOW),
               *live)
        .group_by(HelpRequest.federation_id, name).having(workers >= ARREARS_WORKERS)).all()
    repeated = db.session.execute(
        select(HelpRequest.federation_id, name, func.count())
        .where(HelpRequest.created_at >= clock.day_start(today - REPEAT_WINDOW), *live)
        .group_by(HelpRequest.federation_id, name).having(func.count() >= REPEAT_COUNT)).all()
    found: dict[tuple[int, str], dict] = defaultdict(dict)
    for federation_id, key, n in arrears:
        found[(federation_id, key)]["wage_arrears_10"] = n
    for federation_id, key, n in repeated:
        found[(federation_id, key)]["repeated_requests"] = n
    return found


def _numbers(federation_id: int, key: str, rule: str, today: date) -> list[str]:
    """The request numbers behind a rule (evidence), newest first, at most 20."""
    window = ARREARS_WINDOW if rule == "wage_arrears_10" else REPEAT_WINDOW
    query = select(HelpRequest.number).where(
        HelpRequest.federation_id == federation_id, _name_key(HelpRequest.employer_name) == key,
        HelpRequest.created_at >= clock.day_start(today - window), HelpRequest.status != "withdrawn")
    if rule == "wage_arrears_10":
        query = query.where(HelpRequest.type == "wage_arrears")
    return list(db.session.scalars(query.order_by(HelpRequest.created_at.desc()).limit(20)))


def scan_employers(today: date | None = None) -> int:
    """Raise the warnings the rules call for; the number raised."""
    today = today or clock.today()
    raised = 0
    for (federation_id, name), facts in _request_rules(today).items():
        federation = db.session.get(Federation, federation_id)
        if federation is None or federation.status == "dissolved" or not name:
            continue
        for rule, n in facts.items():
            employer = ensure_employer(federation, name)
            if open_warning(employer.id, rule) is None:
                level, template = RULES[rule]
                _raise(federation, employer, level=level, rule=rule, reason=template.format(n=n),
                       evidence={"requests": _numbers(federation_id, name, rule, today)}, today=today, staff=None)
                raised += 1
    letters = db.session.scalars(select(SupervisionLetter).where(
        SupervisionLetter.status == "issued", SupervisionLetter.due_on < today,
        SupervisionLetter.kind.in_(("reminder", "opinion"))))
    for letter in letters:
        rule = "opinion_unanswered" if letter.kind == "opinion" else "reminder_unanswered"
        if open_warning(letter.employer_id, rule) is None:
            level, template = RULES[rule]
            federation = db.session.get(Federation, letter.federation_id)
            _raise(federation, letter.employer, level=level, rule=rule, reason=template.format(n=letter.number),
                   evidence={"letter_id": letter.id, "due_on": letter.due_on.isoformat()}, today=today, staff=None)
            raised += 1
    return raised


def warning_checks(warnings: list[LabourWarning], employers: dict, today: date) -> list[dict]:
    """Open red warnings (and red ones past their response deadline) for the board."""
    found = []
    for w in warnings:
        if w.closed_on is not None or w.level != "red":
            continue
        name = employers[w.employer_id].name if w.employer_id in employers else ""
        late = w.response_due is not None and w.response_due < today
        found.append({"code": "red_warning_overdue" if late else "red_warning", "severity": "red",
                      "message": f"{name}：{WARNING_LEVEL_LABELS['red']}预警未处置" +
                                 (f"，已超过响应期限{w.response_due.isoformat()}" if late else
                                  f"，响应期限{w.response_due.isoformat() if w.response_due else ''}"),
                      "evidence": w.reason, "warning_id": w.id})
    return found


def labour_warnings_job(today: date | None = None) -> int:
    """Periodic (hourly): raise rule-based warnings (red ones alert the upper union); the job
    runner commits."""
    return scan_employers(today)
