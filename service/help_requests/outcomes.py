"""Outcomes a request is resolved with, per type (DESIGN §5), and how the worker reads them."""
from datetime import date
from decimal import Decimal, InvalidOperation

from service.errors import Invalid

OUTCOMES = {
    "mediation": ("agreement", "no_agreement", "referred", "withdrawn"),
    "legal_aid": ("granted", "refused", "referred", "withdrawn"),
    "wage_arrears": ("resolved", "partial", "no_agreement", "referred", "withdrawn"),
    "work_injury": ("resolved", "partial", "referred", "withdrawn"),
    "consultation": ("resolved", "referred", "withdrawn"),
}
OUTCOME_LABELS = {
    "agreement": "达成调解协议", "no_agreement": "未达成协议", "granted": "给予法律援助",
    "refused": "不予法律援助", "referred": "移送其他机构", "resolved": "已解决", "partial": "部分解决",
    "withdrawn": "职工撤回", "merged": "已合并办理",
}
# Wage arrears record what was recovered, for how many workers (read by statistics):
# "amount_recovered" a string of yuan with 2 decimals, "workers_covered" an int.
WAGE_RECOVERED = ("resolved", "partial")
MAX_WORKERS = 100_000
MAX_AMOUNT = Decimal("1000000000")
AID_FORMS = {
    "representation": "代理仲裁或诉讼", "mediation": "代理调解", "documents": "代写法律文书",
    "advice": "法律咨询", "duty_lawyer": "值班律师法律帮助",
}


def _required(raw: dict, key: str, label: str, errors: dict, max_len: int = 1000) -> str | None:
    value = raw.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        errors[key] = f"请填写{label}"
        return None
    if len(value) > max_len:
        errors[key] = f"{label}不超过{max_len}字"
    return value


def clean_outcome(request_type: str, raw: dict, *, today: date) -> dict:
    """Check an outcome for a request of `request_type`; raise Invalid with Chinese messages."""
    raw = raw if isinstance(raw, dict) else {}
    result = raw.get("result")
    if result not in OUTCOMES[request_type]:
        choices = "、".join(OUTCOME_LABELS[r] for r in OUTCOMES[request_type])
        raise Invalid(fields={"result": f"请选择办理结果：{choices}"})
    errors: dict[str, str] = {}
    outcome: dict = {"result": result}
    summary = raw.get("summary")
    outcome["summary"] = summary.strip()[:2000] if isinstance(summary, str) and summary.strip() else None
    if result == "agreement":
        try:
            amount = Decimal(str(raw.get("amount"))).quantize(Decimal("0.01"))
            if amount < 0:
                raise InvalidOperation
            outcome["amount"] = str(amount)
        except (InvalidOperation, ValueError):
            errors["amount"] = "请填写协议金额（元）"
        try:
            pay_by = date.fromisoformat(str(raw.get("pay_by")))
            if pay_by < today:
                errors["pay_by"] = "履行期限不能早于今天"
            outcome["pay_by"] = pay_by.isoformat()
        except ValueError:
            errors["pay_by"] = "请选择履行期限（年-月-日）"
    elif result == "granted":
        if raw.get("aid_form") not in AID_FORMS:
            errors["aid_form"] = "请选择援助形式"
        outcome["aid_form"] = raw.get("aid_form")
    elif result == "refused":
        outcome["reason"] = _required(raw, "reason", "不予援助的理由", errors)
    elif result == "referred":
        outcome["referred_to"] = _required(raw, "referred_to", "移送机构", errors, max_len=100)
    elif result == "resolved":
        outcome["summary"] = _required(raw, "summary", "办理结果说明", errors, max_len=2000)
    elif result == "partial":
        outcome["summary"] = _required(raw, "summary", "已解决和未解决的部分", errors, max_len=2000)
    if request_type == "wage_arrears":
        _wage_figures(raw, outcome, errors, required=result in WAGE_RECOVERED)
    if errors:
        raise Invalid(fields=errors)
    return outcome


def _wage_figures(raw: dict, outcome: dict, errors: dict, *, required: bool) -> None:
    """amount_recovered (yuan, 2 decimals) and workers_covered (people) of a wage-arrears case."""
    amount, workers = raw.get("amount_recovered"), raw.get("workers_covered")
    if amount in (None, "") and not required:
        outcome["amount_recovered"] = "0.00"
    else:
        try:
            if isinstance(amount, bool) or not isinstance(amount, (str, int, float)):
                raise InvalidOperation
            value = Decimal(str(amount).strip()).quantize(Decimal("0.01"))
            if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
                raise InvalidOperation
            outcome["amount_recovered"] = str(value)
        except (InvalidOperation, ValueError):
            errors["amount_recovered"] = "请填写追回金额（元，不能为负）"
    if workers in (None, "") and not required:
        outcome["workers_covered"] = 1
    else:
        try:
            if isinstance(workers, bool) or isinstance(workers, float) and not workers.is_integer():
                raise ValueError
            count = int(str(workers).strip())
            if not 1 <= count <= MAX_WORKERS:
                raise ValueError
            outcome["workers_covered"] = count
        except (ValueError, TypeError):
            errors["workers_covered"] = f"请填写涉及职工人数（1–{MAX_WORKERS}）"


def describe(outcome: dict) -> str:
    """The outcome in one or two sentences for the worker."""
    result = outcome["result"]
    if result == "agreement":
        text = f"已达成调解协议：用人单位应于{outcome['pay_by']}前支付{outcome['amount']}元。如未按期履行，可申请仲裁或支付令。"
    elif result == "no_agreement":
        text = "未能达成协议。建议您在仲裁时效内向劳动人事争议仲裁委员会申请仲裁，工会可为您提供帮助。"
    elif result == "granted":
        text = f"经审查，决定给予法律援助，援助形式：{AID_FORMS[outcome['aid_form']]}。"
    elif result == "refused":
        text = f"经审查，决定不予法律援助。理由：{outcome['reason']}。如有异议，可向有关部门提出。"
    elif result == "referred":
        text = f"您的诉求已移送{outcome['referred_to']}处理。"
    elif result == "withdrawn":
        text = "根据您的意愿，该诉求已撤回并办结。如有需要，可随时重新求助。"
    elif result == "partial":
        text = f"部分解决：{outcome['summary']}"
    else:
        text = f"办理结果：{outcome['summary']}"
    if "amount_recovered" in outcome and result in WAGE_RECOVERED:
        text += f"\n已追回工资{outcome['amount_recovered']}元（涉及{outcome['workers_covered']}名职工）。"
    if outcome.get("summary") and result not in ("resolved", "partial"):
        text += f"\n说明：{outcome['summary']}"
    return text
