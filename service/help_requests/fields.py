"""What a worker must tell us when asking for help: common fields and, per type, the fields of
DESIGN §4. Every message is Chinese and keyed by the form field it belongs to."""
from datetime import date
from decimal import Decimal, InvalidOperation

from models.request import REQUEST_TYPES
from service import refdata
from service.errors import Invalid
from service.privacy.fields import is_mobile

CONSENT_VERSION = "2025-01"  # the version of the sensitive-data notice shown on help.html
LEGAL_AID_GROUNDS = {"hardship": "经济困难", "serious_infringement": "权益受到严重侵害"}
LEGAL_AID_CLAIMS = {"wages": "请求支付劳动报酬", "work_injury": "请求工伤事故人身损害赔偿", "other": "其他"}
INJURY_RECOGNITION = {"yes": "已认定工伤", "no": "未申请认定", "pending": "认定中", "refused": "认定为非工伤"}


def _text(data: dict, key: str, errors: dict, *, label: str, min_len: int = 1, max_len: int = 2000,
          required: bool = True) -> str | None:
    value = (data.get(key) or "").strip() if isinstance(data.get(key), str) else data.get(key)
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}"
        return None
    if not isinstance(value, str) or not (min_len <= len(value) <= max_len):
        errors[key] = f"{label}应为{min_len}–{max_len}个字"
        return None
    return value


def _date(data: dict, key: str, errors: dict, *, label: str, today: date, required: bool) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors[key] = f"请选择{label}"
        return None
    try:
        parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        errors[key] = f"{label}格式应为 年-月-日"
        return None
    if parsed > today:
        errors[key] = f"{label}不能晚于今天"
    elif parsed < date(today.year - 30, 1, 1):
        errors[key] = f"{label}过早，请核对"
    return parsed


def _int(data: dict, key: str, errors: dict, *, label: str, low: int, high: int) -> int | None:
    value = data.get(key)
    try:
        number = int(value)
        if isinstance(value, bool) or str(number) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        errors[key] = f"请填写{label}（整数）"
        return None
    if not low <= number <= high:
        errors[key] = f"{label}应在{low}–{high}之间"
    return number


def _amount(value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors["amount"] = "涉及金额应为数字（元）"
        return None
    if amount < 0 or amount >= Decimal("1e10"):
        errors["amount"] = "涉及金额应在0至99亿元之间"
    return amount


def legal_aid_exempt(details: dict) -> bool:
    """《法律援助法》第42条：进城务工人员申请支付劳动报酬或工伤事故人身损害赔偿的，
    免予核查经济困难状况。"""
    return bool(details.get("migrant_worker")) and details.get("claim") in ("wages", "work_injury")


def _details(kind: str, raw: dict, errors: dict, today: date) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    if kind == "mediation":
        return {"employer_address": _text(raw, "employer_address", errors, label="用人单位地址", max_len=200),
                "legal_representative": _text(raw, "legal_representative", errors,
                                              label="用人单位法定代表人或主要负责人", max_len=50)}
    if kind == "legal_aid":
        details = {"migrant_worker": bool(raw.get("migrant_worker")), "claim": raw.get("claim")}
        if details["claim"] not in LEGAL_AID_CLAIMS:
            errors["claim"] = "请选择申请事项"
        if legal_aid_exempt(details):
            details.update(exempt=True, ground=raw.get("ground") or None)
            return details
        details["exempt"] = False
        ground = raw.get("ground")
        if ground not in LEGAL_AID_GROUNDS:
            errors["ground"] = "请选择申请理由：经济困难或权益受到严重侵害"
        details["ground"] = ground
        label = "经济困难情况" if ground == "hardship" else "严重侵害的情况"
        details["ground_note"] = _text(raw, "ground_note", errors, label=label, min_len=4, max_len=1000)
        return details
    if kind == "work_injury":
        recognised = raw.get("recognised")
        if recognised not in INJURY_RECOGNITION:
            errors["recognised"] = "请选择工伤认定情况"
        injury = _date(raw, "injury_date", errors, label="受伤日期", today=today, required=True)
        return {"injury_date": injury.isoformat() if injury else None, "recognised": recognised}
    if kind == "wage_arrears":
        return {"months": _int(raw, "months", errors, label="拖欠月数", low=1, high=120),
                "workers_affected": _int(raw, "workers_affected", errors, label="涉及人数", low=1, high=100000)}
    return {}


def clean_submission(data: dict, *, today: date) -> dict:
    """Check a help request as submitted by the page; raise Invalid with every problem at once."""
    errors: dict[str, str] = {}
    kind = data.get("type")
    if kind not in REQUEST_TYPES:
        raise Invalid(fields={"type": "请选择求助类型"})
    clean = {
        "type": kind,
        "employer_name": _text(data, "employer_name", errors, label="用人单位名称", max_len=100),
        "facts": _text(data, "facts", errors, label="事情经过", min_len=10, max_len=3000),
        "wants": _text(data, "wants", errors, label="您的诉求", min_len=2, max_len=1000),
        "worker_name": _text(data, "name", errors, label="姓名", max_len=50),
        "amount": _amount(data.get("amount"), errors),
        "learned_on": _date(data, "learned_on", errors, label="知道权益受侵害的日期", today=today,
                            required=kind != "consultation"),
    }
    phone = (data.get("phone") or "").strip()
    if not is_mobile(phone):
        errors["phone"] = "请填写11位手机号码"
    clean["worker_phone"] = phone
    region = (data.get("region") or "").strip()
    if not refdata.is_region(region):
        errors["region"] = "请选择工作地（区县或街道）"
    elif len(region) == 6 and region.endswith("00"):
        errors["region"] = "请选择到区县一级"
    industry = (data.get("industry") or "").strip().upper()
    if not refdata.is_industry(industry):
        errors["industry"] = "请选择所在行业"
    clean["region_code"], clean["industry_code"] = region, industry
    if data.get("consent") is not True:
        errors["consent"] = "请阅读并同意个人信息处理说明"
    clean["details"] = _details(kind, data.get("details"), errors, today)
    if errors:
        raise Invalid(fields=errors)
    return clean
