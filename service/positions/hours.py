"""Opening hours of a service position: per weekday, on China's public holidays, and on dates
set by hand; intervals may run past midnight.

The stored shape (``Position.hours``)::

    {"weekly": {"1": ["08:00-12:00", "14:00-20:00"], ..., "7": []},   # ISO weekday, Monday = 1
     "holidays": "weekly" | "closed" | "hours",                      # on a public holiday
     "holiday_hours": ["09:00-17:00"],                                # when holidays == "hours"
     "exceptions": {"2027-01-01": [], "2026-12-24": ["08:00-24:00"]}} # a date's own hours

An interval ``start-end`` belongs to the day it starts on; an end at or before the start runs
into the next day (``22:00-06:00``), ``00:00-24:00`` is the whole day. The day an interval
starts on decides whether it happens: a night shift starting on the eve of a holiday runs to its
end even if the holiday closes the station. Public holidays come from the ``holidays`` package
(China: statutory days and the bridging days off; a Saturday or Sunday inside a break is not
listed, so it keeps its weekend hours); the make-up working days (调休上班) are not in it either,
so such a Saturday or Sunday also keeps its weekend hours.

Times are China time (service.clock.CHINA, UTC+8); callers pass aware datetimes or naive UTC.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
import holidays

from service.clock import CHINA
from service.errors import Invalid

WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")
WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
HOLIDAY_RULES = ("weekly", "closed", "hours")
INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$")
MAX_INTERVALS = 4
MAX_EXCEPTIONS = 60
LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class Opening:
    start: datetime  # China time, aware
    end: datetime


def empty_hours() -> dict:
    return {"weekly": {day: [] for day in WEEKDAYS}, "holidays": "weekly", "holiday_hours": [], "exceptions": {}}


def _intervals(value, where: str, errors: dict) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_INTERVALS:
        errors[where] = f"每天最多{MAX_INTERVALS}个时段"
        return []
    out = []
    for item in value:
        if not isinstance(item, str) or not INTERVAL.match(item.strip()):
            errors[where] = "时段格式应为 08:00-20:00（跨夜如 22:00-06:00，全天 00:00-24:00）"
            return []
        start, end = item.strip().split("-")
        if start == end:
            errors[where] = "开始和结束时间不能相同（全天请填 00:00-24:00）"
            return []
        out.append(f"{start}-{end}")
    return sorted(out)


def normalise_hours(data) -> dict:
    """Check and normalise opening hours from the console; raise Invalid with Chinese messages
    (field keys like ``hours.weekly.1``)."""
    if data is None:
        return empty_hours()
    if not isinstance(data, dict):
        raise Invalid(fields={"hours": "开放时间格式有误"})
    errors: dict = {}
    unknown = set(data) - {"weekly", "holidays", "holiday_hours", "exceptions"}
    if unknown:
        errors["hours"] = "开放时间含有不支持的项：" + "、".join(sorted(map(str, unknown)))
    weekly_in = data.get("weekly") or {}
    if not isinstance(weekly_in, dict) or set(map(str, weekly_in)) - set(WEEKDAYS):
        errors["hours.weekly"] = "按星期填写（1 为周一，7 为周日）"
        weekly_in = {}
    weekly = {day: _intervals(weekly_in.get(day, weekly_in.get(int(day), [])), f"hours.weekly.{day}", errors)
              for day in WEEKDAYS}
    rule = data.get("holidays", "weekly")
    if rule not in HOLIDAY_RULES:
        errors["hours.holidays"] = "节假日安排应为：照常、闭馆或单独时段"
    holiday_hours = _intervals(data.get("holiday_hours") or [], "hours.holiday_hours", errors)
    if rule == "hours" and not holiday_hours and "hours.holiday_hours" not in errors:
        errors["hours.holiday_hours"] = "请填写节假日开放时段"
    exceptions_in = data.get("exceptions") or {}
    exceptions = {}
    if not isinstance(exceptions_in, dict) or len(exceptions_in) > MAX_EXCEPTIONS:
        errors["hours.exceptions"] = f"特别日期最多{MAX_EXCEPTIONS}个"
    else:
        for key, value in exceptions_in.items():
            try:
                day = date.fromisoformat(str(key))
            except ValueError:
                errors["hours.exceptions"] = "特别日期格式应为 2027-01-01"
                continue
            exceptions[day.isoformat()] = _intervals(value, f"hours.exceptions.{day.isoformat()}", errors)
    if errors:
        raise Invalid(fields=errors)
    return {"weekly": weekly, "holidays": rule, "holiday_hours": holiday_hours if rule == "hours" else [],
            "exceptions": dict(sorted(exceptions.items()))}


@lru_cache(maxsize=16)
def _china_holidays(year: int):
    return holidays.China(years=year, language="zh_CN")


def holiday_name(day: date) -> str | None:
    """The public holiday on `day` (Chinese name), or None."""
    return _china_holidays(day.year).get(day)


def intervals_on(hours: dict, day: date) -> list[str]:
    """The intervals that start on `day`: its own exception, else the holiday rule, else the weekday."""
    hours = hours or {}
    exceptions = hours.get("exceptions") or {}
    if day.isoformat() in exceptions:
        return exceptions[day.isoformat()]
    rule = hours.get("holidays", "weekly")
    if rule != "weekly" and holiday_name(day):
        return [] if rule == "closed" else hours.get("holiday_hours") or []
    return (hours.get("weekly") or {}).get(str(day.isoweekday()), [])


def _clock(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


def openings_on(hours: dict, day: date) -> list[Opening]:
    """The openings starting on `day`, as China-time datetimes (an end past midnight is next day)."""
    out = []
    for item in intervals_on(hours, day):
        start_text, end_text = item.split("-")
        start = datetime.combine(day, time(*_clock(start_text)), tzinfo=CHINA)
        if end_text == "24:00":
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA)
        else:
            end = datetime.combine(day, time(*_clock(end_text)), tzinfo=CHINA)
            if end <= start:
                end += timedelta(days=1)
        out.append(Opening(start, end))
    return sorted(out, key=lambda o: o.start)


def china_time(moment: datetime) -> datetime:
    """`moment` (aware, or naive UTC as stored) in China time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA)


def current_opening(hours: dict, moment: datetime) -> Opening | None:
    """The opening in progress at `moment` (yesterday's night shift included), or None."""
    now = china_time(moment)
    for day in (now.date() - timedelta(days=1), now.date()):
        for opening in openings_on(hours, day):
            if opening.start <= now < opening.end:
                return opening
    return None


def is_open(hours: dict, moment: datetime) -> bool:
    return current_opening(hours, moment) is not None


def next_opening(hours: dict, moment: datetime) -> Opening | None:
    """The next opening that starts after `moment`, looking two weeks ahead."""
    now = china_time(moment)
    for offset in range(LOOKAHEAD_DAYS + 1):
        for opening in openings_on(hours, now.date() + timedelta(days=offset)):
            if opening.start > now:
                return opening
    return None


def _day_word(target: date, today: date) -> str:
    if target == today:
        return "今天"
    if target == today + timedelta(days=1):
        return "明天"
    if target == today + timedelta(days=2):
        return "后天"
    if target - today < timedelta(days=7):
        return WEEKDAY_NAMES[target.isoweekday()]
    return f"{target.month}月{target.day}日"


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _when(moment: datetime, now: datetime, *, end: bool = False) -> str:
    """今天 20:00 / 明天 06:00; an end at midnight is the previous day's 24:00."""
    if end and moment.time() == time(0, 0):
        return f"{_day_word(moment.date() - timedelta(days=1), now.date())} 24:00"
    return f"{_day_word(moment.date(), now.date())} {_hhmm(moment)}"


def open_state(hours: dict, moment: datetime) -> tuple[bool, str]:
    """(open now?, a short Chinese phrase): 开放中，今天 20:00 结束 / 未开放，明天 08:00 开放."""
    now = china_time(moment)
    current = current_opening(hours, moment)
    if current is not None:
        end = _merged_end(hours, current)
        return True, "开放中，全天候开放" if end is None else f"开放中，{_when(end, now, end=True)} 结束"
    upcoming = next_opening(hours, moment)
    if upcoming is None:
        return False, "近期不开放"
    return False, f"未开放，{_when(upcoming.start, now)} 开放"


def _merged_end(hours: dict, opening: Opening) -> datetime | None:
    """When an opening really ends: back-to-back openings (00:00-24:00 every day, 08:00-24:00
    then 00:00-02:00) are one; None if it never ends within the look-ahead."""
    end = opening.end
    for _ in range(LOOKAHEAD_DAYS):
        following = [o for o in openings_on(hours, end.date()) if o.start <= end < o.end]
        if not following:
            return end
        end = max(o.end for o in following)
    return None


def week_summary(hours: dict) -> list[str]:
    """The weekly hours as lines for people: 周一至周五 08:00-20:00 / 周六、周日 休息 / 节假日 闭馆."""
    weekly = (hours or {}).get("weekly") or {}
    groups: list[tuple[list[int], tuple]] = []
    for day in range(1, 8):
        slots = tuple(weekly.get(str(day), []))
        if groups and groups[-1][1] == slots and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], slots))
    lines = []
    for days, slots in groups:
        if len(days) == 1:
            label = WEEKDAY_NAMES[days[0]]
        elif len(days) == 2:
            label = f"{WEEKDAY_NAMES[days[0]]}、{WEEKDAY_NAMES[days[1]]}"
        else:
            label = f"{WEEKDAY_NAMES[days[0]]}至{WEEKDAY_NAMES[days[-1]]}"
        text = "、".join(s.replace("00:00-24:00", "全天") for s in slots) if slots else "不开放"
        lines.append(f"{label} {text}")
    rule = (hours or {}).get("holidays", "weekly")
    if rule == "closed":
        lines.append("法定节假日 不开放")
    elif rule == "hours":
        lines.append("法定节假日 " + "、".join((hours or {}).get("holiday_hours") or []))
    return lines


def weekly_hours(hours: dict) -> float:
    """Hours open in an ordinary week (public holidays and dates set by hand aside)."""
    total = 0.0
    for day, slots in ((hours or {}).get("weekly") or {}).items():
        for item in slots:
            start, end = item.split("-")
            sh, sm = _clock(start)
            eh, em = (24, 0) if end == "24:00" else _clock(end)
            minutes = (eh * 60 + em) - (sh * 60 + sm)
            total += (minutes if minutes > 0 else minutes + 24 * 60) / 60
    return total
