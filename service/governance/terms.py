"""Committee terms (Hebei opinion §二.3): a term is 3 or 5 years; when it runs out the federation
renews on time; an early (提前) or late (延期) renewal needs the upper union's recorded approval.
The renewal election replaces the whole committee and starts the next term; the first election
ends the preparing stage (service/governance/formation.py).

"On time" is an election held within the six months before the term ends (the reminder window,
REMIND_BEFORE) or on the day itself; earlier is early, later is late.
"""
from datetime import date

from sqlalchemy import select

from models.base import utcnow
from models.federation import Federation
from models.governance import APPROVAL_KINDS, ELECTED_BY, CommitteeMember, CommitteeTerm, TermApproval
from models.staff import Staff
from service import clock
from service.errors import Conflict, Invalid
from service.extensions import db
from service.governance.access import (add_months, add_years, check_past, raise_if, record, require_upper,
                                       require_writer, text)
from service.governance.committee import current_term, member_errors

REMIND_BEFORE_MONTHS = 6
TERM_YEARS = (3, 5)


def remind_from(ends_on: date) -> date:
    """The first day of the six months' reminder window before `ends_on`."""
    return add_months(ends_on, -REMIND_BEFORE_MONTHS)


def renewal_kind(term: CommitteeTerm | None, elected_on: date) -> str:
    """first | on_time | early | late, for an election on `elected_on` replacing `term`."""
    if term is None:
        return "first"
    if elected_on < remind_from(term.ends_on):
        return "early"
    if elected_on > term.ends_on:
        return "late"
    return "on_time"


def unused_approval(federation: Federation, kind: str, elected_on: date) -> TermApproval | None:
    """An approval of `kind` not yet used by a term, valid for an election on `elected_on`."""
    used = select(CommitteeTerm.approval_id).where(CommitteeTerm.approval_id.is_not(None))
    query = select(TermApproval).where(
        TermApproval.federation_id == federation.id, TermApproval.kind == kind,
        TermApproval.approved_on <= elected_on, TermApproval.id.not_in(used))
    if kind == "late":
        query = query.where(TermApproval.renew_by >= elected_on)
    return db.session.scalar(query.order_by(TermApproval.approved_on.desc(), TermApproval.id.desc()))


def approve_renewal(federation: Federation, *, kind: str, approved_on: date, reason: str,
                    renew_by: date | None = None, document: str | None = None, staff: Staff | None,
                    today: date | None = None) -> TermApproval:
    """The upper union approves an early or late renewal ("特殊情况需提前或延期换届的，应报上一级工会批准")."""
    require_upper(staff, federation, "批准提前或延期换届")
    today = today or clock.today()
    errors: dict = {}
    if kind not in APPROVAL_KINDS:
        errors["kind"] = "请选择提前换届或延期换届"
    check_past(approved_on, "approved_on", "批准日期", today, errors)
    reason = text(reason, "reason", "特殊情况说明", 500, errors, required=True)
    document = text(document, "document", "批准文件", 300, errors)
    term = current_term(federation)
    if term is None:
        errors["kind"] = "尚无在任的委员会，不适用提前或延期换届"
    elif kind == "late":
        if renew_by is None:
            errors["renew_by"] = "延期换届请填写最迟换届日期"
        elif renew_by <= term.ends_on:
            errors["renew_by"] = f"延期后的换届日期应晚于本届届满日{term.ends_on.isoformat()}"
        elif renew_by > add_years(term.ends_on, 1):
            errors["renew_by"] = "延期换届一般不超过一年"
    elif kind == "early":
        renew_by = None
        if term and approved_on and approved_on >= remind_from(term.ends_on):
            errors["kind"] = "届满前六个月内换届属按期换届，无需批准提前换届"
    raise_if(errors)
    approval = TermApproval(federation_id=federation.id, kind=kind, approved_on=approved_on, renew_by=renew_by,
                            reason=reason, document=document, approved_by_id=staff.id if staff else None)
    db.session.add(approval)
    db.session.flush()
    record("governance.term.approve", staff, federation, "term_approval", approval.id,
           {"kind": kind, "renew_by": renew_by.isoformat() if renew_by else None})
    return approval


def elect_committee(federation: Federation, *, elected_on: date, years: int, elected_by: str,
                    members: list[dict], minutes_file: str | None = None, staff: Staff | None,
                    today: date | None = None) -> CommitteeTerm:
    """Record an election: the new committee replaces the sitting one and starts the next term.

    The first election of a preparing federation activates it (its formation steps must be
    complete); a renewal outside the on-time window needs an unused approval of its kind."""
    from service.governance import formation  # formation checks the steps before the first election

    require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    check_past(elected_on, "elected_on", "选举日期", today, errors)
    if years not in TERM_YEARS:
        errors["years"] = "联合会每届任期三年或五年（《实施意见》二.3）"
    if elected_by not in ELECTED_BY:
        errors["elected_by"] = "请选择主席、副主席的选举方式：全体委员选举或会员（代表）大会选举"
    minutes_file = text(minutes_file, "minutes_file", "选举会议记录文件", 300, errors)
    if not isinstance(members, list) or not members:
        errors["members"] = "请登记新一届委员会的委员"
        members = []
    elif len(members) > 200:
        errors["members"] = "委员不超过200人"
    cleaned, chosen = [], []
    for index, data in enumerate(members):
        if not isinstance(data, dict):
            errors[f"members.{index}"] = "格式有误"
            continue
        data = {"chosen_on": elected_on, **data}
        # chairs are chosen the way the election says; members, unless told, by the congress
        data.setdefault("chosen_how", f"{elected_by}_election" if data.get("role") in ("chair", "vice_chair")
                        else "congress_election")
        member_errs, values = member_errors(federation, data, sitting=chosen, today=today, prefix=f"members.{index}.")
        if values["chosen_how"] in ("replacement", "addition"):
            member_errs[f"members.{index}.chosen_how"] = "换届选举产生的委员不适用替补或增补"
        errors.update(member_errs)
        chosen.append(CommitteeMember(name=values["name"], role=values["role"]))
        cleaned.append(values)
    if members and not any(v["role"] == "chair" for v in cleaned):
        errors["members"] = "新一届委员会应选举产生主席"
    raise_if(errors)
    previous = current_term(federation)
    if previous is None and federation.status == "preparing":
        formation.require_ready_for_election(federation, elected_on)
    if previous is not None and elected_on <= previous.elected_on:
        raise Invalid(fields={"elected_on": f"换届日期应晚于上届选举日期{previous.elected_on.isoformat()}"})
    kind = renewal_kind(previous, elected_on)
    approval = None
    if kind in ("early", "late"):
        approval = unused_approval(federation, kind, elected_on)
        if approval is None:
            label = "提前" if kind == "early" else "延期"
            raise Conflict(f"本届任期{previous.ends_on.isoformat()}届满；{elected_on.isoformat()}换届属于{label}换届，"
                           f"须报上一级工会批准（《实施意见》二.3），请先由上一级工会登记批准")
    term = CommitteeTerm(federation_id=federation.id, number=(previous.number + 1) if previous else 1,
                         elected_on=elected_on, years=years, ends_on=add_years(elected_on, years),
                         elected_by=elected_by, renewal=kind, approval_id=approval.id if approval else None,
                         minutes_file=minutes_file)
    db.session.add(term)
    db.session.flush()
    if previous is not None:
        previous.closed_on = elected_on
        for member in previous.members:
            if member.left_on is None:
                member.left_on, member.left_reason = elected_on, "换届"
    for values in cleaned:
        db.session.add(CommitteeMember(federation_id=federation.id, term_id=term.id, **values))
    federation.term_start, federation.term_years = elected_on, years
    if federation.status == "preparing":
        federation.status, federation.activated_at = "active", utcnow()
        record("federation.activate", staff, federation, "federation", federation.id,
               {"by": "founding_election", "term_id": term.id})
    db.session.flush()
    record("governance.term.elect", staff, federation, "committee_term", term.id,
           {"number": term.number, "renewal": kind, "years": years, "members": len(cleaned)})
    return term


def term_check(federation: Federation, term: CommitteeTerm | None, approvals: list[TermApproval],
               today: date) -> dict | None:
    """The term's state for the board: None when nothing is to be done, else a check dict."""
    if term is None:
        if federation.status == "active":
            return {"code": "term_missing", "severity": "red", "message": "未登记委员会选举和本届任期（3年或5年）",
                    "evidence": "运行中的联合会应有选举产生的委员会"}
        return None
    end = term.ends_on
    evidence = f"第{term.number}届，{term.elected_on.isoformat()}选举，任期{term.years}年，{end.isoformat()}届满"
    if end < today:
        late = next((a for a in approvals if a.kind == "late" and a.renew_by and a.renew_by >= today
                     and a.approved_on >= term.elected_on), None)
        if late is not None:
            return {"code": "term_extended", "severity": "yellow",
                    "message": f"任期已届满，上一级工会已批准延期换届，应于{late.renew_by.isoformat()}前完成换届",
                    "evidence": f"{evidence}；批准：{late.approved_on.isoformat()} {late.reason}", "due": late.renew_by}
        return {"code": "term_expired", "severity": "red",
                "message": f"任期已于{end.isoformat()}届满（超期{(today - end).days}天），应按期换届；延期须报上一级工会批准",
                "evidence": evidence, "due": end}
    if today >= remind_from(end):
        return {"code": "term_expiring", "severity": "yellow",
                "message": f"任期将于{end.isoformat()}届满（还有{(end - today).days}天），请及早筹备换届选举",
                "evidence": evidence, "due": end}
    return None
