"""Pure domain rules: delivery decisions, text safety, the program form and when its daily digest is due."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import monitoring
from bot.domain.delivery import BACKOFF_CAP, MAX_ATTEMPTS, Outcome, backoff, decide
from bot.domain.programs import digest_day, digest_next, parse_program_form
from bot.domain.text import escape_mrkdwn, mention, truncate
from tests.helpers import SWITCH_ZONES, check_first, moments


def test_success_is_sent() -> None:
    assert decide(status=200, error=None, retry_after=None, attempts=1).outcome is Outcome.SENT


def test_429_waits_exactly_retry_after() -> None:
    d = decide(status=429, error="ratelimited", retry_after=7, attempts=3)
    assert (d.outcome, d.delay) == (Outcome.RETRY, timedelta(seconds=7))


def test_429_never_parks_even_after_many_attempts() -> None:
    assert decide(status=429, error=None, retry_after=1, attempts=MAX_ATTEMPTS * 3).outcome is Outcome.RETRY


@pytest.mark.parametrize("status", [500, 502, 503, None])
def test_server_errors_and_silence_back_off_then_park(status: int | None) -> None:
    first = decide(status=status, error=None, retry_after=None, attempts=1)
    second = decide(status=status, error=None, retry_after=None, attempts=2)
    assert first.outcome is Outcome.RETRY and second.outcome is Outcome.RETRY
    assert second.delay == 2 * first.delay
    assert decide(status=status, error=None, retry_after=None, attempts=MAX_ATTEMPTS).outcome is Outcome.PARK


def test_permanent_slack_error_parks_at_once() -> None:
    d = decide(status=200, error="channel_not_found", retry_after=None, attempts=1)
    assert d.outcome is Outcome.PARK and d.reason == "channel_not_found"


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_grows_and_is_capped(attempts: int) -> None:
    assert timedelta(seconds=2) <= backoff(attempts) <= BACKOFF_CAP
    assert backoff(attempts + 1) >= backoff(attempts)


@pytest.mark.parametrize("text", ["<!channel>", "<!here|here>", "<@U123>", "<https://evil.example|bank>", "a & b"])
def test_escape_defuses_control_sequences(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text())
def test_escape_round_trips_and_leaves_no_angle_brackets(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_mention_accepts_only_user_ids() -> None:
    assert mention("U0ABC123") == "<@U0ABC123>"
    with pytest.raises(ValueError):
        mention("!channel")


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_truncate_respects_limit(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= limit
    assert out == text or out.endswith("…")


PROGRAM_FORM = {
    "name": "Pilot 2027",
    "fields": "Creator skills for leaders",
    "start_date": "2027-02-01",
    "duration_weeks": "12",
    "trial_weeks": "4",
    "rhythm": "weekly",
    "weekday": "0",
    "hour": "9",
}
TODAY = date(2027, 1, 4)


def _parse(match_on: object, **kw: object):  # type: ignore[no-untyped-def]
    return parse_program_form(
        {**PROGRAM_FORM, "match_on": match_on}, existing_names=set(), default_focus="Focus?", **kw
    )


@pytest.mark.parametrize(
    ("ticked", "weekday", "expected", "error"),
    [
        (None, "0", None, None),  # a form without the field: the program's days stay as they are
        (["4", "0", "2", "x", "9", "0"], "0", (0, 2, 4), None),
        (["0", "1", "2", "3"], "4", None, {"weekday": "weekday.not_working"}),
        ([], "0", None, {"working_days": "working_days.required"}),
    ],
)
def test_program_form_working_days(ticked: object, weekday: str, expected: object, error: object) -> None:
    spec, errors = parse_program_form(
        {**PROGRAM_FORM, "weekday": weekday, "working_days": ticked}, existing_names=set(), default_focus="Focus?"
    )
    assert errors == (error or {})
    assert (spec.working_days if spec else None) == expected


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        (None, None),  # a form without the field: the program's switches stay as they are
        ([], frozenset()),  # nothing ticked: all off
        (["streaks", "named_silence"], frozenset({"streaks", "named_silence"})),
        (["named_silence", "late_cancel_log", "streaks"], frozenset(monitoring.SWITCHES)),
        # what no form sends changes nothing
        (["streaks", "gps_tracking"], None),
        (["streaks", 1], None),
        ("streaks", None),
        ({"streaks": True}, None),
    ],
)
def test_program_form_monitoring_switches(ticked: object, expected: object) -> None:
    spec, errors = parse_program_form({**PROGRAM_FORM, "monitoring": ticked}, existing_names=set(), default_focus="?")
    assert errors == {} and spec is not None and spec.monitoring == expected


def test_monitoring_ticked_lists_the_switches_that_are_on_in_form_order() -> None:
    assert monitoring.ticked(named_silence=True, late_cancel_log=True, streaks=True) == list(monitoring.SWITCHES)
    assert monitoring.ticked(named_silence=False, late_cancel_log=True, streaks=False) == ["late_cancel_log"]
    assert monitoring.ticked(named_silence=False, late_cancel_log=False, streaks=False) == []


@pytest.mark.parametrize("match_on", [None, ""])
def test_program_form_matching_date_is_optional(match_on: object) -> None:
    spec, errors = _parse(match_on, today=TODAY)
    assert errors == {} and spec is not None and spec.match_on is None


@pytest.mark.parametrize("day", ["2027-01-04", "2027-01-05", "2028-12-31"])
def test_program_form_matching_date_today_or_later(day: str) -> None:
    spec, errors = _parse(day, today=TODAY)
    assert errors == {} and spec is not None and spec.match_on == date.fromisoformat(day)


def test_program_form_refuses_a_matching_date_in_the_past() -> None:
    assert _parse("2027-01-03", today=TODAY) == (None, {"match_on": "match_on.past"})


def test_program_form_keeps_the_programs_own_pending_date_even_when_past() -> None:
    spec, errors = _parse("2027-01-03", today=TODAY, current_match_on=date(2027, 1, 3))
    assert errors == {} and spec is not None and spec.match_on == date(2027, 1, 3)
    assert _parse("2027-01-02", today=TODAY, current_match_on=date(2027, 1, 3)) == (None, {"match_on": "match_on.past"})


def test_program_form_without_today_does_not_check_the_past() -> None:
    spec, errors = _parse("2020-01-01")
    assert errors == {} and spec is not None and spec.match_on == date(2020, 1, 1)


def test_program_form_refuses_a_malformed_matching_date() -> None:
    assert _parse("next tuesday", today=TODAY) == (None, {"match_on": "match_on.invalid"})


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([z for z in SWITCH_ZONES if z != "Nowhere/Else"]),  # a program's zone is one Python knows
    moments(),
    st.one_of(st.none(), st.integers(-3, 3)),
    st.data(),
)
def test_digest_next_is_the_first_moment_the_digest_is_due(
    tz: str, now: datetime, last: int | None, data: st.DataObject
) -> None:
    last_on = None if last is None else now.date() + timedelta(days=last)
    first = digest_next(now, tz=tz, last_digest_on=last_on)
    check_first(data, lambda when: digest_day(when, tz=tz, last_digest_on=last_on), now=now, first=first)
