"""Regional and industry collective contracts (Hebei opinion §三.1–2): the federation's chair
leads the bargaining as the workers' chief representative; the draft goes to the congress, which
adopts it with more than half of all votes; the adopted contract is filed with the labour
authority (报送审查), which has 15 days to object — without an objection it takes effect
(《集体合同规定》第42、47条); its term is 1 to 3 years, with a reminder 90 days before expiry.

Steps: negotiating → drafted → voted (or rejected) → filed → effective (by the authority's answer,
or by `settle_reviews` the day after the 15 days) → past its term.
"""
from datetime import date, timedelta

from sqlalchemy import select

from models.federation import Federation
from models.governance import CONTRACT_STATUS_LABELS, CollectiveContract
from models.staff import Staff
from service import audit, clock
from service.errors import Conflict
from service.extensions import db
from service.governance.access import (add_years, check_past, get_owned, raise_if, record, require_writer,
                                       text)
from service.governance.committee import current_term, sitting_members

REVIEW_DAYS = 15
EXPIRY_NOTICE = timedelta(days=90)


def _chair_name(federation: Federation) -> str | None:
    return next((m.name for m in sitting_members(current_term(federation)) if m.role == "chair"), None)


def start_negotiation(federation: Federation, data: dict, *, staff: Staff | None,
                      today: date | None = None) -> CollectiveContract:
    require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    title = text(data.get("title"), "title", "合同名称", 200, errors, required=True)
    chief = text(data.get("chief_representative"), "chief_representative", "职工方首席代表", 50, errors, required=True)
    side = text(data.get("employer_side"), "employer_side", "企业方（协会、商会或企业代表）", 200, errors, required=True)
    started = data.get("negotiation_started_on")
    check_past(started, "negotiation_started_on", "协商开始日期", today, errors)
    chair = _chair_name(federation)
    if chief and chief != chair:
        errors["chief_representative"] = (f"区域性、行业性集体协商由联合会主席以职工方首席代表身份进行（《实施意见》三.2）；"
                                          f"现任主席：{chair or '未登记'}")
    raise_if(errors)
    contract = CollectiveContract(federation_id=federation.id, title=title, chief_representative=chief,
                                  employer_side=side, negotiation_started_on=started)
    db.session.add(contract)
    db.session.flush()
    record("governance.contract.start", staff, federation, "collective_contract", contract.id, {"title": title})
    return contract


def _expect(contract: CollectiveContract, *statuses: str) -> None:
    if contract.status not in statuses:
        raise Conflict(f"当前状态为“{CONTRACT_STATUS_LABELS[contract.status]}”，不能进行此步骤")


def advance(federation: Federation, contract_id: int, step: str, data: dict, *, staff: Staff | None,
            today: date | None = None) -> CollectiveContract:
    """One step: draft | vote | file | review | cover (employers and workers covered)."""
    require_writer(staff, federation)
    today = today or clock.today()
    contract = get_owned(CollectiveContract, contract_id, federation)
    errors: dict = {}
    when = data.get("on")
    if step != "cover":
        check_past(when, "on", "日期", today, errors)
    if step == "draft":
        _expect(contract, "negotiating")
        raise_if(errors)
        contract.draft_on, contract.status = when, "drafted"
    elif step == "vote":
        _expect(contract, "drafted")
        votes_for, total = data.get("votes_for"), data.get("votes_total")
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100000 for v in (votes_for, total)) \
                or votes_for > total or total == 0:
            errors["votes_for"] = "请填写赞成票数和应到代表总数（赞成票不多于总数）"
        raise_if(errors)
        contract.vote_on, contract.votes_for, contract.votes_total = when, votes_for, total
        contract.status = "voted" if votes_for * 2 > total else "rejected"
    elif step == "file":
        _expect(contract, "voted")
        years = data.get("term_years")
        if years not in (1, 2, 3) or isinstance(years, bool):
            errors["term_years"] = "集体合同期限为1至3年，请选择期限"
        raise_if(errors)
        contract.filed_on, contract.review_due = when, when + timedelta(days=REVIEW_DAYS)
        contract.term_years, contract.status = years, "filed"
    elif step == "review":
        _expect(contract, "filed")
        result = data.get("result")
        if result not in ("approved", "objection"):
            errors["result"] = "审查结果应为无异议或提出异议"
        elif when is not None and contract.filed_on and when < contract.filed_on:
            errors["on"] = "审查结果日期不能早于报送日期"
        raise_if(errors)
        contract.review_result = result
        if result == "approved":
            _take_effect(contract, when)
        else:
            contract.status = "drafted"  # back to the table: renegotiate and vote again
    elif step == "cover":
        for field in ("employers_covered", "workers_covered"):
            value = data.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**7:
                errors[field] = "应为0到10000000之间的整数"
        raise_if(errors)
        contract.employers_covered, contract.workers_covered = data["employers_covered"], data["workers_covered"]
    else:
        raise Conflict("未知步骤")
    db.session.flush()
    record("governance.contract.step", staff, federation, "collective_contract", contract.id,
           {"step": step, "status": contract.status})
    return contract


def _take_effect(contract: CollectiveContract, on: date) -> None:
    contract.status, contract.effective_from = "effective", on
    contract.effective_until = add_years(on, contract.term_years or 1) - timedelta(days=1)


def settle_reviews(today: date | None = None) -> int:
    """Contracts filed more than 15 days ago without an objection take effect (《集体合同规定》
    第47条: 自收到文本之日起15日内未提出异议的，集体合同即行生效); the number that did."""
    today = today or clock.today()
    due = db.session.scalars(select(CollectiveContract).where(
        CollectiveContract.status == "filed", CollectiveContract.review_due < today,
        CollectiveContract.review_result.is_(None)).order_by(CollectiveContract.id))
    count = 0
    for contract in due:
        contract.review_result = "no_objection"
        _take_effect(contract, contract.review_due + timedelta(days=1))
        db.session.flush()
        audit.record("governance.contract.effective", actor="system", subject_type="collective_contract",
                     subject_id=contract.id, federation_id=contract.federation_id, detail={"by": "no_objection"})
        count += 1
    return count


def contract_checks(contracts: list[CollectiveContract], today: date) -> list[dict]:
    found = []
    for c in contracts:
        if c.status == "filed" and c.review_due:
            days = (c.review_due - today).days
            found.append({"code": "contract_in_review", "severity": "yellow",
                          "message": f"《{c.title}》已报送审查，{c.review_due.isoformat()}前劳动行政部门未提出异议即生效"
                                     + (f"（还有{days}天）" if days >= 0 else "（审查期已满，次日自动生效）"),
                          "evidence": f"{c.filed_on.isoformat()}报送", "contract_id": c.id})
        elif c.status == "effective" and c.effective_until:
            if c.effective_until < today:
                found.append({"code": "contract_expired", "severity": "yellow",
                              "message": f"《{c.title}》已于{c.effective_until.isoformat()}到期，请开展新一轮集体协商",
                              "evidence": f"覆盖企业{c.employers_covered}家、职工{c.workers_covered}人",
                              "contract_id": c.id})
            elif c.effective_until - today <= EXPIRY_NOTICE:
                found.append({"code": "contract_expiring", "severity": "yellow",
                              "message": f"《{c.title}》将于{c.effective_until.isoformat()}到期，请及早启动续签协商",
                              "evidence": f"覆盖企业{c.employers_covered}家、职工{c.workers_covered}人",
                              "contract_id": c.id})
    return found
