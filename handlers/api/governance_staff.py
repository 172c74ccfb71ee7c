"""Federation governance in the console (Hebei opinion §二–§三): the board for upper-union
viewers, one federation's governance page, and the writes that fix what the board flags.
Staff only and scoped (a federation outside the caller's subtree is a 404)."""
from flask import g
from flask_smorest import Blueprint

from handlers.api.staff_auth import staff_required
from handlers.schemas.governance import (ApprovalIn, BaseUnionIn, BoardQuery, BoardRowOut, ChairChangeIn, ContractIn,
                                         ContractStepIn, DossierOut, ElectionIn, EmployerIn, FormationStepIn,
                                         GovernanceOut, LabourWarningOut, LeaveIn, LetterEscalateIn, LetterIn,
                                         LetterOut, LetterResponseIn, MeetingIn, MemberIn, SpecialCommitteeIn,
                                         UnitIn, UnitUpdateIn, WarningCloseIn, WarningIn)
from models.governance import SupervisionLetter
from service.governance import (board, committee, contracts, early_warning, employers, formation, letters,
                                meetings, register, terms, views)
from service.governance.access import get_governed, get_owned

bp = Blueprint("governance_staff", __name__, url_prefix="/api/governance", description="联合会治理（员工）")
FED = "/federations/<int:federation_id>"


def _federation(federation_id: int):
    return get_governed(g.staff, federation_id)


def _saved(federation_id: int) -> dict:
    """The page after a write (flushed; handlers/transactions.py commits once the view returns)."""
    return views.overview(g.staff, federation_id)


@bp.get("/board")
@staff_required()
@bp.arguments(BoardQuery, location="query")
@bp.response(200, BoardRowOut(many=True))
def governance_board(query):
    """Every federation beneath the caller with its failing checks, those needing attention first."""
    return board.board(g.staff, status=query["status"])


@bp.get(FED)
@staff_required()
@bp.response(200, GovernanceOut)
def overview(federation_id):
    """One federation's checks and every record behind them."""
    return views.overview(g.staff, federation_id)


@bp.post(f"{FED}/formation-steps")
@staff_required("admin", "chair")
@bp.arguments(FormationStepIn)
@bp.response(201, GovernanceOut)
def add_step(data, federation_id):
    """Record a formation step (the upper union's approval only by its admin)."""
    formation.record_step(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/base-unions")
@staff_required("admin", "chair")
@bp.arguments(BaseUnionIn)
@bp.response(201, GovernanceOut)
def add_base_union(data, federation_id):
    """Register a covered base union (one of the three kinds)."""
    register.add_base_union(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/base-unions/<int:base_union_id>/chair")
@staff_required("admin", "chair")
@bp.arguments(ChairChangeIn)
@bp.response(200, GovernanceOut)
def change_chair(data, federation_id, base_union_id):
    """A base union's new chair: its committee member who is no longer chair is flagged for 替补."""
    committee.change_base_union_chair(_federation(federation_id), base_union_id, staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/units")
@staff_required("admin", "chair")
@bp.arguments(UnitIn)
@bp.response(201, GovernanceOut)
def add_unit(data, federation_id):
    """Register a covered unit (with its base union or covered directly) or scattered workers."""
    register.add_unit(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.patch(f"{FED}/units/<int:unit_id>")
@staff_required("admin", "chair")
@bp.arguments(UnitUpdateIn)
@bp.response(200, GovernanceOut)
def update_unit(data, federation_id, unit_id):
    register.update_unit(_federation(federation_id), unit_id, data, staff=g.staff)
    return _saved(federation_id)


@bp.post(f"{FED}/elections")
@staff_required("admin", "chair")
@bp.arguments(ElectionIn)
@bp.response(201, GovernanceOut)
def elect(data, federation_id):
    """Record an election: the new committee replaces the sitting one and starts the next term."""
    terms.elect_committee(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/members")
@staff_required("admin", "chair")
@bp.arguments(MemberIn)
@bp.response(201, GovernanceOut)
def add_member(data, federation_id):
    """替补 (replacement) or 增补 (addition) of a member of the sitting committee."""
    committee.add_member(_federation(federation_id), data, staff=g.staff)
    return _saved(federation_id)


@bp.post(f"{FED}/members/<int:member_id>/leave")
@staff_required("admin", "chair")
@bp.arguments(LeaveIn)
@bp.response(200, GovernanceOut)
def remove_member(data, federation_id, member_id):
    committee.remove_member(_federation(federation_id), member_id, staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/renewal-approvals")
@staff_required("admin")
@bp.arguments(ApprovalIn)
@bp.response(201, GovernanceOut)
def approve_renewal(data, federation_id):
    """The upper union approves an early or late renewal."""
    terms.approve_renewal(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/committees")
@staff_required("admin", "chair")
@bp.arguments(SpecialCommitteeIn)
@bp.response(201, GovernanceOut)
def add_committee(data, federation_id):
    """Record the funds review, women workers' or labour-law supervision committee."""
    register.record_special_committee(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/meetings")
@staff_required("admin", "chair")
@bp.arguments(MeetingIn)
@bp.response(201, GovernanceOut)
def add_meeting(data, federation_id):
    """Record a congress, a committee plenary or a half-year report."""
    meetings.record_meeting(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.post(f"{FED}/contracts")
@staff_required("admin", "chair")
@bp.arguments(ContractIn)
@bp.response(201, GovernanceOut)
def start_contract(data, federation_id):
    """Start a collective bargaining led by the chair as chief representative."""
    contracts.start_negotiation(_federation(federation_id), data, staff=g.staff)
    return _saved(federation_id)


@bp.post(f"{FED}/contracts/<int:contract_id>/<any(draft, vote, file, review, cover):step>")
@staff_required("admin", "chair")
@bp.arguments(ContractStepIn)
@bp.response(200, GovernanceOut)
def contract_step(data, federation_id, contract_id, step):
    """One step of a contract: draft, vote, file (15-day review clock), review, cover."""
    contracts.advance(_federation(federation_id), contract_id, step, data, staff=g.staff)
    return _saved(federation_id)


@bp.post(f"{FED}/letters")
@staff_required("admin", "chair")
@bp.arguments(LetterIn)
@bp.response(201, LetterOut)
def issue_letter(data, federation_id):
    """Issue a 提示函 or 意见书 from a help request or an inspection."""
    letter = letters.issue_letter(_federation(federation_id), data, staff=g.staff)
    return _letter_out(letter)


@bp.get(f"{FED}/letters/<int:letter_id>")
@staff_required()
@bp.response(200, LetterOut)
def get_letter(federation_id, letter_id):
    """One letter (the printable page reads it)."""
    return _letter_out(get_owned(SupervisionLetter, letter_id, _federation(federation_id)))


@bp.post(f"{FED}/letters/<int:letter_id>/response")
@staff_required("admin", "chair")
@bp.arguments(LetterResponseIn)
@bp.response(200, LetterOut)
def letter_response(data, federation_id, letter_id):
    """Record the addressee's answer."""
    letter = letters.record_response(_federation(federation_id), letter_id, staff=g.staff, **data)
    return _letter_out(letter)


@bp.post(f"{FED}/letters/<int:letter_id>/escalate")
@staff_required("admin", "chair")
@bp.arguments(LetterEscalateIn)
@bp.response(201, LetterOut)
def escalate_letter(data, federation_id, letter_id):
    """提示函 → 意见书 → 建议书, when the previous one is overdue or was not put right."""
    letter = letters.escalate_letter(_federation(federation_id), letter_id, data, staff=g.staff)
    return _letter_out(letter)


def _letter_out(letter: SupervisionLetter) -> SupervisionLetter:
    """The letter with its issuing federation's name (the printed letterhead)."""
    letter.federation_name = get_governed(None, letter.federation_id).name
    return letter


@bp.post(f"{FED}/employers")
@staff_required("admin", "chair")
@bp.arguments(EmployerIn)
@bp.response(201, GovernanceOut)
def add_employer(data, federation_id):
    employers.add_employer(_federation(federation_id), staff=g.staff, **data)
    return _saved(federation_id)


@bp.get(f"{FED}/employers/<int:employer_id>")
@staff_required()
@bp.response(200, DossierOut)
def dossier(federation_id, employer_id):
    """An employer's dossier: requests naming it, arrears, mediations, letters, warnings."""
    return employers.dossier(_federation(federation_id), employer_id)


@bp.post(f"{FED}/warnings")
@staff_required("admin", "chair")
@bp.arguments(WarningIn)
@bp.response(201, LabourWarningOut)
def raise_warning(data, federation_id):
    """Raise a warning by hand (a red one alerts the upper union at once)."""
    warning = early_warning.raise_warning(_federation(federation_id), staff=g.staff, **data)
    return warning


@bp.post(f"{FED}/warnings/<int:warning_id>/close")
@staff_required("admin", "chair")
@bp.arguments(WarningCloseIn)
@bp.response(200, LabourWarningOut)
def close_warning(data, federation_id, warning_id):
    """The warning was dealt with."""
    warning = early_warning.close_warning(_federation(federation_id), warning_id, staff=g.staff, **data)
    return warning
