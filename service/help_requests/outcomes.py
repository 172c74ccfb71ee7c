"""Outcomes a request is resolved with, per type (DESIGN §5), and how the worker reads them."""
from datetime import date
from decimal import Decimal, InvalidOperation

from service.errors import Invalid

OUTCOMES = {
    "mediation": ("agreement", "no_agreement", "referred"),
    "legal_aid": ("granted", "refused", "referred"),
    "wage_arrears": ("resolved", "referred"),
    "work_injury": ("resolved", "referred"),
    "consultation": ("resolved", "referred"),
}
OUTCOME_LABELS = {
    "agreement": "达成调解协议", "no_agreement": "未达成调解协议", "granted": "给予法律援助",
    "refused": "不予法律援助", "referred": "移送其他机构", "resolved": "已解决",
}
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
    if errors:
        raise Invalid(fields=errors)
    return outcome


def describe(outcome: dict) -> str:
    """The outcome in one or two sentences for the worker."""
    result = outcome["result"]
    if result == "agreement":
        text = f"已达成调解协议：用人单位应于{outcome['pay_by']}前支付{outcome['amount']}元。如未按期履行，可申请仲裁或支付令。"
    elif result == "no_agreement":
        text = "未能达成调解协议。建议您在仲裁时效内向劳动人事争议仲裁委员会申请仲裁，工会可为您提供帮助。"
    elif result == "granted":
        text = f"经审查，决定给予法律援助，援助形式：{AID_FORMS[outcome['aid_form']]}。"
    elif result == "refused":
        text = f"经审查，决定不予法律援助。理由：{outcome['reason']}。如有异议，可向有关部门提出。"
    elif result == "referred":
        text = f"您的诉求已移送{outcome['referred_to']}处理。"
    else:
        text = f"办理结果：{outcome['summary']}"
    if outcome.get("summary") and result != "resolved":
        text += f"\n说明：{outcome['summary']}"
    return text
