"""The release rule, pure (``bot.domain.release``): a cell only from at least k distinct contributors, one value
per contributor where a series says so, yes/no contributions settled when their time is up, the weekly date; and
why the rule publishes disjoint frozen cells rather than "a new figure once k contributors changed"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import release
from bot.domain.localtime import zone
from bot.domain.release import Contribution


def test_a_cell_needs_k_distinct_contributors_never_fewer_than_three() -> None:
    day = date(2027, 1, 18)
    two = [Contribution("p1", 4.0), Contribution("p2", 6.0), Contribution("p2", 8.0)]
    assert release.cell("prompts", two, day=day, k=3) is None  # three values, two contributors
    assert release.cell("prompts", two, day=day, k=1) is None  # a threshold below 3 counts as 3
    three = [*two, Contribution("p3", 0.0, extra={"done": 1.0})]
    found = release.cell("prompts", three, day=day, k=3)
    assert found is not None and (found.contributors, found.num, found.den) == (3, 18.0, 4.0)
    assert found.mean == 4.5 and found.data == {"done": 1.0}
    assert release.threshold(5) == 5 and release.threshold(2) == 3 and release.threshold(None) == 3


def test_one_value_per_contributor_the_latest() -> None:
    rows = [
        ("p1", (date(2027, 1, 11), 1), 30.0),
        ("p1", (date(2027, 1, 12), 2), 20.0),
        ("p2", (date(2027, 1, 5), 3), 9.0),
    ]
    assert sorted((c.contributor, c.value) for c in release.latest_per(rows)) == [("p1", 20.0), ("p2", 9.0)]


def test_a_yes_or_no_settles_when_its_time_is_up() -> None:
    start = datetime(2027, 1, 11, 8, tzinfo=UTC)
    assert release.settles(start, 7, start + timedelta(days=2)) == (start + timedelta(days=7), True)
    assert release.settles(start, 7, start + timedelta(days=8)) == (start + timedelta(days=7), False)  # too late
    assert release.settles(start, 7, None) == (start + timedelta(days=7), False)
    until = start + timedelta(days=7)
    assert release.settled(until, since=start, until=until) and not release.settled(until, since=until, until=until)


def test_totals_and_points_come_from_cells_only() -> None:
    cells = [
        release.Cell("metric:1", date(2027, 1, 18), 4, 100.0, 4.0),
        release.Cell("metric:1", date(2027, 2, 1), 3, 60.0, 3.0),
    ]
    assert release.points(cells) == [(date(2027, 1, 18), 25.0), (date(2027, 2, 1), 20.0)]
    total = release.total(cells)
    assert (total.cells, total.contributors, total.mean) == (2, 7, 160.0 / 7)
    assert release.latest(cells) == cells[1] and release.latest([]) is None


def test_the_weekly_date() -> None:
    berlin = datetime(2027, 1, 11, 9, 0).astimezone()  # any zone: the rule reads the wall clock it is given
    local = berlin.replace(year=2027, month=1, day=11, hour=9)
    kwargs = {"start": date(2027, 1, 4), "duration_weeks": 4, "weekday": 0, "hour": 9}
    assert release.due_on(local=local, **kwargs) == date(2027, 1, 11)
    assert release.due_on(local=local.replace(hour=8), **kwargs) is None  # before the hour
    assert release.due_on(local=local + timedelta(days=1), **kwargs) is None  # not its weekday
    tail = release.TAIL_WEEKS  # after the end: long enough for the follow-up answers 90 days on to settle
    assert tail >= 3 and tail * 7 >= 90 + 14
    last = local + timedelta(weeks=3 + tail)  # the program's end is week 4's Monday
    assert release.due_on(local=last, **kwargs) == last.date()  # the last release, TAIL_WEEKS after the end
    assert release.due_on(local=last + timedelta(weeks=1), **kwargs) is None
    assert release.due_on(local=local.replace(day=4), **kwargs) is None  # the start day itself


@settings(max_examples=300, deadline=None)
@given(
    start=st.none() | st.dates(date(2026, 1, 1), date(2029, 1, 1)),
    weeks=st.integers(1, 30),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    tz=st.sampled_from(
        ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Santiago", "UTC")
    ),
    offset=st.timedeltas(timedelta(days=-20), timedelta(days=300)),
    done=st.sets(st.integers(0, 40), max_size=12),
    fractions=st.lists(st.floats(0, 1), max_size=6),
)
def test_next_due_at_is_when_due_on_next_names_a_day_not_done(
    start: date | None,
    weeks: int,
    weekday: int,
    hour: int,
    tz: str,
    offset: timedelta,
    done: set[int],
    fractions: list[float],
) -> None:
    now = datetime.combine(start or date(2027, 1, 4), time(0), tzinfo=UTC) + offset
    after = (start or date(2027, 1, 4)) + timedelta(days=1)
    first = after + timedelta(days=(weekday - after.weekday()) % 7)
    days = {first + timedelta(weeks=k) for k in done}  # some of the days the release was made
    moment = release.next_due_at(
        start=start, duration_weeks=weeks, weekday=weekday, hour=hour, tz=tz, now=now, done=days
    )

    def due(at: datetime) -> bool:
        day = release.due_on(
            start=start, duration_weeks=weeks, weekday=weekday, local=at.astimezone(zone(tz)), hour=hour
        )
        return day is not None and day not in days

    if moment is None:
        assert not any(due(now + timedelta(hours=h)) for h in range(0, 24 * 400, 13))
        return
    gap = moment - now
    before = [now, moment - timedelta(microseconds=1), moment - timedelta(hours=1), *(now + gap * f for f in fractions)]
    assert not any(due(at) for at in before if now <= at < moment)
    assert due(moment)


def _determined(rows: list[list[float]], unknowns: int) -> list[int]:
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    return [i for i in range(unknowns) if np.linalg.matrix_rank(np.vstack([a, np.eye(unknowns)[i]])) == rank]


def test_publishing_once_k_contributors_changed_is_not_enough_and_disjoint_cells_are() -> None:
    """Why the rule is "disjoint frozen cells" and not "a new cumulative figure once at least k contributors changed
    since the last one". Four weekly figures of a program total (each the sum of every contribution alive then),
    k = 3; y joins with three others n1-n3, who leave again two weeks later (forget-me, a pair that ends), y and
    m1, m2 log new values in between:

    week 1: u + m1 + m2               (u: everyone who never changes)
    week 2: u + m1 + m2 + y2 + n1 + n2 + n3      changed: y, n1, n2, n3 (4 >= k)
    week 3: u + m1' + m2' + y3 + n1 + n2 + n3    changed: y, m1, m2 (3 >= k)
    week 4: u + m1' + m2' + y3                   changed: n1, n2, n3 (3 >= k)

    Every step has at least k contributors behind it, yet week 2 - week 1 - week 3 + week 4 = y2: y's first value,
    alone. With disjoint cells each contribution is in exactly one released cell, so the equations are a
    block per cell, and no cell of at least k contributors gives anyone's value away."""
    names = ["u", "m1", "m2", "y2", "n1", "n2", "n3", "m1'", "m2'", "y3"]
    weeks = [
        {"u", "m1", "m2"},
        {"u", "m1", "m2", "y2", "n1", "n2", "n3"},
        {"u", "m1'", "m2'", "y3", "n1", "n2", "n3"},
        {"u", "m1'", "m2'", "y3"},
    ]
    rows = [[1.0 if n in week else 0.0 for n in names] for week in weeks]
    assert [names[i] for i in _determined(rows, len(names))] == ["y2"]
    # the same contributions released as disjoint cells of at least three (what was new since the last cell)
    cells = [{"u", "m1", "m2"}, {"y2", "n1", "n2", "n3"}, {"m1'", "m2'", "y3"}]
    disjoint = [[1.0 if n in cell else 0.0 for n in names] for cell in cells]
    totals = [[sum(r[j] for r in disjoint[: t + 1]) for j in range(len(names))] for t in range(len(cells))]
    assert _determined(disjoint + totals, len(names)) == []  # cells, running totals, their differences: nothing
