"""The live-session slot finder and a weekly series, pure (``bot.domain.live``)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import live
from bot.domain.worktime import WorkingTime, working_time

ZONES = (
    "Europe/Berlin",  # DST end of March / October
    "Europe/Lisbon",
    "America/New_York",  # DST on other dates than Europe's
    "Asia/Singapore",  # no DST
    "Australia/Sydney",  # DST in the southern summer
    "Asia/Kolkata",  # half an hour off
    "Pacific/Auckland",
    "America/Los_Angeles",
)


CLOCK_CHANGES = (  # UTC, naive
    datetime(2027, 3, 28, 1),  # Europe forward
    datetime(2027, 10, 31, 1),  # Europe back
    datetime(2027, 3, 14, 7),  # US forward
    datetime(2027, 11, 7, 6),  # US back
    datetime(2027, 4, 3, 16),  # Sydney back (4 April, 03:00 local)
    datetime(2027, 10, 2, 16),  # Sydney forward
    datetime(2027, 9, 25, 14),  # Auckland forward
)


def person(tz: str, days: frozenset[int] | None = None) -> WorkingTime:
    return working_time(tz, own_days=sorted(days) if days else None)


@settings(max_examples=200, deadline=None)
@given(
    tz_a=st.sampled_from(ZONES),
    tz_b=st.sampled_from(ZONES),
    days_a=st.frozensets(st.integers(0, 6), min_size=1),
    days_b=st.frozensets(st.integers(0, 6), min_size=1),
    # mostly the week before a clock change of Europe, the US, Australia or New Zealand (it falls inside the seven
    # days searched), else any moment of two years
    now=st.one_of(
        st.sampled_from(CLOCK_CHANGES).flatmap(
            lambda d: st.datetimes(min_value=d - timedelta(days=7), max_value=d + timedelta(hours=12))
        ),
        st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2028, 12, 31)),
    ).map(lambda d: d.replace(tzinfo=UTC)),
)
def test_every_slot_is_inside_both_working_times(tz_a, tz_b, days_a, days_b, now):
    a, b = person(tz_a, days_a), person(tz_b, days_b)
    found = live.find_slots(a, b, now=now)
    if isinstance(found, live.NoSlot):
        # nothing was missed: no half-hour start in the week lies inside both working times
        assert live.candidates(a, b, now=now) == []
        assert found.reason in (live.NO_COMMON_DAY, live.NO_COMMON_HOUR)
        return
    assert 1 <= len(found) <= live.COUNT and found == sorted(set(found))
    for slot in found:
        assert now < slot and slot + live.LENGTH <= now + live.HORIZON
        assert slot.minute in (0, 30) and slot.second == 0 and slot.microsecond == 0
        for who in (a, b):  # start, every minute of it and its last moment: working, on one local day
            for minute in range(30):
                assert who.is_working(slot + timedelta(minutes=minute))
            assert who.is_working(slot + live.LENGTH - live.EPSILON)
    days = {s.date() for s in live.candidates(a, b, now=now)}
    assert len({s.date() for s in found}) == min(len(days), live.COUNT)  # spread over as many days as there are


@settings(max_examples=60, deadline=None)
@given(
    tz_a=st.sampled_from(ZONES),
    tz_b=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 1)).map(
        lambda d: d.replace(tzinfo=UTC, minute=d.minute // 30 * 30, second=0, microsecond=0)
    ),
)
def test_a_weekly_occurrence_that_happens_is_inside_both_working_times(tz_a, tz_b, start):
    """Across clock changes a weekly slot keeps its UTC moment: where it leaves someone's hours it is skipped."""
    a, b = person(tz_a), person(tz_b)
    until = start + timedelta(weeks=20)
    seen = list(live.occurrences(start, weekly=True, until=until))
    assert seen[0] == start and all(later - earlier == live.WEEK for earlier, later in itertools.pairwise(seen))
    for occurrence in seen:
        if live.occurrence_skip(occurrence, a, b) is None:
            assert live.inside(occurrence, a) and live.inside(occurrence, b)


BERLIN, SINGAPORE = person("Europe/Berlin"), person("Asia/Singapore")


def test_berlin_and_singapore_meet_in_the_berlin_morning_on_three_days():
    now = datetime(2027, 3, 22, 6, 0, tzinfo=UTC)  # Monday, the week before Europe's clock change
    found = live.find_slots(BERLIN, SINGAPORE, now=now)
    assert isinstance(found, list) and len(found) == 3
    assert [s.isoformat() for s in found] == [
        "2027-03-22T08:00:00+00:00",  # 09:00 Berlin (CET), 16:00 Singapore
        "2027-03-23T08:00:00+00:00",
        "2027-03-24T08:00:00+00:00",
    ]


def test_after_the_clock_change_the_berlin_window_moves_in_utc():
    now = datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # Easter Monday after the change: Berlin is UTC+2
    found = live.find_slots(BERLIN, SINGAPORE, now=now)
    assert isinstance(found, list) and found[0] == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)  # Tue 09:00 CEST, 15:00 SGT


def test_no_common_hour_and_no_common_day_say_why():
    los_angeles = person("America/Los_Angeles")
    found = live.find_slots(los_angeles, SINGAPORE, now=datetime(2027, 5, 3, tzinfo=UTC))
    assert found == live.NoSlot(live.NO_COMMON_HOUR)  # 15 hours apart: their days never meet
    weekend = person("Europe/Berlin", frozenset({5, 6}))
    found = live.find_slots(BERLIN, weekend, now=datetime(2027, 5, 3, tzinfo=UTC))
    assert found == live.NoSlot(live.NO_COMMON_DAY)


def test_no_slot_on_a_partners_break_and_a_break_that_leaves_none_says_so():
    now = datetime(2027, 6, 7, 5, 0, tzinfo=UTC)  # Monday
    found = live.find_slots(BERLIN, SINGAPORE, now=now, away=(None, date(2027, 6, 8)))
    assert isinstance(found, list) and [s.day for s in found] == [9, 10, 11]  # from Wednesday on
    assert live.find_slots(BERLIN, SINGAPORE, now=now, away=(date(2027, 6, 14), None)) == live.NoSlot(live.ON_BREAK)


def test_the_prompt_offers_find_a_live_slot_to_live_or_mixed_pairs_only():
    from bot.blocks import rhythm
    from bot.ids import ID

    def ids(live_pair: int | None) -> list[str]:
        message = rhythm.prompt(
            "en", week_id=1, number=1, program="P", question=None, card="tool_swap", live_pair=live_pair
        )
        return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]

    assert ID.LIVE_FIND.value in ids(7) and ID.LIVE_FIND.value not in ids(None)


def test_fewer_days_than_slots_fill_from_the_same_day_far_apart():
    only_monday = person("Europe/Berlin", frozenset({0}))
    found = live.find_slots(BERLIN, only_monday, now=datetime(2027, 5, 3, 5, 0, tzinfo=UTC))
    assert isinstance(found, list) and len(found) == 3 and len({s.date() for s in found}) == 1
    # 09:00, then the last start (17:30), then the middle between them, all Berlin time (UTC+2)
    assert [s.strftime("%H:%M") for s in found] == ["07:00", "11:00", "15:30"]


def test_a_holiday_and_a_break_skip_an_occurrence_and_say_why():
    start = datetime(2027, 12, 20, 8, 0, tzinfo=UTC)  # Monday; a week later: 27 Dec, Christmas is the 25th
    assert live.occurrence_skip(start, BERLIN, SINGAPORE) is None
    christmas = datetime(2027, 12, 24, 8, 0, tzinfo=UTC)  # Friday 24 Dec: not a holiday in Germany by law
    assert live.occurrence_skip(christmas, BERLIN, SINGAPORE) is None
    boxing = datetime(2028, 12, 26, 8, 0, tzinfo=UTC)  # Tuesday 26 Dec 2028: second Christmas Day in Germany
    assert live.occurrence_skip(boxing, BERLIN, SINGAPORE) == "holiday"
    assert live.occurrence_skip(start, BERLIN, SINGAPORE, paused=(False, True)) == "paused"


def test_next_occurrence_and_lateness():
    start = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
    until = start + timedelta(weeks=2)
    assert live.next_occurrence(start, weekly=True, until=until, after=start) == start + live.WEEK
    assert live.next_occurrence(start, weekly=True, until=until, after=start + 2 * live.WEEK) is None
    assert live.next_occurrence(start, weekly=False, until=until, after=start) is None
    assert live.is_late(start, now=start - timedelta(hours=23)) and not live.is_late(start, now=start - live.LATE)
    assert live.pair_works_live("async", "mixed") and not live.pair_works_live("async", "async")
