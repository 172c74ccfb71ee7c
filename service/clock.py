"""China time and the dates people read: every UTC+8 conversion lives here.

Stored times are naive UTC. China has one time zone (UTC+8) and no daylight saving time, so a
fixed offset is exact. Working days are Monday to Friday; public holidays are not modelled."""
from datetime import date, datetime, time, timedelta, timezone

OFFSET = timedelta(hours=8)
CHINA = timezone(OFFSET)


def to_china(value: datetime) -> datetime:
    """A stored (naive UTC) time as an aware China time."""
    return value.replace(tzinfo=timezone.utc).astimezone(CHINA)


def to_utc(value: datetime | None) -> datetime | None:
    """Naive UTC (how every time is stored); a naive input is taken as UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """Today's date in China."""
    return datetime.now(CHINA).date()


def china_date(value: datetime) -> date:
    """The China date of a stored time."""
    return (value + OFFSET).date()


def date_text(value: datetime | None) -> str | None:
    """2026-12-01, the China date of a stored time."""
    return china_date(value).isoformat() if value else None


def minute_text(value: datetime | None) -> str:
    """2026-12-01 09:30 in China time; empty for no time."""
    return (value + OFFSET).strftime("%Y-%m-%d %H:%M") if value else ""


def day_start(day: date) -> datetime:
    """Midnight at the start of a China date, as a stored (naive UTC) time."""
    return datetime.combine(day, time.min) - OFFSET


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 China time, as naive UTC) of the `days`-th working day after `start`."""
    day = china_date(start)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return datetime.combine(day, time(23, 59, 59)) - OFFSET


def age_on(birth: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
