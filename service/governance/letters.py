"""Labour-law supervision letters, 一函两书 (Hebei opinion §三.3): the reminder letter (提示函) and
the opinion letter (意见书) go to an employer, the recommendation (建议书) to the authorities.

- a letter comes from a help request (naming the employer, in the caller's scope) or an
  inspection, and names a due date for the answer (1 to 60 days after issue);
- the next letter comes only by escalation — 提示函 → 意见书 → 建议书 — when the previous one
  is past due without an answer or was answered without putting things right; a 建议书 is
  addressed to a labour authority;
- the employer's answer is recorded with its date and whether it resolved the matter.
"""
from datetime import date, timedelta

from sqlalchemy import select

from models.federation import Federation
from models.governance import LETTER_KIND_LABELS, SupervisionLetter
from models.request import HelpRequest
from models.staff import Staff
from service import clock
from service.errors import Conflict
from service.extensions import db
from service.governance.access import check_past, get_owned, lookup, raise_if, record, require_writer, text
from service.governance.employers import ensure_employer
from service.sequences import next_value
from service.staff.scope import can_see

NEXT_KIND = {"reminder": "opinion", "opinion": "recommendation"}
SHORT = {"reminder": "提示", "opinion": "意见", "recommendation": "建议"}
MAX_DAYS = 60


def _number(federation: Federation, kind: str, issued_on: date) -> str:
    value = next_value(f"letter:{federation.id}:{issued_on.year}")
    return f"联监{SHORT[kind]}〔{issued_on.year}〕{federation.id}-{value}号"


def _letter_fields(data: dict, today: date, errors: dict) -> dict:
    issued_on, due_on = data.get("issued_on"), data.get("due_on")
    check_past(issued_on, "issued_on", "发出日期", today, errors)
    if due_on is None:
        errors["due_on"] = "请填写答复期限"
    elif issued_on and not issued_on < due_on <= issued_on + timedelta(days=MAX_DAYS):
        errors["due_on"] = f"答复期限应在发出后1至{MAX_DAYS}天内"
    return {"issued_on": issued_on, "due_on": due_on,
            "facts": text(data.get("facts"), "facts", "发现的问题", 5000, errors, required=True),
            "demands": text(data.get("demands"), "demands", "整改要求或建议", 5000, errors, required=True),
            "legal_basis": text(data.get("legal_basis"), "legal_basis", "法律依据", 2000, errors)}


def issue_letter(federation: Federation, data: dict, *, staff: Staff | None, today: date | None = None) -> SupervisionLetter:
    """Issue a 提示函 or 意见书 from a help request or an inspection."""
    require_writer(staff, federation)
    today = today or clock.today()
    errors: dict = {}
    kind, source = data.get("kind"), data.get("source")
    if kind not in ("reminder", "opinion"):
        errors["kind"] = "首次发出应为提示函或意见书；建议书须由意见书升级（未按期答复或未整改）"
    if source not in ("help_request", "inspection"):
        errors["source"] = "请选择来源：职工求助或监督检查"
    request = None
    employer_name = data.get("employer_name")
    if source == "help_request":
        request_id = data.get("help_request_id")
        request = lookup(HelpRequest, request_id)
        if request is None or (staff is not None and not can_see(staff, request.federation_id)) \
                or request.federation_id != federation.id:
            errors["help_request_id"] = "请选择本联合会受理的求助"
        else:
            employer_name = request.employer_name
    name = text(employer_name, "employer_name", "用人单位名称", 100, errors, required=True)
    values = _letter_fields(data, today, errors)
    raise_if(errors)
    employer = ensure_employer(federation, name)
    letter = SupervisionLetter(federation_id=federation.id, employer_id=employer.id, kind=kind, source=source,
                               help_request_id=request.id if request else None, addressee=employer.name,
                               number=_number(federation, kind, values["issued_on"]),
                               issued_by_id=staff.id if staff else None, **values)
    db.session.add(letter)
    db.session.flush()
    record("governance.letter.issue", staff, federation, "supervision_letter", letter.id,
           {"kind": kind, "employer_id": employer.id, "number": letter.number})
    return letter


def record_response(federation: Federation, letter_id: int, *, response_on: date, response: str, resolved: bool,
                    staff: Staff | None, today: date | None = None) -> SupervisionLetter:
    """The addressee answered: when, what, and whether it put things right (then the letter closes)."""
    require_writer(staff, federation)
    letter = get_owned(SupervisionLetter, letter_id, federation)
    errors: dict = {}
    check_past(response_on, "response_on", "答复日期", today or clock.today(), errors)
    if response_on and response_on < letter.issued_on:
        errors["response_on"] = "答复日期不能早于发出日期"
    response = text(response, "response", "答复内容", 5000, errors, required=True)
    if not isinstance(resolved, bool):
        errors["resolved"] = "请选择是否已整改"
    raise_if(errors)
    if letter.status != "issued":
        raise Conflict("该文书已答复、升级或办结")
    letter.response_on, letter.response, letter.resolved = response_on, response, resolved
    letter.status = "closed" if resolved else "answered"
    db.session.flush()
    record("governance.letter.response", staff, federation, "supervision_letter", letter.id, {"resolved": resolved})
    return letter


def escalate_letter(federation: Federation, letter_id: int, data: dict, *, staff: Staff | None,
                    today: date | None = None) -> SupervisionLetter:
    """The next letter after one past due without an answer, or answered without putting it right."""
    require_writer(staff, federation)
    today = today or clock.today()
    previous = get_owned(SupervisionLetter, letter_id, federation)
    if previous.kind not in NEXT_KIND:
        raise Conflict("建议书已是最后一步，请协助有关部门推动问题解决")
    overdue = previous.status == "issued" and previous.due_on < today
    unresolved = previous.status == "answered" and previous.resolved is False
    if not (overdue or unresolved):
        raise Conflict(f"{LETTER_KIND_LABELS[previous.kind]}未逾期且未答复，或已整改，暂不能升级"
                       f"（答复期限{previous.due_on.isoformat()}）")
    kind = NEXT_KIND[previous.kind]
    errors: dict = {}
    values = _letter_fields(data, today, errors)
    addressee = previous.addressee
    if kind == "recommendation":
        addressee = text(data.get("addressee"), "addressee", "建议书报送的部门（如劳动保障监察机构）", 100, errors,
                         required=True)
    if values["issued_on"] and values["issued_on"] < previous.issued_on:
        errors["issued_on"] = "升级文书的发出日期不能早于上一份文书"
    raise_if(errors)
    letter = SupervisionLetter(federation_id=federation.id, employer_id=previous.employer_id, kind=kind,
                               source="escalation", previous_id=previous.id, help_request_id=previous.help_request_id,
                               addressee=addressee, number=_number(federation, kind, values["issued_on"]),
                               issued_by_id=staff.id if staff else None, **values)
    previous.status = "escalated"
    db.session.add(letter)
    db.session.flush()
    record("governance.letter.escalate", staff, federation, "supervision_letter", letter.id,
           {"kind": kind, "previous_id": previous.id})
    return letter


def overdue_letters(letters: list[SupervisionLetter], today: date) -> list[SupervisionLetter]:
    return [x for x in letters if x.status == "issued" and x.due_on < today]


def letter_checks(letters: list[SupervisionLetter], employers: dict, today: date) -> list[dict]:
    found = []
    for x in overdue_letters(letters, today):
        employer = employers.get(x.employer_id)
        found.append({"code": "letter_overdue", "severity": "red" if x.kind != "reminder" else "yellow",
                      "message": f"{LETTER_KIND_LABELS[x.kind]}{x.number}逾期未答复（期限{x.due_on.isoformat()}），"
                                 f"应升级为{LETTER_KIND_LABELS.get(NEXT_KIND.get(x.kind), '协助有关部门处理')}",
                      "evidence": f"{employer.name if employer else ''}；{x.issued_on.isoformat()}发出",
                      "letter_id": x.id})
    return found


def letters_of(federation_id: int) -> list[SupervisionLetter]:
    return list(db.session.scalars(select(SupervisionLetter).where(SupervisionLetter.federation_id == federation_id)
                                   .order_by(SupervisionLetter.issued_on.desc(), SupervisionLetter.id.desc())))

