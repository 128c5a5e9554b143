"""Speed dating, pure: mutual, fair, constraint-respecting intros; combining answers; the hosts' deadline."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import matching as m
from bot.domain import speed
from tests.helpers import REF, person, pools


def _check(intros: list[speed.Intro], people: list[m.Candidate], pool: dict) -> None:
    by_id = {c.id: c for c in people}
    shown = {(i.viewer, i.candidate) for i in intros}
    assert len(shown) == len(intros), "nobody is shown the same person twice"
    assert all((c, v) in shown for v, c in shown), "every intro goes both ways"
    per_person = Counter(i.viewer for i in intros)
    assert max(per_person.values(), default=0) <= speed.INTROS
    for v, c in shown:
        violation = m.hard_constraint(
            by_id[v], by_id[c], reference=pool["reference"], weights=pool["weights"], past_pairs=pool["past_pairs"]
        )
        assert violation is None, (v, c, violation)
    positions = {v: sorted(i.position for i in intros if i.viewer == v) for v in per_person}
    assert all(p == list(range(len(p))) for p in positions.values()), "card positions are 0, 1, 2"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=12))
def test_intros_are_mutual_capped_and_never_break_a_hard_constraint(pool: dict) -> None:
    people = pool["people"]
    intros = speed.intros(people, reference=pool["reference"], weights=pool["weights"], past_pairs=pool["past_pairs"])
    _check(intros, people, pool)


def test_the_larger_side_is_spread_over_the_rounds() -> None:
    # 6 digital, 3 context: the 3 context people can give 9 intros; each digital person gets at least one
    people = [person(i, "digital", mode="async") for i in range(1, 7)] + [
        person(i, "context", mode="async") for i in range(7, 10)
    ]
    intros = speed.intros(people, reference=REF)
    per_person = Counter(i.viewer for i in intros)
    assert all(per_person[i] == 3 for i in range(7, 10))
    assert all(1 <= per_person[i] <= 2 for i in range(1, 7))
    assert sum(per_person[i] for i in range(1, 7)) == 9


def test_everyone_gets_three_in_a_balanced_pool_and_past_pairs_are_skipped() -> None:
    people = [person(i, "digital" if i % 2 else "context", mode="async") for i in range(1, 13)]
    past = {frozenset((1, 2))}
    intros = speed.intros(people, reference=REF, past_pairs=past)
    assert Counter(i.viewer for i in intros) == {i: 3 for i in range(1, 13)}
    assert (1, 2) not in {(i.viewer, i.candidate) for i in intros}
    # the first round is the optimal matching itself: position 0 equals match()'s pairs
    first = {frozenset((i.viewer, i.candidate)) for i in intros if i.position == 0}
    best = {frozenset((p.a.id, p.b.id)) for p in m.match(people, reference=REF, past_pairs=past).pairs}
    assert first == best


def test_nobody_compatible_gets_no_intro() -> None:
    people = [person(1, "digital"), person(2, "digital")]
    assert speed.intros(people, reference=REF) == []


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (["yes", "yes"], "yes"),
        (["yes", "maybe"], "maybe"),
        (["maybe", "maybe"], "maybe"),
        (["yes", "no"], "no"),
        (["no", None], "no"),
        (["yes", None], None),
        (["yes"], None),
        ([None, None], None),
    ],
)
def test_combined_answers(answers: list[str | None], level: str | None) -> None:
    assert speed.combined(answers) == level
    assert speed.combined(list(reversed(answers))) == level


def test_interest_map_and_summary_count_pairs_not_people() -> None:
    rows = [
        (1, 2, "yes"),
        (2, 1, "yes"),
        (1, 3, "maybe"),
        (3, 1, "yes"),
        (2, 4, "no"),
        (4, 2, None),
        (3, 4, None),
        (4, 3, None),
    ]
    assert speed.interest_map(rows) == {
        frozenset((1, 2)): "yes",
        frozenset((1, 3)): "maybe",
        frozenset((2, 4)): "no",
    }
    assert speed.summary(rows) == {"people": 4, "answered": 3, "mutual_yes": 1, "mutual_maybe": 1}


def test_deadline_is_18_local_on_a_day_from_tomorrow_to_two_weeks() -> None:
    now = datetime(2027, 3, 26, 10, 0, tzinfo=UTC)  # Friday; Berlin moves to summer time on Sunday 28 March
    closes, error = speed.parse_deadline("2027-03-29", now=now, tz="Europe/Berlin")
    assert error is None and closes is not None
    assert closes.astimezone(UTC) == datetime(2027, 3, 29, 16, 0, tzinfo=UTC)  # 18:00 CEST
    closes, error = speed.parse_deadline("2027-03-27", now=now, tz="Europe/Berlin")
    assert closes is not None and closes.astimezone(UTC) == datetime(2027, 3, 27, 17, 0, tzinfo=UTC)  # 18:00 CET
    assert speed.parse_deadline("2027-03-26", now=now, tz="Europe/Berlin") == (None, "closes_on.past")
    assert speed.parse_deadline("2027-04-10", now=now, tz="Europe/Berlin") == (None, "closes_on.too_far")
    assert speed.parse_deadline("2027-04-09", now=now, tz="Europe/Berlin")[1] is None
    assert speed.parse_deadline("", now=now, tz="Europe/Berlin") == (None, "closes_on.required")
    assert speed.parse_deadline("next week", now=now, tz="Europe/Berlin") == (None, "closes_on.required")
    # "today" is the program's day: 23:30 UTC Friday is already Saturday in Singapore
    late = datetime(2027, 3, 26, 23, 30, tzinfo=UTC)
    assert speed.parse_deadline("2027-03-27", now=late, tz="Asia/Singapore") == (None, "closes_on.past")
    assert speed.default_closing_day(late, "Asia/Singapore") == date(2027, 3, 30)


def test_one_reminder_a_day_before_closing_but_not_right_after_the_start() -> None:
    created = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    closes = created + timedelta(days=3)
    due = lambda at, reminded=False: speed.reminder_due(  # noqa: E731
        created_at=created, closes_at=closes, reminded=reminded, now=at
    )
    assert not due(closes - timedelta(hours=25))
    assert due(closes - timedelta(hours=24))
    assert not due(closes - timedelta(hours=1), reminded=True)
    assert not due(closes)
    short = created + timedelta(hours=20)  # a round shorter than a day: remind no sooner than 12 h in
    assert not speed.reminder_due(created_at=created, closes_at=short, reminded=False, now=created + timedelta(hours=1))
    assert speed.reminder_due(created_at=created, closes_at=short, reminded=False, now=created + timedelta(hours=12))


# around the switches to and from summer time of 2027: Berlin 28 March and 31 October, New York 14 March and
# 7 November; Kolkata keeps one offset
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata")
MOMENTS = st.datetimes(min_value=datetime(2027, 3, 1), max_value=datetime(2027, 11, 30), timezones=st.just(UTC))


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    created=MOMENTS,
    days=st.integers(1, speed.MAX_DAYS),
    reminded=st.booleans(),
    later=st.timedeltas(min_value=timedelta(days=-1), max_value=timedelta(days=16)),
    fractions=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=5),
)
def test_next_reminder_is_the_first_moment_the_reminder_is_due(
    zone: str, created: datetime, days: int, reminded: bool, later: timedelta, fractions: list[float]
) -> None:
    day = created.astimezone(ZoneInfo(zone)).date() + timedelta(days=days)
    closes, error = speed.parse_deadline(day.isoformat(), now=created, tz=zone)
    assert closes is not None, error
    now = created + later
    rule = dict(created_at=created, closes_at=closes, reminded=reminded)
    at = speed.next_reminder(**rule, now=now)
    if at is None:  # never again: not at the moments from now to well past the deadline
        ahead = closes + timedelta(days=1) - now
        assert not any(speed.reminder_due(**rule, now=now + ahead * f) for f in [0.0, *fractions])
        return
    assert at >= now and speed.reminder_due(**rule, now=at)
    before = [now + (at - now) * f for f in fractions] + [at - timedelta(microseconds=1)]
    assert not any(speed.reminder_due(**rule, now=t) for t in before if now <= t < at)


def test_cards_arrive_in_local_workday_daytime_unless_the_deadline_is_near() -> None:
    now = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # Monday: 09:00 Berlin, 03:00 New York, 16:00 Singapore
    closes = datetime(2027, 1, 7, 17, 0, tzinfo=UTC)
    assert speed.deliver_at(now, "Europe/Berlin", closes_at=closes) == now
    assert speed.deliver_at(now, "America/New_York", closes_at=closes) == datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    assert speed.deliver_at(now, "Asia/Singapore", closes_at=closes) == now
    # at night, an hour before the deadline: at once, or never in time
    late = datetime(2027, 1, 7, 16, 0, tzinfo=UTC)  # 01:00 in Singapore
    assert speed.deliver_at(late, "Asia/Singapore", closes_at=closes) == late
