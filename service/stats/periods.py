"""Statistics periods in China time (UTC+8, no daylight saving): a month, quarter, half-year,
year or a custom range of whole months, and how each maps to naive-UTC instants. Every period
is made of whole China-time months, which is what the rollups are kept in."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from service import clock
from service.errors import Invalid

CHINA = clock.OFFSET
KINDS = ("month", "quarter", "half", "year", "custom")
MAX_CUSTOM_DAYS = 3660  # ten years
DAILY_SERIES_MAX_DAYS = 92  # longer periods are charted by month
_REF = {
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half": re.compile(r"^(\d{4})-H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
}
REF_HINT = {"month": "2026-05", "quarter": "2026-Q2", "half": "2026-H1", "year": "2026"}


china_date = clock.china_date  # the China-time day of a stored (naive UTC) instant
day_start_utc = clock.day_start  # 00:00 China time of a day, as naive UTC


def china_today(now: datetime | None = None) -> date:
    return clock.china_date(now) if now is not None else clock.today()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def ref(self) -> str:
        s = self.start
        return {"month": f"{s.year}-{s.month:02d}", "quarter": f"{s.year}-Q{(s.month - 1) // 3 + 1}",
                "half": f"{s.year}-H{1 if s.month <= 6 else 2}", "year": f"{s.year}"}.get(
            self.kind, f"{s.year}-{s.month:02d}~{self.end.year}-{self.end.month:02d}")

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == "half":
            return f"{s.year}年{'上' if s.month <= 6 else '下'}半年"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s.year}年{s.month}月至{self.end.year}年{self.end.month}月"

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC instants."""
        return day_start_utc(self.start), day_start_utc(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def daily_series(self) -> bool:
        return self.days <= DAILY_SERIES_MAX_DAYS

    def months(self) -> list[date]:
        months, cursor = [], self.start
        while cursor <= self.end:
            months.append(cursor)
            cursor = next_month(cursor)
        return months

    def as_dict(self) -> dict:
        return {"kind": self.kind, "ref": self.ref, "label": self.label,
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period("month", start, next_month(start) - timedelta(days=1))


def make_period(kind: str, ref: str | None = None, start: date | None = None, end: date | None = None,
                *, today: date | None = None) -> Period:
    """The period `kind` named by `ref` (default: the one containing today, China time), or a
    custom range [start, end]. Raises Invalid with Chinese messages."""
    today = today or china_today()
    if kind not in KINDS:
        raise Invalid(fields={"period": "统计周期应为 month、quarter、half、year 或 custom"})
    if kind == "custom":
        if start is None or end is None:
            raise Invalid(fields={"start": "请选择起止日期"})
        if end < start:
            raise Invalid(fields={"end": "结束日期不能早于开始日期"})
        start, end = month_start(start), next_month(end) - timedelta(days=1)
        if (end - start).days >= MAX_CUSTOM_DAYS:
            raise Invalid(fields={"end": "自定义区间不超过10年"})
        return Period("custom", start, end)
    if not ref:
        year, month = today.year, today.month
        first = {"month": month, "quarter": (month - 1) // 3 * 3 + 1, "half": 1 if month <= 6 else 7,
                 "year": 1}[kind]
        ref_start = date(year, first, 1)
    else:
        found = _REF[kind].match(ref.strip())
        if not found:
            raise Invalid(fields={"ref": f"周期写法应如 {REF_HINT[kind]}"})
        year = int(found.group(1))
        if not 2000 <= year <= 2100:
            raise Invalid(fields={"ref": "年份应在2000–2100之间"})
        part = int(found.group(2)) if kind != "year" else 1
        if kind == "month" and not 1 <= part <= 12:
            raise Invalid(fields={"ref": "月份应为01–12"})
        first = {"month": part, "quarter": (part - 1) * 3 + 1, "half": (part - 1) * 6 + 1, "year": 1}[kind]
        ref_start = date(year, first, 1)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    return Period(kind, ref_start, add_months(ref_start, months) - timedelta(days=1))
