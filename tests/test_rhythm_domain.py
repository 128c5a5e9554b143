"""The weekly rhythm's rules: each partner's moment in their own zone (exact UTC instants in eight zones, across
daylight-saving changes in both directions, Sydney's included), the earlier-partner rule, the schedule, the
mid-week nudge, the silence rule, pauses, and cancelling or moving a week."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import rhythm as rules
from bot.domain.rhythm import WeekSignal, WeekStatus
from bot.domain.worktime import working_time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- each partner's moment: Monday 09:00 on their own wall clock ---------------------------------------------
# Spring 2027: US clocks go forward on Sunday 14 March, Europe's on Sunday 28 March, and Sydney's go *back* on
# Sunday 4 April (end of its summer time). Autumn 2027: Sydney forward on Sunday 3 October, Europe back on
# Sunday 31 October, the US back on Sunday 7 November. Singapore and Kolkata keep one offset all year.
SPRING = [
    # Berlin: CET (UTC+1), then CEST (UTC+2) from 28 March
    ("Europe/Berlin", date(2027, 3, 22), utc(2027, 3, 22, 8)),
    ("Europe/Berlin", date(2027, 3, 29), utc(2027, 3, 29, 7)),
    # Lisbon: WET (UTC+0), then WEST (UTC+1) from 28 March
    ("Europe/Lisbon", date(2027, 3, 22), utc(2027, 3, 22, 9)),
    ("Europe/Lisbon", date(2027, 3, 29), utc(2027, 3, 29, 8)),
    # New York: EST (UTC-5), then EDT (UTC-4) from 14 March
    ("America/New_York", date(2027, 3, 8), utc(2027, 3, 8, 14)),
    ("America/New_York", date(2027, 3, 15), utc(2027, 3, 15, 13)),
    # Los Angeles: PST (UTC-8), then PDT (UTC-7) from 14 March
    ("America/Los_Angeles", date(2027, 3, 8), utc(2027, 3, 8, 17)),
    ("America/Los_Angeles", date(2027, 3, 15), utc(2027, 3, 15, 16)),
    # Sydney: AEDT (UTC+11), then AEST (UTC+10) from 4 April; Monday 09:00 there is Sunday evening in UTC
    ("Australia/Sydney", date(2027, 3, 29), utc(2027, 3, 28, 22)),
    ("Australia/Sydney", date(2027, 4, 5), utc(2027, 4, 4, 23)),
    # no DST
    ("Asia/Singapore", date(2027, 3, 22), utc(2027, 3, 22, 1)),
    ("Asia/Singapore", date(2027, 3, 29), utc(2027, 3, 29, 1)),
    ("Asia/Kolkata", date(2027, 3, 22), utc(2027, 3, 22, 3, 30)),
    ("Asia/Kolkata", date(2027, 3, 29), utc(2027, 3, 29, 3, 30)),
]
AUTUMN = [
    ("Australia/Sydney", date(2027, 9, 27), utc(2027, 9, 26, 23)),
    ("Australia/Sydney", date(2027, 10, 4), utc(2027, 10, 3, 22)),
    ("Europe/Berlin", date(2027, 10, 25), utc(2027, 10, 25, 7)),
    ("Europe/Berlin", date(2027, 11, 1), utc(2027, 11, 1, 8)),
    ("Europe/Lisbon", date(2027, 10, 25), utc(2027, 10, 25, 8)),
    ("Europe/Lisbon", date(2027, 11, 1), utc(2027, 11, 1, 9)),
    ("America/New_York", date(2027, 11, 1), utc(2027, 11, 1, 13)),
    ("America/New_York", date(2027, 11, 8), utc(2027, 11, 8, 14)),
    ("America/Los_Angeles", date(2027, 11, 1), utc(2027, 11, 1, 16)),
    ("America/Los_Angeles", date(2027, 11, 8), utc(2027, 11, 8, 17)),
    ("Asia/Singapore", date(2027, 11, 1), utc(2027, 11, 1, 1)),
    ("Asia/Kolkata", date(2027, 11, 1), utc(2027, 11, 1, 3, 30)),
]


@pytest.mark.parametrize(("tz", "day", "expected"), SPRING + AUTUMN)
def test_a_partners_moment_is_nine_on_their_own_clock_across_dst(tz: str, day: date, expected: datetime) -> None:
    assert rules.moment(day, 9, tz) == expected


def test_an_hour_dst_skips_becomes_the_hour_after_and_a_repeated_hour_is_the_first() -> None:
    # 02:00 does not exist in Berlin on 28 March 2027 (01:59 CET -> 03:00 CEST): it is read as 03:00 CEST
    assert rules.moment(date(2027, 3, 28), 2, "Europe/Berlin") == utc(2027, 3, 28, 1)
    # 02:00 happens twice on 31 October 2027: the first one, still CEST
    assert rules.moment(date(2027, 10, 31), 2, "Europe/Berlin") == utc(2027, 10, 31, 0)
    # an unknown zone counts as UTC
    assert rules.moment(date(2027, 3, 22), 9, "Mars/Olympus") == utc(2027, 3, 22, 9)


# -- the earlier-partner rule --------------------------------------------------------------------------------
def test_the_thread_goes_at_the_earlier_moment_and_the_later_partner_gets_a_dm_at_theirs() -> None:
    berlin, singapore = 1, 2
    zones = {berlin: "Europe/Berlin", singapore: "Asia/Singapore"}
    winter = rules.plan(1, date(2027, 3, 22), 9, zones)
    assert winter.thread_at == utc(2027, 3, 22, 1)  # 09:00 in Singapore, 02:00 in Berlin
    assert winter.at == {berlin: utc(2027, 3, 22, 8), singapore: utc(2027, 3, 22, 1)}
    assert winter.nudged == {berlin}
    summer = rules.plan(2, date(2027, 3, 29), 9, zones)
    assert summer.thread_at == utc(2027, 3, 29, 1)
    assert summer.at[berlin] == utc(2027, 3, 29, 7)  # Berlin moved an hour closer
    assert summer.nudged == {berlin}


def test_an_hour_apart_is_enough_for_a_nudge_and_the_same_offset_gets_none() -> None:
    berlin, lisbon, other = 1, 2, 3
    plan = rules.plan(1, date(2027, 3, 29), 9, {berlin: "Europe/Berlin", lisbon: "Europe/Lisbon"})
    assert (plan.thread_at, plan.nudged) == (utc(2027, 3, 29, 7), {lisbon})
    assert plan.at[lisbon] == utc(2027, 3, 29, 8)
    same = rules.plan(1, date(2027, 3, 29), 9, {berlin: "Europe/Berlin", other: "Europe/Paris"})
    assert (same.thread_at, same.nudged) == (utc(2027, 3, 29, 7), frozenset())
    # Kolkata's half hour: 2.5 hours behind Singapore
    half = rules.plan(1, date(2027, 3, 29), 9, {berlin: "Asia/Singapore", other: "Asia/Kolkata"})
    assert (half.thread_at, half.nudged, half.at[other]) == (utc(2027, 3, 29, 1), {other}, utc(2027, 3, 29, 3, 30))


def test_sydney_is_earlier_than_los_angeles_by_most_of_a_day_and_the_gap_changes_with_each_dst() -> None:
    sydney, la = 1, 2
    zones = {sydney: "Australia/Sydney", la: "America/Los_Angeles"}
    gaps = {}
    for day in (date(2027, 3, 8), date(2027, 3, 15), date(2027, 4, 5)):
        plan = rules.plan(1, day, 9, zones)
        assert plan.thread_at == plan.at[sydney] and plan.nudged == {la}
        gaps[day] = plan.at[la] - plan.at[sydney]
    # 19 h (PST vs AEDT), 18 h after the US springs forward, 17 h after Sydney falls back
    assert gaps == {
        date(2027, 3, 8): timedelta(hours=19),
        date(2027, 3, 15): timedelta(hours=18),
        date(2027, 4, 5): timedelta(hours=17),
    }


def test_new_york_and_berlin_are_five_hours_apart_for_the_two_weeks_between_the_us_and_the_eu_change() -> None:
    ny, berlin = 1, 2
    zones = {ny: "America/New_York", berlin: "Europe/Berlin"}
    gap = {d: rules.plan(1, d, 9, zones).at[ny] - rules.plan(1, d, 9, zones).thread_at for d in _mondays(3, 8, 4)}
    assert [h.total_seconds() / 3600 for h in gap.values()] == [6, 5, 5, 6]


def _mondays(month: int, day: int, count: int) -> list[date]:
    return [date(2027, month, day) + timedelta(weeks=i) for i in range(count)]


# -- the schedule --------------------------------------------------------------------------------------------
def _schedule(**kw: object) -> rules.Schedule:
    args: dict = {
        "weekday": 0,
        "hour": 9,
        "rhythm": "weekly",
        "duration_weeks": 8,
        "program_start": date(2027, 3, 15),
        "started_on": date(2027, 3, 1),
    }
    args.update(kw)
    return rules.schedule(**args)


def test_week_one_is_the_weekday_on_or_after_the_start_and_after_the_pair_started() -> None:
    assert _schedule().first_day == date(2027, 3, 15)  # the program starts on a Monday
    assert _schedule(started_on=date(2027, 3, 15)).first_day == date(2027, 3, 22)  # never the day they met
    assert _schedule(started_on=date(2027, 3, 14)).first_day == date(2027, 3, 15)
    assert _schedule(weekday=2).first_day == date(2027, 3, 17)  # Wednesdays
    assert _schedule(program_start=date(2027, 3, 17)).first_day == date(2027, 3, 22)
    assert _schedule(program_start=None, started_on=date(2027, 3, 17)).first_day == date(2027, 3, 22)


def test_weekly_and_biweekly_weeks_until_the_program_ends() -> None:
    weekly = _schedule()
    assert (weekly.weeks, weekly.end_day) == (8, date(2027, 5, 10))
    assert [weekly.day(n) for n in (1, 2, 8)] == [date(2027, 3, 15), date(2027, 3, 22), date(2027, 5, 3)]
    late = _schedule(started_on=date(2027, 4, 20))  # joined half way: only the weeks left
    assert (late.first_day, late.weeks) == (date(2027, 4, 26), 2)
    biweekly = _schedule(rhythm="biweekly")
    assert biweekly.weeks == 4
    assert [biweekly.day(n) for n in range(1, 5)] == [date(2027, 3, 15) + timedelta(days=14 * i) for i in range(4)]
    assert _schedule(started_on=date(2027, 5, 20)).weeks == 0  # matched after the end: no prompts
    own = _schedule(program_start=None, started_on=date(2027, 3, 10), duration_weeks=2)
    assert (own.first_day, own.weeks, own.end_day) == (date(2027, 3, 15), 2, date(2027, 3, 29))


def test_due_hands_over_the_latest_week_whose_thread_moment_has_come() -> None:
    sched = _schedule()
    zones = {1: "Europe/Berlin", 2: "Asia/Singapore"}
    first = utc(2027, 3, 15, 1)  # Singapore's 09:00
    assert rules.due(sched, handled=0, moved={}, zones=zones, now=first - timedelta(seconds=1)).week is None
    come = rules.due(sched, handled=0, moved={}, zones=zones, now=first)
    assert come.missed == () and come.week is not None
    assert (come.week.number, come.week.day, come.week.thread_at) == (1, date(2027, 3, 15), first)
    assert rules.due(sched, handled=1, moved={}, zones=zones, now=first + timedelta(days=3)).week is None
    # the clock was down for two weeks: weeks 1 and 2 were missed, week 3 comes now, alone
    caught = rules.due(sched, handled=0, moved={}, zones=zones, now=utc(2027, 3, 29, 1))
    assert caught.missed == (1, 2) and caught.week is not None and caught.week.number == 3
    # after the last week nothing more
    assert rules.due(sched, handled=8, moved={}, zones=zones, now=utc(2027, 6, 1)).week is None


def test_a_moved_week_comes_on_its_new_day() -> None:
    sched = _schedule()
    zones = {1: "Europe/Berlin", 2: "Europe/Lisbon"}
    moved = {2: date(2027, 3, 24)}  # Wednesday
    assert rules.due(sched, handled=1, moved=moved, zones=zones, now=utc(2027, 3, 22, 12)).week is None
    come = rules.due(sched, handled=1, moved=moved, zones=zones, now=utc(2027, 3, 24, 8))
    assert come.week is not None and (come.week.number, come.week.day) == (2, date(2027, 3, 24))
    assert [p.day for p in rules.upcoming(sched, after=1, moved=moved, zones=zones, limit=2)] == [
        date(2027, 3, 24),
        date(2027, 3, 29),
    ]


def test_method_cards_rotate_and_the_thread_speaks_the_pairs_language() -> None:
    cards = [rules.method_card(n) for n in range(1, len(rules.METHOD_CARDS) + 2)]
    assert cards[: len(rules.METHOD_CARDS)] == list(rules.METHOD_CARDS)
    assert cards[-1] == rules.METHOD_CARDS[0]
    assert {"storytelling", "shadowing", "microlearning", "field_experiment"} <= set(rules.METHOD_CARDS)
    assert (rules.pair_locale("de", "de"), rules.pair_locale("de", "en"), rules.pair_locale("en", "en")) == (
        "de",
        "en",
        "en",
    )


# -- the mid-week nudge --------------------------------------------------------------------------------------
def test_the_midweek_nudge_is_halfway_in_the_partners_workday_daytime() -> None:
    monday = utc(2027, 3, 15, 8)  # 09:00 in Berlin
    # halfway is Thursday 21:00 in Berlin: the next daytime is Friday 09:00
    assert rules.midweek_at(monday, next_at=None, every_days=7, tz="Europe/Berlin") == utc(2027, 3, 19, 8)
    assert rules.midweek_at(monday, next_at=utc(2027, 3, 22, 8), every_days=7, tz="Europe/Berlin") == utc(
        2027, 3, 19, 8
    )
    # Singapore: Monday 09:00 (01:00 UTC) -> Thursday 21:00 there -> Friday 09:00 there
    assert rules.midweek_at(utc(2027, 3, 15, 1), next_at=None, every_days=7, tz="Asia/Singapore") == utc(2027, 3, 19, 1)
    # fortnightly: exactly a week later, Monday 09:00, already daytime
    assert rules.midweek_at(monday, next_at=None, every_days=14, tz="Europe/Berlin") == utc(2027, 3, 22, 8)
    # New York across the US change: Monday 09:00 EST -> Friday 09:00 EDT
    assert rules.midweek_at(utc(2027, 3, 8, 14), next_at=None, every_days=7, tz="America/New_York") == utc(
        2027, 3, 12, 14
    )


def test_no_midweek_nudge_when_the_next_prompt_is_too_close() -> None:
    saturday = utc(2027, 3, 20, 8)  # a week moved to Saturday; the next prompt is Monday
    assert rules.midweek_at(saturday, next_at=utc(2027, 3, 22, 8), every_days=7, tz="Europe/Berlin") is None


def test_a_nudge_half_a_day_late_is_dropped() -> None:
    planned = utc(2027, 3, 19, 8)
    assert not rules.is_stale(planned, now=planned + timedelta(hours=12))
    assert rules.is_stale(planned, now=planned + timedelta(hours=12, minutes=1))


# -- silence -------------------------------------------------------------------------------------------------
def _w(number: int, status: str = WeekStatus.OPEN, heard: bool = False, flagged: bool = False) -> WeekSignal:
    return WeekSignal(number=number, status=status, heard=heard, flagged=flagged)


def test_two_silent_prompted_weeks_in_a_row_are_flagged_once() -> None:
    assert rules.silence_to_flag([_w(1)]) == ()
    assert rules.silence_to_flag([_w(1), _w(2)]) == (1, 2)
    assert rules.silence_to_flag([_w(1, heard=True), _w(2), _w(3)]) == (2, 3)
    assert rules.silence_to_flag([_w(1), _w(2, heard=True), _w(3)]) == ()
    assert rules.silence_to_flag([_w(1), _w(2, flagged=True), _w(3)]) == ()  # the same stretch: once
    assert rules.silence_to_flag([_w(1), _w(2, flagged=True), _w(3, heard=True), _w(4), _w(5)]) == (4, 5)
    assert rules.silence_to_flag([_w(1, WeekStatus.CLOSED, heard=True), _w(2), _w(3)]) == (2, 3)


def test_paused_and_missed_weeks_neither_count_nor_break_silence_and_a_cancellation_breaks_it() -> None:
    assert rules.silence_to_flag([_w(1), _w(2, WeekStatus.SKIPPED), _w(3)]) == (1, 3)
    assert rules.silence_to_flag([_w(1, WeekStatus.SKIPPED), _w(2, WeekStatus.MISSED), _w(3)]) == ()
    assert rules.silence_to_flag([_w(1), _w(2, WeekStatus.CANCELLED), _w(3)]) == ()
    assert rules.silence_to_flag([_w(1, WeekStatus.CANCELLED), _w(2), _w(3)]) == (2, 3)


# -- pauses --------------------------------------------------------------------------------------------------
def test_a_pause_covers_every_day_up_to_and_including_its_last() -> None:
    until = date(2027, 4, 4)
    assert rules.is_paused(until, date(2027, 3, 29)) and rules.is_paused(until, until)
    assert not rules.is_paused(until, date(2027, 4, 5)) and not rules.is_paused(None, until)
    # "now" on the person's own calendar: Sunday 23:30 UTC is already Monday in Berlin
    assert rules.paused_now(until, now=utc(2027, 4, 4, 21, 30), tz="Europe/Berlin")
    assert not rules.paused_now(until, now=utc(2027, 4, 4, 22, 30), tz="Europe/Berlin")


def test_pause_days_from_today_within_six_months() -> None:
    now = utc(2027, 3, 22, 23, 30)  # Tuesday already in Singapore, still Monday in New York
    assert rules.parse_pause_until("2027-03-22", now=now, tz="America/New_York") == (date(2027, 3, 22), None)
    assert rules.parse_pause_until("2027-03-22", now=now, tz="Asia/Singapore") == (None, "pause.past")
    assert rules.parse_pause_until("2027-09-21", now=now, tz="Europe/Berlin") == (date(2027, 9, 21), None)
    assert rules.parse_pause_until("2027-09-30", now=now, tz="Europe/Berlin") == (None, "pause.too_far")
    assert rules.parse_pause_until("next week", now=now, tz="Europe/Berlin") == (None, "pause.invalid")
    assert rules.parse_pause_until(None, now=now, tz="Europe/Berlin") == (None, "pause.invalid")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", rules.PauseCommand("status")),
        ("off", rules.PauseCommand("off")),
        ("AUS", rules.PauseCommand("off")),
        ("until 2027-04-04", rules.PauseCommand("until", "2027-04-04")),
        ("bis  2027-04-04", rules.PauseCommand("until", "2027-04-04")),
        ("2027-04-04", rules.PauseCommand("until", "2027-04-04")),
        ("until next week", rules.PauseCommand("until", "until next week")),
    ],
)
def test_pause_command(args: str, expected: rules.PauseCommand) -> None:
    assert rules.parse_pause_command(args) == expected


# -- cancel and move -----------------------------------------------------------------------------------------
def test_late_means_less_than_24_hours_before_the_weeks_prompt() -> None:
    prompt = utc(2027, 3, 29, 7)
    assert not rules.is_late(thread_at=prompt, now=prompt - timedelta(hours=25))
    assert not rules.is_late(thread_at=prompt, now=prompt - timedelta(hours=24))
    assert rules.is_late(thread_at=prompt, now=prompt - timedelta(hours=23, minutes=59))
    assert rules.is_late(thread_at=prompt, now=prompt + timedelta(hours=2))  # the week under way


def test_a_week_moves_only_between_its_neighbours_and_into_the_future() -> None:
    sched = _schedule()
    zones = {1: "Europe/Berlin", 2: "Asia/Singapore"}
    now = utc(2027, 3, 20, 12)  # Saturday before week 2

    def error(number: int, day: date | None, moved: dict | None = None) -> str | None:
        return rules.move_error(day, number=number, sched=sched, moved=moved or {}, zones=zones, now=now)

    assert error(3, date(2027, 3, 31)) is None  # Monday 29 -> Wednesday 31
    assert error(3, None) == "move_to.required"
    assert error(3, date(2027, 3, 29)) == "move_to.same"
    assert error(2, date(2027, 3, 20)) == "move_to.past"  # Singapore's 09:00 today has passed
    assert error(2, date(2027, 3, 21)) is None  # Sunday: still ahead everywhere
    assert error(3, date(2027, 3, 22)) == "move_to.order"  # onto week 2's day
    assert error(3, date(2027, 4, 5)) == "move_to.order"  # onto week 4's day
    assert error(3, date(2027, 4, 2)) is None
    assert error(3, date(2027, 4, 2), {4: date(2027, 4, 1)}) == "move_to.order"  # week 4 was moved earlier
    assert error(8, date(2027, 5, 9)) is None and error(8, date(2027, 5, 10)) == "move_to.order"  # the end
    assert rules.move_bounds(3, sched=sched, moved={}) == (date(2027, 3, 22), date(2027, 4, 5))
    assert rules.move_bounds(1, sched=sched, moved={}) == (None, date(2027, 3, 22))


# -- when the clock next has something to do ---------------------------------------------------------------------
# zones with daylight-saving changes at 02:00, 03:00 and midnight (Santiago, Havana), south and north, and none
NEXT_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Santiago",
    "America/Havana",
    "Europe/Lisbon",
    "Asia/Singapore",
)
MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC))


def before(now: datetime, moment: datetime, fractions: list[float]) -> list[datetime]:
    """Moments from ``now`` up to (not including) ``moment``: right before it, and spread over the gap."""
    if moment <= now:
        return []
    gap = moment - now
    found = [now, moment - timedelta(microseconds=1), moment - timedelta(minutes=1), moment - timedelta(hours=1)]
    found += [now + gap * f for f in fractions]
    return [t for t in found if now <= t < moment]


@settings(max_examples=300, deadline=None)
@given(
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    rhythm=st.sampled_from(["weekly", "biweekly"]),
    weeks=st.integers(1, 16),
    program_start=st.none() | st.dates(date(2026, 1, 1), date(2029, 6, 1)),
    started=st.dates(date(2026, 1, 1), date(2029, 6, 1)),
    zones=st.tuples(st.sampled_from(NEXT_ZONES), st.sampled_from(NEXT_ZONES)),
    handled=st.integers(0, 18),
    move=st.none() | st.integers(0, 13),
    offset=st.timedeltas(timedelta(days=-20), timedelta(days=250)),
    fractions=st.lists(st.floats(0, 1), max_size=6),
)
def test_next_moment_is_when_due_first_finds_a_week(
    weekday: int,
    hour: int,
    rhythm: str,
    weeks: int,
    program_start: date | None,
    started: date,
    zones: tuple[str, str],
    handled: int,
    move: int | None,
    offset: timedelta,
    fractions: list[float],
) -> None:
    sched = rules.schedule(
        weekday=weekday, hour=hour, rhythm=rhythm, duration_weeks=weeks, program_start=program_start, started_on=started
    )
    now = datetime.combine(sched.first_day, time(0), tzinfo=UTC) + offset
    moved: dict[int, date] = {}
    number = handled + 1
    if move is not None and number <= sched.weeks:  # the next week moved to a day between its neighbours
        after, until = rules.move_bounds(number, sched=sched, moved={})
        first = (after or sched.day(number) - timedelta(days=14)) + timedelta(days=1)
        days = [first + timedelta(days=d) for d in range((until - first).days)]
        moved = {number: days[move % len(days)]} if days else {}
    tz = {1: zones[0], 2: zones[1]}
    moment = rules.next_moment(sched, handled=handled, moved=moved, zones=tz)

    def found(at: datetime) -> bool:
        return rules.due(sched, handled=handled, moved=moved, zones=tz, now=at).week is not None

    if moment is None:
        assert handled >= sched.weeks
        assert not any(found(now + timedelta(days=30 * k)) for k in range(0, 60, 7))
        return
    assert not any(found(at) for at in before(now, moment, fractions))
    assert found(moment)


@given(planned=MOMENTS)
def test_a_nudge_is_stale_from_stale_from_on(planned: datetime) -> None:
    start = rules.stale_from(planned)
    assert not rules.is_stale(planned, now=start - timedelta(microseconds=1))
    assert not rules.is_stale(planned, now=planned + rules.NUDGE_STALE)
    assert rules.is_stale(planned, now=start) and rules.is_stale(planned, now=start + timedelta(days=3))


@settings(max_examples=300, deadline=None)
@given(
    until=st.dates(date(2026, 1, 1), date(2029, 12, 1)),
    tz=st.sampled_from(NEXT_ZONES),
    back=st.lists(st.timedeltas(timedelta(0), timedelta(days=3)), max_size=5),
    ahead=st.lists(st.timedeltas(timedelta(0), timedelta(days=400)), max_size=5),
)
def test_a_pause_ends_at_the_start_of_the_next_day_where_the_person_is(
    until: date, tz: str, back: list[timedelta], ahead: list[timedelta]
) -> None:
    end = rules.pause_ends_at(until, tz)
    for at in [end - timedelta(microseconds=1), end - timedelta(hours=1), *(end - d for d in back if d)]:
        assert rules.paused_now(until, now=at, tz=tz)
    for at in [end, end + timedelta(microseconds=1), *(end + d for d in ahead)]:
        assert not rules.paused_now(until, now=at, tz=tz)


def test_a_partner_with_working_time_gets_the_week_at_their_next_working_morning() -> None:
    bavaria, berlin = working_time("Europe/Berlin", region="BY"), working_time("Europe/Berlin", region="BE")
    # Wednesday 6 January 2027, Epiphany: a holiday in Bavaria only
    week = rules.plan(1, date(2027, 1, 6), 9, {1: bavaria, 2: berlin})
    assert week.at == {1: datetime(2027, 1, 7, 8, tzinfo=UTC), 2: datetime(2027, 1, 6, 8, tzinfo=UTC)}
    assert week.thread_at == datetime(2027, 1, 6, 8, tzinfo=UTC) and week.nudged == {1}
    assert week.day == date(2027, 1, 6)  # the week keeps its day
    # an hour after working time (19:00) moves to the next morning; a zone name alone keeps the hour
    assert rules.plan(1, date(2027, 1, 6), 19, {2: berlin}).at[2] == datetime(2027, 1, 7, 8, tzinfo=UTC)
    assert rules.plan(1, date(2027, 1, 6), 19, {2: "Europe/Berlin"}).at[2] == datetime(2027, 1, 6, 18, tzinfo=UTC)
    # the mid-week nudge halfway to Good Friday 2027 (26 March) waits for Tuesday after Easter Monday, and is then
    # too close to the next prompt
    own = datetime(2027, 3, 22, 8, tzinfo=UTC)
    assert rules.midweek_at(own, next_at=None, every_days=7, tz=berlin) is None
    assert rules.midweek_at(own, next_at=None, every_days=7, tz="Europe/Berlin") == datetime(2027, 3, 26, 8, tzinfo=UTC)


# -- the reversed roles -------------------------------------------------------------------------------------------
def test_the_digital_side_moderates_first_then_they_take_turns_and_the_context_side_owns_the_logistics() -> None:
    first = rules.roles(1, "context", "digital")
    assert (first.moderator, first.next_moderator, first.logistics) == (1, 0, 0)
    assert (first.digital, first.context) == (1, 0)
    assert [rules.roles(n, "context", "digital").moderator for n in range(1, 6)] == [1, 0, 1, 0, 1]
    assert [rules.roles(n, "digital", "context").moderator for n in range(1, 5)] == [0, 1, 0, 1]
    # nobody brings digital skills only: partner a starts; one bringing context only still owns the logistics
    both = rules.roles(1, "both", "context")
    assert (both.moderator, both.logistics, both.digital, both.context) == (0, 1, None, None)
    # the same on both sides, or not said: either proposes the logistics, and no side's practices are named
    for a, b in (("both", "both"), ("context", "context"), (None, None)):
        same = rules.roles(1, a, b)
        assert (same.moderator, same.logistics, same.digital, same.context) == (0, None, None, None)
    assert rules.roles(1, None, "digital").moderator == 1


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_prompt_names_the_moderator_the_logistics_in_the_first_week_and_each_sides_practices(locale: str) -> None:
    from bot.blocks import rhythm as blocks

    roles = blocks.WeekRoles(
        moderator="U0DIGITAL",
        next_moderator="U0CONTEXT",
        logistics="U0CONTEXT",
        digital="U0DIGITAL",
        context="U0CONTEXT",
    )

    def text(number: int, week_roles: blocks.WeekRoles) -> str:
        message = blocks.prompt(
            locale, week_id=7, number=number, program="Pilot", question=None, card="storytelling", roles=week_roles
        )
        return json.dumps(message["blocks"], ensure_ascii=False)

    first = text(1, roles)
    assert first.index("<@U0DIGITAL>") < first.index("<@U0CONTEXT>")  # this week's moderator, then next week's
    assert first.count("<@U0CONTEXT>") == 3  # next week's moderator, the logistics, the practices
    assert ":calendar:" in first and ":bulb:" in first
    later = text(2, roles)
    assert ":calendar:" not in later and later.count("<@U0CONTEXT>") == 2
    last = text(8, blocks.WeekRoles(moderator="U0DIGITAL", next_moderator=None))
    assert "<@U0CONTEXT>" not in last and "<@U0DIGITAL>" in last  # no next week to hand over to; practices for both
