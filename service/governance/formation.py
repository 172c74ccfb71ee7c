"""Forming a federation (Hebei opinion §二.1): consultation with the covered units, the party
organisation's consent (or the note that there is none: then under the upper union's lead), the
upper union's approval of the preparing group, the preparing group, and the founding election
(recorded by service.governance.terms.elect_committee, which activates the federation).

Order enforced: the upper union approves only after the party organisation consented or its
absence was noted; the preparing group is set up only after that approval; the founding election
needs both.
"""
from datetime import date

from sqlalchemy import select

from models.federation import Federation
from models.governance import FORMATION_STEP_LABELS, FORMATION_STEPS, FormationStep
from models.staff import Staff
from service import clock
from service.errors import Conflict
from service.extensions import db
from service.governance.access import check_past, raise_if, record, require_upper, require_writer, text

RECORDED_STEPS = tuple(s for s in FORMATION_STEPS if s != "founding_election")
PARTY_STEPS = ("party_consent", "no_party_org")


def steps(federation: Federation) -> list[FormationStep]:
    return list(db.session.scalars(select(FormationStep).where(FormationStep.federation_id == federation.id)
                                   .order_by(FormationStep.occurred_on, FormationStep.id)))


def has_party_org(federation_steps: list[FormationStep]) -> bool:
    """False only when the formation record says "未建立党组织"."""
    return not any(s.step == "no_party_org" for s in federation_steps)


def missing_steps(federation_steps: list[FormationStep]) -> list[str]:
    """Codes of the steps still missing before the founding election."""
    done = {s.step for s in federation_steps}
    missing = []
    if not done & set(PARTY_STEPS):
        missing.append("party_consent")
    for step in ("upper_approval", "preparing_group"):
        if step not in done:
            missing.append(step)
    return missing


def record_step(federation: Federation, *, step: str, occurred_on: date, people: str | None = None,
                document: str | None = None, note: str | None = None, staff: Staff | None,
                today: date | None = None) -> FormationStep:
    """Record one formation step of a preparing federation, in the opinion's order."""
    if step == "upper_approval":
        require_upper(staff, federation, "批准成立工会筹备组")
    else:
        require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    if step not in RECORDED_STEPS:
        errors["step"] = "请选择筹备步骤（选举由“委员会选举”登记）"
    check_past(occurred_on, "occurred_on", "日期", today, errors)
    people = text(people, "people", "人员", 500, errors, required=step == "preparing_group")
    document = text(document, "document", "文件", 300, errors, required=step in ("upper_approval", "party_consent"))
    note = text(note, "note", "说明", 1000, errors)
    raise_if(errors)
    if federation.status != "preparing":
        raise Conflict("只有筹备中的工会联合会登记筹备步骤")
    done = steps(federation)
    kinds = {s.step for s in done}
    if step in PARTY_STEPS and kinds & set(PARTY_STEPS):
        raise Conflict("已登记党组织意见（同意或未建立党组织）")
    if step == "upper_approval":
        party = [s for s in done if s.step in PARTY_STEPS]
        if not party:
            raise Conflict("建立联合会须经同级党组织同意并报上一级工会批准；未建立党组织的须注明（《实施意见》二.1），"
                           "请先登记党组织意见")
        if occurred_on < party[0].occurred_on:
            raise Conflict("上一级工会批准日期不能早于党组织同意日期")
    if step == "preparing_group":
        approval = next((s for s in done if s.step == "upper_approval"), None)
        if approval is None:
            raise Conflict("筹备组须在上一级工会批准后成立（《实施意见》二.1）")
        if occurred_on < approval.occurred_on:
            raise Conflict("筹备组成立日期不能早于上一级工会批准日期")
    if step in kinds and step != "consultation":
        raise Conflict(f"已登记“{FORMATION_STEP_LABELS[step]}”")
    entry = FormationStep(federation_id=federation.id, step=step, occurred_on=occurred_on, people=people,
                          document=document, note=note, recorded_by_id=staff.id if staff else None)
    db.session.add(entry)
    db.session.flush()
    record("governance.formation.step", staff, federation, "formation_step", entry.id, {"step": step})
    return entry


def require_ready_for_election(federation: Federation, elected_on: date) -> None:
    """Refuse the founding election while a formation step is missing."""
    done = steps(federation)
    missing = missing_steps(done)
    if missing:
        names = "、".join(FORMATION_STEP_LABELS[m] for m in missing)
        raise Conflict(f"筹备程序未完成（缺：{names}），不能选举产生第一届委员会")
    group = next(s for s in done if s.step == "preparing_group")
    if elected_on < group.occurred_on:
        raise Conflict("第一届委员会的选举日期不能早于筹备组成立日期")


def formation_check(federation: Federation, federation_steps: list[FormationStep]) -> dict | None:
    """The board's check for a preparing federation: what is missing before it can be active."""
    if federation.status != "preparing":
        return None
    missing = missing_steps(federation_steps)
    if missing:
        return {"code": "formation_incomplete", "severity": "yellow",
                "message": "筹备中：尚缺" + "、".join(FORMATION_STEP_LABELS[m] for m in missing),
                "evidence": "已登记：" + ("、".join(FORMATION_STEP_LABELS[s.step] for s in federation_steps) or "无")}
    return {"code": "formation_ready", "severity": "yellow", "message": "筹备程序已完成，请召开大会选举产生第一届委员会",
            "evidence": "已登记：" + "、".join(FORMATION_STEP_LABELS[s.step] for s in federation_steps)}
