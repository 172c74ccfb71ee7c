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


def _letter_out(letter: SupervisionLetter) -> SupervisionLetter:
    """The letter with its issuing federation's name (the printed letterhead)."""
    letter.federation_name = get_governed(None, letter.federation_id).name
    return letter


def _itself(record):
    return record


WRITERS = ("admin", "chair")


def _write(name: str, rule: str, schema, service, doc: str | None = None, *, method: str = "post",
           status: int = 201, roles: tuple[str, ...] = WRITERS, whole: bool = False, out=GovernanceOut,
           answer=None) -> None:
    """Declare one write view `name` at FED + `rule`: staff with one of `roles` send `schema`, and
    the view calls `service(federation, *ids, staff=, **data)` (`whole`: the data as one dict after
    the ids), the ids being the rule's after federation_id, in the rule's order. It answers
    `status` with the federation's governance page, or with `answer(result)` dumped by `out`.
    `doc` is the view's docstring (the OpenAPI summary)."""
    def view(data, federation_id, **ids):
        federation = _federation(federation_id)
        if whole:
            result = service(federation, *ids.values(), data, staff=g.staff)
        else:
            result = service(federation, *ids.values(), staff=g.staff, **data)
        return _saved(federation_id) if answer is None else answer(result)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    view = bp.response(status, out)(view)
    view = bp.arguments(schema)(view)
    view = staff_required(*roles)(view)
    bp.route(FED + rule, methods=[method.upper()])(view)


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


# ---------------------------------------------------------------- the writes (and the reads behind two of them)
_write("add_step", "/formation-steps", FormationStepIn, formation.record_step,
       "Record a formation step (the upper union's approval only by its admin).")
_write("add_base_union", "/base-unions", BaseUnionIn, register.add_base_union,
       "Register a covered base union (one of the three kinds).")
_write("change_chair", "/base-unions/<int:base_union_id>/chair", ChairChangeIn, committee.change_base_union_chair,
       "A base union's new chair: its committee member who is no longer chair is flagged for 替补.", status=200)
_write("add_unit", "/units", UnitIn, register.add_unit,
       "Register a covered unit (with its base union or covered directly) or scattered workers.")
_write("update_unit", "/units/<int:unit_id>", UnitUpdateIn, register.update_unit, method="patch", status=200,
       whole=True)
_write("elect", "/elections", ElectionIn, terms.elect_committee,
       "Record an election: the new committee replaces the sitting one and starts the next term.")
_write("add_member", "/members", MemberIn, committee.add_member,
       "替补 (replacement) or 增补 (addition) of a member of the sitting committee.", whole=True)
_write("remove_member", "/members/<int:member_id>/leave", LeaveIn, committee.remove_member, status=200)
_write("approve_renewal", "/renewal-approvals", ApprovalIn, terms.approve_renewal,
       "The upper union approves an early or late renewal.", roles=("admin",))
_write("add_committee", "/committees", SpecialCommitteeIn, register.record_special_committee,
       "Record the funds review, women workers' or labour-law supervision committee.")
_write("add_meeting", "/meetings", MeetingIn, meetings.record_meeting,
       "Record a congress, a committee plenary or a half-year report.")
_write("start_contract", "/contracts", ContractIn, contracts.start_negotiation,
       "Start a collective bargaining led by the chair as chief representative.", whole=True)
_write("contract_step", "/contracts/<int:contract_id>/<any(draft, vote, file, review, cover):step>", ContractStepIn,
       contracts.advance, "One step of a contract: draft, vote, file (15-day review clock), review, cover.",
       status=200, whole=True)
_write("issue_letter", "/letters", LetterIn, letters.issue_letter,
       "Issue a 提示函 or 意见书 from a help request or an inspection.", whole=True, out=LetterOut, answer=_letter_out)


@bp.get(f"{FED}/letters/<int:letter_id>")
@staff_required()
@bp.response(200, LetterOut)
def get_letter(federation_id, letter_id):
    """One letter (the printable page reads it)."""
    return _letter_out(get_owned(SupervisionLetter, letter_id, _federation(federation_id)))


_write("letter_response", "/letters/<int:letter_id>/response", LetterResponseIn, letters.record_response,
       "Record the addressee's answer.", status=200, out=LetterOut, answer=_letter_out)
_write("escalate_letter", "/letters/<int:letter_id>/escalate", LetterEscalateIn, letters.escalate_letter,
       "提示函 → 意见书 → 建议书, when the previous one is overdue or was not put right.", whole=True, out=LetterOut,
       answer=_letter_out)
_write("add_employer", "/employers", EmployerIn, employers.add_employer)


@bp.get(f"{FED}/employers/<int:employer_id>")
@staff_required()
@bp.response(200, DossierOut)
def dossier(federation_id, employer_id):
    """An employer's dossier: requests naming it, arrears, mediations, letters, warnings."""
    return employers.dossier(_federation(federation_id), employer_id)


_write("raise_warning", "/warnings", WarningIn, early_warning.raise_warning,
       "Raise a warning by hand (a red one alerts the upper union at once).", out=LabourWarningOut, answer=_itself)
_write("close_warning", "/warnings/<int:warning_id>/close", WarningCloseIn, early_warning.close_warning,
       "The warning was dealt with.", status=200, out=LabourWarningOut, answer=_itself)

