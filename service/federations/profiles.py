"""Read models for the console's federation pages: the tree a staff member sees and one
federation's profile with its coverage and warnings (plain dicts, dumped by the schemas)."""
from datetime import date

from sqlalchemy import func, select

from models.federation import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, CoverageRule, Federation
from models.staff import Staff
from service import governance, refdata
from service.federations import coverage
from service.federations import tree as federations
from service.extensions import db
from service.positions import summary
from service.staff.scope import subtree_ids_query


def _can_edit(staff: Staff) -> bool:
    return staff.role == "admin"


def _can_manage(staff: Staff, federation: Federation) -> bool:
    return staff.role == "admin" and staff.federation_id != federation.id


def node(federation: Federation, staff: Staff, *, overlaps: list[dict], coverage_count: int,
         position_count: int | None = None, today: date | None = None) -> dict:
    industry = refdata.get_industry(federation.industry_code) if federation.industry_code else None
    end = governance.term_end(federation)
    return {
        "id": federation.id, "name": federation.name, "parent_id": federation.parent_id,
        "kind": federation.kind, "kind_label": KIND_LABELS[federation.kind],
        "level": federation.level, "level_label": LEVEL_LABELS[federation.level],
        "status": federation.status, "status_label": STATUS_LABELS[federation.status],
        "region_code": federation.region_code, "region_name": refdata.region_full_name(federation.region_code),
        "industry_code": federation.industry_code, "industry_name": industry.name if industry else None,
        "term_start": federation.term_start, "term_years": federation.term_years, "term_end": end,
        "term_state": governance.term_state(federation, today), "priority": federation.priority,
        "coverage_count": coverage_count,
        "position_count": position_count,
        "warnings": [w.__dict__ for w in governance.warnings(
            federation, today=today, overlaps=overlaps, coverage_count=coverage_count,
            position_count=position_count)],
        "can_edit": _can_edit(staff), "can_manage": _can_manage(staff, federation),
    }


def tree(staff: Staff, *, today: date | None = None) -> list[dict]:
    """Every node the caller sees (their own and beneath it), parents before children."""
    nodes = federations.visible_tree(staff)
    ids = [n.id for n in nodes]
    counts = dict(db.session.execute(
        select(CoverageRule.federation_id, func.count()).where(CoverageRule.federation_id.in_(ids))
        .group_by(CoverageRule.federation_id)).all()) if ids else {}
    pairs = coverage.overlaps(federation_ids=subtree_ids_query(staff.federation_id))
    positions = summary.counts_by_federation(ids)
    return [node(n, staff, overlaps=pairs, coverage_count=counts.get(n.id, 0),
                 position_count=positions.get(n.id, 0), today=today) for n in nodes]


def detail(staff: Staff, federation_id: int, *, today: date | None = None) -> dict:
    """One federation as its profile page shows it (a guessed id is a 404)."""
    federation = federations.get_visible(staff, federation_id)
    rules = coverage.list_rules(federation)
    pairs = coverage.overlaps(federation_ids=[federation.id])
    own_positions = summary.for_federation(federation.id)
    data = node(federation, staff, overlaps=pairs, coverage_count=len(rules),
                position_count=sum(p.status != "closed" for p in own_positions), today=today)
    data.update({
        "scene": federation.scene, "parent_name": federation.parent.name if federation.parent else None,
        "description": federation.description, "contact_name": federation.contact_name,
        "contact_phone": federation.contact_phone, "address": federation.address,
        "own_funds": federation.own_funds, "many_women": federation.many_women,
        "has_funds_committee": federation.has_funds_committee,
        "has_women_committee": federation.has_women_committee,
        "activated_at": federation.activated_at, "dissolved_on": federation.dissolved_on,
        "dissolved_reason": federation.dissolved_reason,
        "coverage": [coverage.rule_out(rule) for rule in rules], "overlaps": pairs,
        "positions": [{"id": p.id, "name": p.name, "kind_label": p.kind_label, "status": p.status,
                       "status_label": p.status_label, "address": p.address} for p in own_positions],
    })
    return data
