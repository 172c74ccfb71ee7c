"""Read model of one federation's governance page: its board row (checks with evidence and
links) and every record behind the checks, plus what the caller may do there."""
from datetime import date

from models.staff import Staff
from service import clock
from service.governance import board, formation, register
from service.governance.access import WRITER_ROLES, get_governed


def overview(staff: Staff, federation_id: int, *, today: date | None = None) -> dict:
    """The federation's governance as its page shows it (a guessed id is a 404)."""
    today = today or clock.today()
    federation = get_governed(staff, federation_id)
    records = board.load([federation.id])[federation.id]
    data = board.summary(federation, records, today)
    terms = sorted(records["terms"], key=lambda t: -t.number)
    data.update({
        "own_funds": federation.own_funds, "many_women": federation.many_women,
        "has_party_org": formation.has_party_org(records["steps"]),
        "can_write": staff.role in WRITER_ROLES and federation.status != "dissolved",
        "can_approve": staff.role == "admin" and staff.federation_id != federation.id,
        "figures": register.coverage_figures(records["units"], records["unions"]),
        "steps": records["steps"], "unions": [u for u in records["unions"] if u.left_on is None],
        "units": records["units"], "terms": terms, "approvals": records["approvals"],
        "specials": records["specials"],
        "meetings": sorted(records["meetings"], key=lambda m: m.held_on, reverse=True),
        "contracts": records["contracts"],
        "letters": sorted(records["letters"], key=lambda x: (x.issued_on, x.id), reverse=True),
        "employers": sorted(records["employers"], key=lambda e: ({"red": 0, "yellow": 1}.get(e.level, 2), e.name)),
        "warnings": sorted(records["warnings"], key=lambda w: (w.closed_on is not None, w.raised_on), reverse=False),
    })
    return data
