"""Opening hours: weekdays, intervals past midnight, public holidays, dates set by hand."""
from datetime import datetime

import pytest

from service.errors import Invalid
from service.positions.hours import (CHINA, holiday_name, is_open, next_opening, normalise_hours, open_state,
                                     week_summary)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


WEEKDAYS_ONLY = normalise_hours({"weekly": {str(d): ["08:00-12:00", "14:00-18:00"] for d in range(1, 6)}})
NIGHT = normalise_hours({"weekly": {"5": ["22:00-06:00"]}})  # Friday night into Saturday


@pytest.mark.parametrize("moment, expected", [
    ("2026-11-30 07:59", False),  # Monday, before opening
    ("2026-11-30 08:00", True),
    ("2026-11-30 12:00", False),  # the lunch break starts at the end of the first interval
    ("2026-11-30 13:30", False),
    ("2026-11-30 17:59", True),
    ("2026-12-05 10:00", False),  # Saturday
])
def test_weekday_intervals(moment, expected):
    assert is_open(WEEKDAYS_ONLY, at(moment)) is expected


@pytest.mark.parametrize("moment, expected", [
    ("2026-12-04 21:59", False),
    ("2026-12-04 22:00", True),
    ("2026-12-04 23:59", True),
    ("2026-12-05 00:00", True),   # Saturday morning: Friday's night shift goes on
    ("2026-12-05 05:59", True),
    ("2026-12-05 06:00", False),
    ("2026-12-05 22:30", False),  # Saturday has no night shift of its own
    ("2026-12-03 23:00", False),  # nor Thursday
])
def test_an_interval_past_midnight_belongs_to_the_day_it_starts(moment, expected):
    assert is_open(NIGHT, at(moment)) is expected


def test_naive_times_are_utc():
    # 2026-12-04 14:30 UTC is 22:30 in China, inside Friday's night shift
    assert is_open(NIGHT, datetime(2026, 12, 4, 14, 30)) is True


def test_public_holidays_from_the_holidays_package():
    assert holiday_name(datetime(2026, 10, 1).date()) == "国庆节"
    assert holiday_name(datetime(2026, 10, 8).date()) is None
    closed = normalise_hours({"weekly": {str(d): ["09:00-17:00"] for d in range(1, 8)}, "holidays": "closed"})
    short = normalise_hours({"weekly": {str(d): ["09:00-17:00"] for d in range(1, 8)}, "holidays": "hours",
                             "holiday_hours": ["10:00-14:00"]})
    usual = normalise_hours({"weekly": {str(d): ["09:00-17:00"] for d in range(1, 8)}})
    noon, afternoon = at("2026-10-01 12:00"), at("2026-10-01 15:00")
    assert not is_open(closed, noon) and is_open(usual, noon) and is_open(short, noon)
    assert is_open(usual, afternoon) and not is_open(short, afternoon)
    assert is_open(closed, at("2026-10-08 12:00"))  # the first working day after National Day
    # 10-01…10-07 are days off in 2026, but 10-04 is a Sunday the package lists as no holiday of its
    # own: a station open on Sundays opens then; one closed on Sundays waits for 10-08
    assert next_opening(closed, noon).start == at("2026-10-04 09:00")
    weekdays = normalise_hours({"weekly": {str(d): ["09:00-17:00"] for d in range(1, 6)}, "holidays": "closed"})
    assert next_opening(weekdays, noon).start == at("2026-10-08 09:00")


def test_the_night_before_a_closed_holiday_runs_to_its_end():
    hours = normalise_hours({"weekly": {str(d): ["20:00-04:00"] for d in range(1, 8)}, "holidays": "closed"})
    assert is_open(hours, at("2026-10-01 02:00"))      # began 09-30 20:00, a working day
    assert not is_open(hours, at("2026-10-01 21:00"))  # 10-01's own shift does not happen
    assert is_open(hours, at("2026-10-08 03:00")) is False and is_open(hours, at("2026-10-08 20:30"))


def test_a_date_set_by_hand_wins_over_weekday_and_holiday():
    hours = normalise_hours({"weekly": {str(d): ["09:00-17:00"] for d in range(1, 8)}, "holidays": "closed",
                             "exceptions": {"2026-12-02": [], "2026-10-01": ["08:00-24:00"]}})
    assert not is_open(hours, at("2026-12-02 10:00"))
    assert is_open(hours, at("2026-10-01 23:30"))
    assert not is_open(hours, at("2026-10-02 10:00"))


def test_open_state_phrases():
    assert open_state(WEEKDAYS_ONLY, at("2026-11-30 09:00")) == (True, "开放中，今天 12:00 结束")
    assert open_state(WEEKDAYS_ONLY, at("2026-11-30 12:30")) == (False, "未开放，今天 14:00 开放")
    assert open_state(WEEKDAYS_ONLY, at("2026-11-30 19:00")) == (False, "未开放，明天 08:00 开放")
    assert open_state(WEEKDAYS_ONLY, at("2026-12-05 10:00")) == (False, "未开放，后天 08:00 开放")
    assert open_state(WEEKDAYS_ONLY, at("2026-12-04 19:00")) == (False, "未开放，周一 08:00 开放")
    assert open_state(NIGHT, at("2026-12-04 23:00")) == (True, "开放中，明天 06:00 结束")
    all_day = normalise_hours({"weekly": {str(d): ["00:00-24:00"] for d in range(1, 8)}})
    assert open_state(all_day, at("2026-12-04 23:00")) == (True, "开放中，全天候开放")
    to_midnight = normalise_hours({"weekly": {"1": ["18:00-24:00"]}})
    assert open_state(to_midnight, at("2026-11-30 19:00")) == (True, "开放中，今天 24:00 结束")
    assert open_state(normalise_hours({}), at("2026-11-30 19:00")) == (False, "近期不开放")


def test_week_summary_groups_equal_days():
    assert week_summary(WEEKDAYS_ONLY) == ["周一至周五 08:00-12:00、14:00-18:00", "周六、周日 不开放"]


@pytest.mark.parametrize("bad, field", [
    ({"weekly": {"1": ["8:00-20:00"]}}, "hours.weekly.1"),
    ({"weekly": {"1": ["08:00-25:00"]}}, "hours.weekly.1"),
    ({"weekly": {"1": ["08:00-08:00"]}}, "hours.weekly.1"),
    ({"weekly": {"1": "08:00-20:00"}}, "hours.weekly.1"),
    ({"weekly": {"8": ["08:00-20:00"]}}, "hours.weekly"),
    ({"weekly": {"1": ["08:00-20:00\x00"]}}, "hours.weekly.1"),
    ({"holidays": "sometimes"}, "hours.holidays"),
    ({"holidays": "hours"}, "hours.holiday_hours"),
    ({"exceptions": {"2026-02-30": []}}, "hours.exceptions"),
    ({"weekly": {"1": [["08:00", "20:00"]]}}, "hours.weekly.1"),
    ({"colour": "red"}, "hours"),
])
def test_bad_hours_are_refused_in_chinese(bad, field):
    with pytest.raises(Invalid) as caught:
        normalise_hours(bad)
    assert field in caught.value.fields
    assert all("\u4e00" <= ch <= "\u9fff" for ch in caught.value.fields[field][:1])
