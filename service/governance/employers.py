"""Employer dossiers (Hebei opinion §三.3): an employer a federation watches, built from what the
software already holds — help requests naming it (matched by name inside the federation's inbox),
wage-arrears amounts and workers affected, mediation outcomes, supervision letters and warnings."""
from decimal import Decimal

from sqlalchemy import func, select

from models.federation import Federation
from models.governance import WARNING_LEVELS, Employer, LabourWarning, SupervisionLetter
from models.request import REQUEST_TYPE_LABELS, STATUS_LABELS, HelpRequest
from models.staff import Staff
from service.errors import Conflict
from service.extensions import db
from service.governance.access import get_owned, raise_if, record, require_writer, text


def normalise(name: str) -> str:
    """The form names are compared in: no spaces, full-width brackets."""
    return "".join((name or "").split()).replace("(", "（").replace(")", "）")


def find_employer(federation_id: int, name: str) -> Employer | None:
    return db.session.scalar(select(Employer).where(Employer.federation_id == federation_id,
                                                    Employer.name == normalise(name)))


def add_employer(federation: Federation, *, name: str, credit_code: str | None = None, address: str | None = None,
                 workers: int | None = None, staff: Staff | None) -> Employer:
    require_writer(staff, federation)
    errors: dict = {}
    name = text(name, "name", "用人单位名称", 100, errors, required=True)
    credit_code = text(credit_code, "credit_code", "统一社会信用代码", 18, errors)
    if credit_code and (len(credit_code) != 18 or not credit_code.isalnum()):
        errors["credit_code"] = "统一社会信用代码应为18位数字或大写字母"
    address = text(address, "address", "地址", 200, errors)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 10**6):
        errors["workers"] = "职工人数应为0到1000000之间的整数"
    raise_if(errors)
    if find_employer(federation.id, name) is not None:
        raise Conflict(f"已登记用人单位“{normalise(name)}”")
    employer = Employer(federation_id=federation.id, name=normalise(name), credit_code=credit_code,
                        address=address, workers=workers)
    db.session.add(employer)
    db.session.flush()
    record("governance.employer.add", staff, federation, "employer", employer.id, {"name": employer.name})
    return employer


def ensure_employer(federation: Federation, name: str) -> Employer:
    """The employer of this name in the federation's dossiers, created when missing (no audit:
    the caller audits the action that needed it)."""
    employer = find_employer(federation.id, name)
    if employer is None:
        employer = Employer(federation_id=federation.id, name=normalise(name)[:100])
        db.session.add(employer)
        db.session.flush()
    return employer


def requests_naming(employer: Employer) -> list[HelpRequest]:
    """Help requests in the federation's inbox that name this employer."""
    names = {employer.name, employer.name.replace("（", "(").replace("）", ")")}
    return list(db.session.scalars(select(HelpRequest).where(
        HelpRequest.federation_id == employer.federation_id,
        func.replace(HelpRequest.employer_name, " ", "").in_(names)).order_by(HelpRequest.created_at.desc())))


def workers_affected(request: HelpRequest) -> int:
    value = (request.details or {}).get("workers_affected")
    return value if isinstance(value, int) and value > 0 else 1


def refresh_level(employer: Employer) -> str:
    """The employer's label: the highest level among its open warnings (green when none)."""
    levels = set(db.session.scalars(select(LabourWarning.level).where(
        LabourWarning.employer_id == employer.id, LabourWarning.closed_on.is_(None))))
    employer.level = next((lvl for lvl in reversed(WARNING_LEVELS) if lvl in levels), "green")
    return employer.level


def dossier(federation: Federation, employer_id: int) -> dict:
    """Everything known about one employer, for its page."""
    employer = get_owned(Employer, employer_id, federation)
    requests = requests_naming(employer)
    arrears = [r for r in requests if r.type == "wage_arrears"]
    mediations = [r for r in requests if r.type == "mediation"]
    letters = list(db.session.scalars(select(SupervisionLetter).where(SupervisionLetter.employer_id == employer.id)
                                      .order_by(SupervisionLetter.issued_on, SupervisionLetter.id)))
    warnings = list(db.session.scalars(select(LabourWarning).where(LabourWarning.employer_id == employer.id)
                                       .order_by(LabourWarning.raised_on.desc(), LabourWarning.id.desc())))
    amount = sum((r.amount or Decimal(0) for r in arrears), Decimal(0))
    return {
        "employer": employer, "letters": letters, "warnings": warnings,
        "requests": [{"id": r.id, "number": r.number, "type": r.type, "type_label": REQUEST_TYPE_LABELS[r.type],
                      "status": r.status, "status_label": STATUS_LABELS[r.status], "created_at": r.created_at,
                      "amount": str(r.amount) if r.amount is not None else None,
                      "workers_affected": workers_affected(r) if r.type == "wage_arrears" else None,
                      "outcome": (r.outcome or {}).get("result")} for r in requests],
        "figures": {"requests": len(requests), "wage_arrears_requests": len(arrears),
                    "wage_arrears_amount": str(amount), "wage_arrears_workers": sum(map(workers_affected, arrears)),
                    "mediations": len(mediations),
                    "mediation_agreements": len([r for r in mediations
                                                 if (r.outcome or {}).get("result") == "agreement"])},
    }
