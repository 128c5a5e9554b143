"""Working time, pure: working days and hours on the person's clock, public holidays of their country and region,
weekends and the daylight-saving changes (``bot.domain.worktime``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from bot.domain import agreement, worktime
from bot.domain.worktime import WorkingTime, working_time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


BAVARIA = working_time("Europe/Berlin", region="BY")
BERLIN = working_time("Europe/Berlin", region="BE")


def test_the_country_comes_from_the_profile_else_from_an_unambiguous_zone() -> None:
    assert BAVARIA.country == "DE" and BAVARIA.region == "BY"
    assert working_time("Europe/Vienna").country == "AT"
    assert working_time("Europe/Zurich").country == "CH"
    assert working_time("Europe/Lisbon").country is None  # not in the table: no holidays
    assert working_time("Europe/Lisbon", region="11").region is None  # a region needs a country
    assert working_time("UTC", country="de", region="BY") == WorkingTime("UTC", country="DE", region="BY")


def test_epiphany_is_a_holiday_in_bavaria_but_not_in_berlin() -> None:
    # Wednesday 6 January 2027, 10:00 in Germany (09:00 UTC)
    assert not BAVARIA.is_working(utc(2027, 1, 6, 9))
    assert BERLIN.is_working(utc(2027, 1, 6, 9))
    # a prompt due then reaches Bavaria at 09:00 the next morning, Berlin at once
    assert BAVARIA.next_working(utc(2027, 1, 6, 9)) == utc(2027, 1, 7, 8)
    assert BERLIN.next_working(utc(2027, 1, 6, 9)) == utc(2027, 1, 6, 9)
    # without a region only the nationwide holidays count
    assert working_time("Europe/Berlin").is_working(utc(2027, 1, 6, 9))


def test_corpus_christi_moves_a_bavarian_message_past_the_weekend_into_summer_time() -> None:
    # Thursday 27 May 2027 is Corpus Christi in Bavaria; Friday is a working day again
    assert BAVARIA.next_working(utc(2027, 5, 27, 7)) == utc(2027, 5, 28, 7)  # 09:00 CEST
    assert BERLIN.next_working(utc(2027, 5, 27, 7)) == utc(2027, 5, 27, 7)
    # Friday evening: the weekend, then Monday 09:00
    assert BAVARIA.next_working(utc(2027, 5, 28, 17)) == utc(2027, 5, 31, 7)


def test_a_nationwide_holiday_and_the_weekend_add_up() -> None:
    # Good Friday 26 March 2027, the weekend, Easter Monday 29 March: Tuesday 09:00, after the clocks went forward
    for wt in (BAVARIA, BERLIN, working_time("Europe/Berlin")):
        assert wt.next_working(utc(2027, 3, 26, 8)) == utc(2027, 3, 30, 7)
    # the next working morning keeps 09:00 on the wall clock across the change (08:00 UTC before, 07:00 after)
    assert BERLIN.next_working(utc(2027, 3, 25, 17)) == utc(2027, 3, 30, 7)
    assert BERLIN.next_working(utc(2027, 3, 25, 7, 59)) == utc(2027, 3, 25, 8)


def test_the_autumn_change_keeps_nine_oclock_local() -> None:
    # Friday 29 October 2027 after 18:00 CEST: Monday 1 November 09:00 CET (08:00 UTC) in Berlin; in Bavaria All
    # Saints' Day is a holiday, so Tuesday
    assert BERLIN.next_working(utc(2027, 10, 29, 16)) == utc(2027, 11, 1, 8)
    assert BAVARIA.next_working(utc(2027, 10, 29, 16)) == utc(2027, 11, 2, 8)
    # 17:59 is working time, 18:00 is not
    assert BERLIN.is_working(utc(2027, 11, 1, 16, 59)) and not BERLIN.is_working(utc(2027, 11, 1, 17))


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (utc(2027, 1, 9, 10), False),  # Saturday
        (utc(2027, 1, 10, 10), False),  # Sunday
        (utc(2027, 1, 11, 7, 59), False),  # Monday 08:59
        (utc(2027, 1, 11, 8), True),  # Monday 09:00
        (utc(2027, 1, 1, 10), False),  # New Year's Day, a Friday
    ],
)
def test_weekends_hours_and_new_year(when: datetime, working: bool) -> None:
    assert BERLIN.is_working(when) is working


def test_the_programs_working_days_decide_the_week() -> None:
    four_days = working_time("Europe/Berlin", program_days=[0, 1, 2, 3])
    # Friday 15 January 2027 is no working day of this program: Monday 09:00
    assert four_days.next_working(utc(2027, 1, 15, 9)) == utc(2027, 1, 18, 8)
    assert worktime.working_days([]) == worktime.working_days(["x", 9]) == frozenset(range(5))
    sundays = working_time("Asia/Dubai", program_days=[6, 0, 1, 2, 3])
    assert sundays.is_working(utc(2027, 1, 10, 6))  # Sunday 10:00 in Dubai


def test_a_persons_own_working_days_replace_the_programs() -> None:
    tue_to_sat = working_time("Europe/Berlin", program_days=[0, 1, 2, 3, 4], own_days=[1, 2, 3, 4, 5])
    assert tue_to_sat.days == frozenset({1, 2, 3, 4, 5})
    assert tue_to_sat.is_working(utc(2027, 1, 16, 9))  # Saturday 10:00 in Berlin
    assert not tue_to_sat.is_working(utc(2027, 1, 18, 9))  # Monday 10:00
    # a message due on Sunday reaches them on Tuesday 09:00, not Monday
    assert tue_to_sat.next_working(utc(2027, 1, 17, 9)) == utc(2027, 1, 19, 8)
    # no own days (none named, an empty list, nothing valid in it): the program's
    for own in (None, [], ["x", 7, True]):
        assert worktime.working_days([0, 1, 2, 3], own) == frozenset({0, 1, 2, 3}), own
    assert worktime.working_days(None, None) == frozenset(range(5))


def test_own_days_that_do_not_overlap_the_programs_still_count() -> None:
    # a person who works at the weekend only, in a Monday-to-Friday program: weekends, not the program's days
    weekend = working_time("Europe/Berlin", program_days=[0, 1, 2, 3, 4], own_days=[5, 6])
    assert weekend.days == frozenset({5, 6})
    assert weekend.next_working(utc(2027, 1, 18, 9)) == utc(2027, 1, 23, 8)  # Monday -> Saturday 09:00
    # public holidays still count on their own days: Saturday 1 January 2028 is New Year's Day
    assert weekend.next_working(utc(2027, 12, 31, 9)) == utc(2028, 1, 2, 8)


def test_of_and_of_row_read_the_persons_own_days() -> None:
    person = SimpleNamespace(tz="Europe/Berlin", country=None, region="BY", working_days=[5])
    program = SimpleNamespace(working_days=[0, 1, 2, 3, 4])
    assert worktime.of(person, program).days == frozenset({5})
    assert worktime.of(SimpleNamespace(tz="UTC"), program).days == frozenset(range(5))  # a row without the column
    row = SimpleNamespace(
        working_days=[0, 1, 2],
        **{"tz_a": "Europe/Berlin", "country_a": None, "region_a": "BY", "own_days_a": [6]},
        **{"tz_b": "UTC", "country_b": None, "region_b": None, "own_days_b": None},
    )
    assert worktime.of_row(row, "_a") == WorkingTime("Europe/Berlin", frozenset({6}), country="DE", region="BY")
    assert worktime.of_row(row, "_b") == WorkingTime("UTC", frozenset({0, 1, 2}))


def test_the_regions_offered_and_what_counts_as_one() -> None:
    offered = dict(worktime.regions("DE"))
    assert offered["BY"] == "Bayern" and offered["BE"] == "Berlin" and len(offered) >= 16
    assert dict(worktime.regions("AT"))["9"] == "Wien"
    assert worktime.regions("LU") == () and worktime.regions(None) == ()
    assert worktime.region_code("DE", "BY") == "BY"
    assert worktime.region_code("DE", "XX") is None and worktime.region_code("AT", "BY") is None
    assert worktime.region_code("DE", None) is None and worktime.region_code(None, "BY") is None


def test_a_day_is_a_holiday_only_where_it_is() -> None:
    assert worktime.is_holiday(date(2027, 10, 3), "DE")  # German Unity Day (a Sunday in 2027)
    assert not worktime.is_holiday(date(2027, 10, 3), None)
    assert worktime.is_holiday(date(2027, 11, 1), "DE", "BY") and not worktime.is_holiday(date(2027, 11, 1), "DE")
    assert not worktime.is_holiday(date(2027, 1, 6), "DE", "nowhere")  # an unknown region: nationwide only


def test_an_agreement_reminder_due_on_good_friday_waits_for_tuesday_after_easter() -> None:
    # the agreement arrived Wednesday 24 March 2027, 10:00 in Berlin: the first reminder is due two days later, on
    # Good Friday; with the person's working time it waits for Tuesday 09:00 (summer time by then)
    arrived = utc(2027, 3, 24, 9)
    plain = agreement.reminder_next(
        started_at=arrived, reminders_sent=0, last_reminder_at=None, now=arrived, tz="Europe/Berlin"
    )
    assert plain == utc(2027, 3, 26, 9)
    kept = agreement.reminder_next(started_at=arrived, reminders_sent=0, last_reminder_at=None, now=arrived, tz=BERLIN)
    assert kept == utc(2027, 3, 30, 7)
    for when, due in ((utc(2027, 3, 26, 9), None), (utc(2027, 3, 29, 9), None), (utc(2027, 3, 30, 7), 1)):
        assert (
            agreement.reminder_due(started_at=arrived, reminders_sent=0, last_reminder_at=None, now=when, tz=BERLIN)
            == due
        ), when
