"""Regional and industry collective contracts (Hebei opinion §三.1–2): the federation's chair
leads the bargaining as the workers' chief representative; the draft goes to the congress, which
adopts it with more than half of all votes; the adopted contract is filed with the labour
authority (报送审查), which has 15 days to object — without an objection it takes effect
(《集体合同规定》第42、47条); its term is 1 to 3 years, with a reminder 90 days before expiry.

Steps: negotiating → drafted → voted (or rejected) → filed → effective → expired.
"""
from datetime import date, timedelta

from models.federation import Federation
from models.governance import CONTRACT_STATUS_LABELS, CollectiveContract
from models.staff import Staff
from service import clock
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
        raise_if(errors)
        contract.filed_on, contract.review_due = when, when + timedelta(days=REVIEW_DAYS)
        contract.status = "filed"
    elif step == "review":
        _expect(contract, "filed")
        result = data.get("result")
        if result not in ("approved", "objection"):
            errors["result"] = "审查结果应为无异议或提出异议"
        until = data.get("effective_until")
        if result == "approved":
            if until is None or when is None or not (
                    add_years(when, 1) - timedelta(days=1) <= until <= add_years(when, 3)):
                errors["effective_until"] = "集体合同期限为1至3年，请填写到期日"
        raise_if(errors)
        contract.review_result = result
        if result == "approved":
            contract.status, contract.effective_from, contract.effective_until = "effective", when, until
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


def contract_checks(contracts: list[CollectiveContract], today: date) -> list[dict]:
    found = []
    for c in contracts:
        if c.status == "filed" and c.review_due:
            days = (c.review_due - today).days
            found.append({"code": "contract_in_review", "severity": "yellow",
                          "message": f"《{c.title}》已报送审查，{c.review_due.isoformat()}前劳动行政部门未提出异议即生效"
                                     + (f"（还有{days}天）" if days >= 0 else "（期限已过，请登记生效）"),
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
