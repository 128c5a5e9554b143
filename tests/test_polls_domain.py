"""Anonymous mood polls, pure: the rhythm, the rotating questions, the pulse form, the settings and what hosts may
see of a round (nothing below the threshold, never below 3)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import polls as rules

START = date(2027, 1, 4)  # a Monday


def _due(now: datetime, *, last: int = 0, every: int = 2, weeks: int = 12, start: date | None = START) -> int | None:
    return rules.due_round(
        start=start, every_weeks=every, duration_weeks=weeks, last_number=last, tz="Europe/Berlin", now=now
    )


# -- rhythm ------------------------------------------------------------------------------------------------
def test_round_n_opens_n_rhythm_periods_after_the_start_at_nine_program_time() -> None:
    assert rules.opens_on(start=START, every_weeks=2, number=1) == date(2027, 1, 18)
    assert rules.opens_on(start=START, every_weeks=3, number=2) == date(2027, 2, 15)
    assert _due(datetime(2027, 1, 18, 7, 59, tzinfo=UTC)) is None  # 08:59 in Berlin
    assert _due(datetime(2027, 1, 18, 8, 0, tzinfo=UTC)) == 1  # 09:00 in Berlin
    assert _due(datetime(2027, 1, 18, 8, 0, tzinfo=UTC), last=1) is None
    assert _due(datetime(2027, 1, 31, 22, 0, tzinfo=UTC), last=1) is None  # Sunday night: round 2 is Monday
    assert _due(datetime(2027, 2, 1, 8, 0, tzinfo=UTC), last=1) == 2


def test_nothing_before_the_first_period_without_a_start_or_with_the_pulse_off() -> None:
    assert _due(datetime(2027, 1, 4, 12, 0, tzinfo=UTC)) is None
    assert _due(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) is None  # before the start
    assert _due(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), start=None) is None
    assert _due(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), every=0) is None


def test_a_clock_that_was_off_opens_only_the_latest_round_and_none_after_the_program() -> None:
    assert _due(datetime(2027, 2, 16, 12, 0, tzinfo=UTC), last=0) == 3  # rounds 1 and 2 were missed
    assert _due(datetime(2027, 3, 29, 12, 0, tzinfo=UTC), last=5) is None  # round 6 opens on the end date
    assert _due(datetime(2027, 3, 29, 12, 0, tzinfo=UTC), last=5, weeks=13) == 6
    assert _due(datetime(2028, 1, 1, 12, 0, tzinfo=UTC), last=0) is None


ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Santiago", "UTC")


def _before(now: datetime, moment: datetime, fractions: list[float]) -> list[datetime]:
    """Moments from ``now`` up to (not including) ``moment``: right before it, and spread over the gap."""
    gap = moment - now
    found = [now, moment - timedelta(microseconds=1), moment - timedelta(minutes=1), moment - timedelta(hours=9)]
    return [t for t in [*found, *(now + gap * f for f in fractions)] if now <= t < moment]


@settings(max_examples=300, deadline=None)
@given(
    start=st.none() | st.dates(date(2026, 1, 1), date(2029, 1, 1)),
    every=st.integers(0, 12),
    weeks=st.integers(1, 60),
    last=st.integers(0, 30),
    tz=st.sampled_from(ZONES),
    offset=st.timedeltas(timedelta(days=-30), timedelta(days=500)),
    fractions=st.lists(st.floats(0, 1), max_size=6),
)
def test_next_opening_is_when_due_round_next_names_a_round(
    start: date | None, every: int, weeks: int, last: int, tz: str, offset: timedelta, fractions: list[float]
) -> None:
    now = datetime.combine(start or date(2027, 1, 4), time(0), tzinfo=UTC) + offset
    args = {"start": start, "every_weeks": every, "duration_weeks": weeks, "last_number": last, "tz": tz}
    moment = rules.next_opening(**args, now=now)
    if moment is None:
        assert all(rules.due_round(**args, now=now + timedelta(days=d)) is None for d in range(0, 900, 11))
        return
    assert all(rules.due_round(**args, now=at) is None for at in _before(now, moment, fractions))
    assert rules.due_round(**args, now=moment) is not None


def test_a_round_is_open_for_five_days_until_nine_program_time() -> None:
    assert rules.closes_on(date(2027, 1, 18)) == date(2027, 1, 23)
    closes = date(2027, 1, 23)
    assert rules.is_open(closes=closes, closed=False, tz="Europe/Berlin", now=datetime(2027, 1, 23, 7, 59, tzinfo=UTC))
    assert not rules.is_open(closes=closes, closed=False, tz="Europe/Berlin", now=datetime(2027, 1, 23, 8, tzinfo=UTC))
    assert not rules.is_open(closes=closes, closed=True, tz="Europe/Berlin", now=datetime(2027, 1, 20, tzinfo=UTC))


def test_questions_rotate_two_at_a_time_and_consecutive_rounds_differ() -> None:
    assert rules.questions_for(1) == ["belonging", "learning_climate"]
    assert rules.questions_for(2) == ["disagree_safely", "talk_share"]
    assert rules.questions_for(3) == rules.questions_for(1)
    for n in range(1, 20):
        assert len(set(rules.questions_for(n))) == 2
        assert not set(rules.questions_for(n)) & set(rules.questions_for(n + 1))
        assert set(rules.questions_for(n)) <= set(rules.QUESTIONS)


# -- settings and form -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("every", "threshold", "expected"),
    [
        ("2", "5", ((2, 5), {})),
        ("0", "3", ((0, 3), {})),
        (12, 50, ((12, 50), {})),
        ("13", "5", (None, {"every": "every"})),
        ("2", "2", (None, {"threshold": "threshold"})),
        ("2", "0", (None, {"threshold": "threshold"})),
        ("2", "51", (None, {"threshold": "threshold"})),
        ("-1", "x", (None, {"every": "every", "threshold": "threshold"})),
        (None, None, (None, {"every": "every", "threshold": "threshold"})),
    ],
)
def test_settings_keep_the_threshold_at_three_or_more(every: object, threshold: object, expected: tuple) -> None:
    assert rules.parse_settings(every, threshold) == expected


def test_a_pulse_needs_a_mood_and_every_question_of_the_round_and_the_comment_is_optional() -> None:
    questions = ["belonging", "talk_share"]
    pulse, errors = rules.parse_pulse(
        mood="4", answers={"belonging": "5", "talk_share": "2"}, comment="  Great   <b>tandem</b> ", questions=questions
    )
    assert errors == {} and pulse == rules.Pulse(
        mood=4, answers={"belonging": 5, "talk_share": 2}, comment="Great <b>tandem</b>"
    )
    pulse, errors = rules.parse_pulse(
        mood="3", answers={"belonging": "1", "talk_share": "5"}, comment=" ", questions=questions
    )
    assert pulse is not None and pulse.comment is None
    pulse, errors = rules.parse_pulse(
        mood="0", answers={"belonging": "6"}, comment="x" * (rules.COMMENT_MAX + 1), questions=questions
    )
    assert pulse is None
    assert errors == {"mood": "scale", "belonging": "scale", "talk_share": "scale", "comment": "too_long"}
    assert rules.parse_pulse(mood=None, answers={}, comment=None, questions=[]) == (None, {"mood": "scale"})


# -- results -----------------------------------------------------------------------------------------------
def _responses(moods: list[int], comments: list[str | None] | None = None) -> list:
    comments = comments or [None] * len(moods)
    return [(m, {"belonging": 6 - m}, c) for m, c in zip(moods, comments, strict=True)]


@pytest.mark.parametrize("threshold", [0, 1, 2, 3])
def test_the_threshold_is_never_below_three(threshold: int) -> None:
    hidden = rules.result(number=1, threshold=threshold, asked=9, responses=_responses([5, 1]), questions=[])
    assert not hidden.shown and hidden.threshold == 3
    assert (hidden.mood, hidden.questions, hidden.comments, hidden.answered, hidden.asked) == (None, {}, [], 0, 0)
    assert rules.result(number=1, threshold=threshold, asked=9, responses=_responses([5, 1, 3]), questions=[]).shown


def test_below_the_threshold_nothing_is_shown_not_even_counts_or_comments() -> None:
    hidden = rules.result(
        number=2, threshold=5, asked=10, responses=_responses([1, 2, 3, 4], ["a", "b", "c", "d"]), questions=["x"]
    )
    assert hidden == rules.Result(number=2, threshold=5, shown=False)
    assert hidden.response_rate == 0.0 and hidden.silent_share == 0.0


def test_at_the_threshold_average_distribution_rate_silence_and_sorted_comments() -> None:
    shown = rules.result(
        number=3,
        threshold=5,
        asked=8,
        responses=_responses([5, 4, 4, 2, 1], ["zeta", None, "alpha", "", "mu"]),
        questions=["belonging", "talk_share"],
    )
    assert shown.shown and (shown.asked, shown.answered) == (8, 5)
    assert shown.mood == rules.Scale(average=3.2, distribution={1: 1, 2: 1, 3: 0, 4: 2, 5: 1})
    assert shown.questions == {"belonging": rules.Scale(average=2.8, distribution={1: 1, 2: 2, 3: 0, 4: 1, 5: 1})}
    assert shown.comments == ["alpha", "mu", "zeta"]
    assert shown.response_rate == pytest.approx(5 / 8) and shown.silent_share == pytest.approx(3 / 8)


def test_comments_are_shuffled_by_the_given_shuffle_whatever_order_they_came_in() -> None:
    responses = _responses([3] * 6, ["a", "b", "c", "d", "e", "f"])
    orders = {
        tuple(
            rules.result(
                number=1,
                threshold=5,
                asked=6,
                responses=responses,
                questions=[],
                shuffle=random.Random(seed).shuffle,
            ).comments
        )
        for seed in range(20)
    }
    assert len(orders) > 1 and all(sorted(o) == list("abcdef") for o in orders)
    reversed_input = rules.result(number=1, threshold=5, asked=6, responses=responses[::-1], questions=[])
    assert reversed_input.comments == list("abcdef")  # without a shuffle the order is sorted, never arrival order


def test_more_answers_than_asked_never_gives_a_rate_above_one() -> None:
    shown = rules.result(number=1, threshold=3, asked=2, responses=_responses([3, 3, 3]), questions=[])
    assert shown.asked == 3 and shown.response_rate == 1.0 and shown.silent_share == 0.0


def test_trend_and_change_skip_hidden_rounds() -> None:
    r1 = rules.result(number=1, threshold=3, asked=5, responses=_responses([4, 4, 4]), questions=[])
    r2 = rules.result(number=2, threshold=3, asked=5, responses=_responses([1, 1]), questions=[])
    r3 = rules.result(number=3, threshold=3, asked=5, responses=_responses([5, 5, 2]), questions=[])
    assert rules.trend([r3, r1, r2]) == [(1, 4.0), (2, None), (3, 4.0)]
    assert rules.change([r1, r2, r3], 3) == 0.0
    assert rules.change([r1, r2, r3], 1) is None
    assert rules.change([r1, r2, r3], 2) is None
    r4 = rules.result(number=4, threshold=3, asked=5, responses=_responses([5, 5, 5]), questions=[])
    assert rules.change([r1, r2, r3, r4], 4) == pytest.approx(1.0)


def test_scale_ignores_values_outside_one_to_five() -> None:
    assert rules.scale([]) is None
    assert rules.scale([0, 6]) is None
    assert rules.scale([1, 5, 9]) == rules.Scale(average=3.0, distribution={1: 1, 2: 0, 3: 0, 4: 0, 5: 1})
