"""The governance board (issue 14 §9): for an upper-union viewer every federation beneath it with
live checks and their evidence, sorted by what needs attention, each linked to where it is fixed;
and one federation's own checks. Records are loaded in one query per table for all federations."""
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from models.federation import FEDERATION_KINDS, STATUS_LABELS, Federation
from models.governance import (BaseUnion, CollectiveContract, CommitteeMember, CommitteeTerm, CoveredUnit, Employer,
                               FormationStep, LabourWarning, Meeting, SpecialCommittee, SupervisionLetter,
                               TermApproval)
from models.staff import Staff
from service import clock
from service.extensions import db
from service.governance import committee, contracts, early_warning, formation, letters, meetings, register, terms
from service.positions import summary as positions
from service.staff.scope import subtree_ids_query

SECTIONS = {
    "formation": "formation", "term": "terms", "chair": "committee", "unit_head": "committee",
    "association": "committee", "member": "committee", "funds": "committees", "women": "committees",
    "supervision": "committees", "units": "register", "congress": "meetings", "plenary": "meetings",
    "report": "meetings", "red": "warnings", "letter": "letters", "contract": "contracts",
}
SEVERITY_RANK = {"red": 0, "yellow": 1}
TABLES = {"steps": FormationStep, "unions": BaseUnion, "units": CoveredUnit, "terms": CommitteeTerm,
          "members": CommitteeMember,
          "approvals": TermApproval, "specials": SpecialCommittee, "meetings": Meeting,
          "contracts": CollectiveContract, "letters": SupervisionLetter, "employers": Employer,
          "warnings": LabourWarning}


def load(ids: list[int]) -> dict[int, dict[str, list]]:
    """Every governance record of these federations, grouped: {federation id: {table: [rows]}},
    and how many service positions (not closed) each registered: {"positions": n}."""
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: {**{key: [] for key in TABLES}, "positions": 0})
    if not ids:
        return grouped
    for key, model in TABLES.items():
        for row in db.session.scalars(select(model).where(model.federation_id.in_(ids)).order_by(model.id)):
            grouped[row.federation_id][key].append(row)
    for federation_id, count in positions.counts_by_federation(ids).items():
        grouped[federation_id]["positions"] = count
    return grouped


def position_check(federation: Federation, count: int) -> dict | None:
    """An active federation with no service position (opinion §四.2): workers who send their
    location never find it."""
    if federation.status != "active" or count:
        return None
    return {"code": "position_missing", "severity": "yellow",
            "message": "尚未登记服务阵地（办公场所、活动场所或职工驿站），职工发送位置时找不到本会（《实施意见》四.2）",
            "evidence": "服务阵地：0个（不含已关闭）"}


def _link(federation_id: int, code: str) -> str:
    if code == "position_missing":
        return f"/console/positions.html#new={federation_id}"  # register one for this federation
    section = SECTIONS.get(code.split("_")[0], "checks")
    return f"/console/federation-governance.html?id={federation_id}#{section}"


def federation_checks(federation: Federation, records: dict[str, list], today: date) -> list[dict]:
    """Every check that fails for one federation, most severe first, each with evidence and link."""
    if federation.status == "dissolved":
        return []
    term_rows = sorted(records["terms"], key=lambda t: t.number)
    current = next((t for t in reversed(term_rows) if t.closed_on is None), None)
    employers = {e.id: e for e in records["employers"]}
    found: list[dict] = []
    for check in (formation.formation_check(federation, records["steps"]),
                  terms.term_check(federation, current, records["approvals"], today)):
        if check:
            found.append(check)
    if federation.status == "active":
        found += [{**p, "severity": "red" if p["code"] != "member_to_replace" else "yellow"}
                  for p in committee.committee_problems(federation, current, members=records["members"],
                                                        units=records["units"], unions=records["unions"])]
        found += register.register_checks(federation, records["units"], records["unions"], records["specials"])
        found += meetings.duty_checks(federation, records["meetings"], term_rows[0] if term_rows else None,
                                      formation.has_party_org(records["steps"]), today)
    found += early_warning.warning_checks(records["warnings"], employers, today)
    found += letters.letter_checks(records["letters"], employers, today)
    found += contracts.contract_checks(records["contracts"], today)
    missing = position_check(federation, records.get("positions", 0))
    if missing:
        found.append(missing)
    for check in found:
        check["link"] = _link(federation.id, check["code"])
        if check.get("due") is not None:
            check["due"] = check["due"].isoformat()
    return sorted(found, key=lambda c: SEVERITY_RANK[c["severity"]])


def summary(federation: Federation, records: dict[str, list], today: date) -> dict:
    """One board row: the federation, its term, coverage figures and failing checks."""
    checks = federation_checks(federation, records, today)
    current = next((t for t in sorted(records["terms"], key=lambda t: -t.number) if t.closed_on is None), None)
    figures = register.coverage_figures(records["units"], records["unions"])
    return {
        "id": federation.id, "name": federation.name, "kind": federation.kind, "status": federation.status,
        "status_label": STATUS_LABELS[federation.status], "parent_id": federation.parent_id,
        "parent_name": federation.parent.name if federation.parent else None,
        "term_number": current.number if current else None, "term_ends_on": current.ends_on if current else None,
        "coverage_rate": figures["coverage_rate"], "base_unions": figures["base_unions"],
        "open_red_warnings": len([w for w in records["warnings"] if w.closed_on is None and w.level == "red"]),
        "red": len([c for c in checks if c["severity"] == "red"]),
        "yellow": len([c for c in checks if c["severity"] == "yellow"]),
        "checks": checks, "link": f"/console/federation-governance.html?id={federation.id}",
    }


def board(staff: Staff, *, today: date | None = None, status: str | None = None) -> list[dict]:
    """Every federation (not dissolved) in the caller's scope, those needing attention first."""
    today = today or clock.today()
    query = select(Federation).where(Federation.id.in_(subtree_ids_query(staff.federation_id)),
                                     Federation.kind.in_(FEDERATION_KINDS), Federation.status != "dissolved")
    if status:
        query = query.where(Federation.status == status)
    federations = list(db.session.scalars(query.order_by(Federation.id)))
    records = load([f.id for f in federations])
    rows = [summary(f, records[f.id], today) for f in federations]
    return sorted(rows, key=lambda r: (-r["red"], -r["yellow"], r["name"]))
