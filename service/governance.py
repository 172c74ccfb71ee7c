"""Governance reminders for a federation (DESIGN §1, §5): its term, the committees its flags
call for, coverage it lacks or shares. Pure reads; nothing here changes data."""
from dataclasses import dataclass
from datetime import date, timedelta

from models.federation import Federation

EXPIRING_WITHIN = timedelta(days=90)


def term_end(federation: Federation) -> date | None:
    """The day the term runs out: term_start plus 3 or 5 years (29 Feb → 28 Feb)."""
    start, years = federation.term_start, federation.term_years
    if start is None or years is None:
        return None
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        return start.replace(year=start.year + years, day=28)


def term_state(federation: Federation, today: date | None = None) -> str:
    """"none" (no term recorded), "ok", "expiring" (within 90 days) or "expired"."""
    end = term_end(federation)
    if end is None:
        return "none"
    today = today or date.today()
    if end <= today:
        return "expired"
    if end - today <= EXPIRING_WITHIN:
        return "expiring"
    return "ok"


@dataclass
class Warning:
    code: str
    message: str


def warnings(federation: Federation, *, today: date | None = None, overlaps: list[dict] | None = None,
             coverage_count: int | None = None, position_count: int | None = None) -> list[Warning]:
    """What the federation's upper union should look at, most urgent first.

    `overlaps` (from service.federations.coverage.overlaps) and `coverage_count` are passed in by
    callers that already computed them for many federations; `position_count` (service
    positions not closed, service.positions.summary) only by callers that know it."""
    if federation.kind == "upper" or federation.status == "dissolved":
        return []
    today = today or date.today()
    found = []
    end, state = term_end(federation), term_state(federation, today)
    if state == "expired":
        found.append(Warning("term_expired", f"任期已于{end.isoformat()}届满，应按期换届；延期换届须报上一级工会批准"))
    elif state == "expiring":
        found.append(Warning("term_expiring",
                             f"任期将于{end.isoformat()}届满（还有{(end - today).days}天），请及早准备换届"))
    elif state == "none" and federation.status == "active":
        found.append(Warning("term_missing", "未登记本届任期（开始日期和3年或5年任期）"))
    if federation.own_funds and not federation.has_funds_committee:
        found.append(Warning("funds_committee_missing", "独立管理经费，应同时成立工会经费审查委员会"))
    if federation.many_women and not federation.has_women_committee:
        found.append(Warning("women_committee_missing", "所覆盖基层工会女职工较多，应建立女职工委员会"))
    count = len(federation.coverage) if coverage_count is None else coverage_count
    if count == 0:
        found.append(Warning("coverage_missing", "尚未设置覆盖范围，不会收到任何诉求或入会申请"))
    if position_count == 0 and federation.status == "active":
        found.append(Warning("position_missing", "尚未登记服务阵地（办公场所、活动场所或职工驿站），职工发送位置时找不到本会"))
    for pair in overlaps or []:
        if federation.id not in (pair["a"]["id"], pair["b"]["id"]):
            continue
        other = pair["b"] if pair["a"]["id"] == federation.id else pair["a"]
        found.append(Warning("coverage_overlap",
                             f"覆盖范围“{pair['label']}”与{other['name']}完全相同，{pair['effect']}"))
    return found
