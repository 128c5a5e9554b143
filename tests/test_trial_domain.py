"""The trial check-in's pure rules (when it is due, when each partner is asked, the answer window, the outcome)
and its messages against Slack's limits in both languages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import trial as blocks
from bot.domain import localtime
from bot.domain import trial as rules
from bot.ids import ID
from bot.models import TrialOutcome
from bot.sandbox.blockkit import validate_blocks

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # 09:00 Berlin, 03:00 New York, 16:00 Singapore


def at(tz: str, *args: int) -> datetime:
    """A local wall-clock time in ``tz``, as an aware UTC datetime."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[misc]


def wall(when: datetime, tz: str) -> tuple[str, str]:
    local = when.astimezone(ZoneInfo(tz))
    return local.strftime("%a"), local.strftime("%H:%M")


# -- when the check is due ----------------------------------------------------------------------------------
def test_due_after_the_trial_weeks_only_for_active_programs_with_a_trial() -> None:
    assert rules.due_at(started_at=MONDAY, trial_weeks=4, program_active=True) == MONDAY + timedelta(days=28)
    assert rules.due_at(started_at=MONDAY, trial_weeks=1, program_active=True) == MONDAY + timedelta(days=7)
    assert rules.due_at(started_at=MONDAY, trial_weeks=0, program_active=True) is None
    assert rules.due_at(started_at=MONDAY, trial_weeks=4, program_active=False) is None
    assert rules.started_by(trial_weeks=0, program_active=True, now=MONDAY) is None
    assert rules.started_by(trial_weeks=4, program_active=False, now=MONDAY) is None
    assert rules.started_by(trial_weeks=4, program_active=True, now=MONDAY) == MONDAY - timedelta(days=28)


def test_the_trial_is_absolute_time_across_a_dst_change() -> None:
    # Started 08:30 in New York in winter; four weeks later it is summer time there: due at 09:30 local.
    started = at("America/New_York", 2027, 3, 1, 8, 30)
    due = rules.due_at(started_at=started, trial_weeks=4, program_active=True)
    assert due is not None and due - started == timedelta(weeks=4)
    assert wall(due, "America/New_York") == ("Mon", "09:30")
    assert localtime.send_at(due, "America/New_York") == due  # daytime there now: asked at once


@settings(max_examples=200, deadline=None)
@given(
    started=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    offset=st.timedeltas(min_value=timedelta(days=-60), max_value=timedelta(days=60)),
    weeks=st.integers(min_value=0, max_value=52),
    active=st.booleans(),
)
def test_the_query_form_agrees_with_due_at(started: datetime, offset: timedelta, weeks: int, active: bool) -> None:
    now = started + timedelta(weeks=weeks) + offset
    due = rules.due_at(started_at=started, trial_weeks=weeks, program_active=active)
    cutoff = rules.started_by(trial_weeks=weeks, program_active=active, now=now)
    assert (due is not None and due <= now) == (cutoff is not None and started <= cutoff)


# -- when each partner is asked ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("earliest", "tz", "expected"),
    [
        # workday daytime: at once
        (MONDAY, "Asia/Singapore", MONDAY),
        (at("Europe/Berlin", 2027, 1, 4, 9, 0), "Europe/Berlin", at("Europe/Berlin", 2027, 1, 4, 9, 0)),
        (at("Europe/Berlin", 2027, 1, 8, 17, 59), "Europe/Berlin", at("Europe/Berlin", 2027, 1, 8, 17, 59)),
        # night before 09:00 on a workday: 09:00 that day
        (MONDAY, "America/New_York", at("America/New_York", 2027, 1, 4, 9, 0)),
        # evening: 09:00 the next workday
        (at("Europe/Berlin", 2027, 1, 4, 18, 0), "Europe/Berlin", at("Europe/Berlin", 2027, 1, 5, 9, 0)),
        (at("America/New_York", 2027, 1, 8, 19, 0), "America/New_York", at("America/New_York", 2027, 1, 11, 9, 0)),
        # weekends: Monday 09:00
        (at("Asia/Singapore", 2027, 1, 9, 10, 0), "Asia/Singapore", at("Asia/Singapore", 2027, 1, 11, 9, 0)),
        (at("Asia/Singapore", 2027, 1, 10, 7, 0), "Asia/Singapore", at("Asia/Singapore", 2027, 1, 11, 9, 0)),
        # an unknown zone counts as UTC
        (datetime(2027, 1, 4, 3, 0, tzinfo=UTC), "Mars/Olympus", datetime(2027, 1, 4, 9, 0, tzinfo=UTC)),
    ],
)
def test_asked_in_local_workday_daytime(earliest: datetime, tz: str, expected: datetime) -> None:
    assert localtime.send_at(earliest, tz) == expected


@pytest.mark.parametrize(
    ("earliest", "tz", "expected_utc"),
    [
        # New York springs forward on Sunday 14 March 2027: Monday 09:00 is 13:00 UTC, not 14:00
        (at("America/New_York", 2027, 3, 12, 20, 0), "America/New_York", datetime(2027, 3, 15, 13, 0, tzinfo=UTC)),
        # Berlin falls back on Sunday 31 October 2027: Monday 09:00 is 08:00 UTC, not 07:00
        (at("Europe/Berlin", 2027, 10, 29, 19, 0), "Europe/Berlin", datetime(2027, 11, 1, 8, 0, tzinfo=UTC)),
        # Sydney leaves summer time on Sunday 4 April 2027: Monday 09:00 is 23:00 UTC on Sunday, not 22:00
        (at("Australia/Sydney", 2027, 4, 2, 18, 30), "Australia/Sydney", datetime(2027, 4, 4, 23, 0, tzinfo=UTC)),
    ],
)
def test_asked_at_09_local_across_dst_changes(earliest: datetime, tz: str, expected_utc: datetime) -> None:
    sent = localtime.send_at(earliest, tz)
    assert sent == expected_utc
    assert wall(sent, tz) == ("Mon", "09:00")


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Singapore", "Australia/Sydney", "Pacific/Auckland"]


@settings(max_examples=300, deadline=None)
@given(
    earliest=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(ZONES),
)
def test_send_at_is_the_first_workday_daytime_moment(earliest: datetime, tz: str) -> None:
    sent = localtime.send_at(earliest, tz)
    assert sent >= earliest
    assert localtime.is_workday_daytime(sent, tz)
    assert sent - earliest <= timedelta(days=3, hours=1)  # Friday evening to Monday morning, plus a DST hour
    if sent != earliest:  # it had to wait: the wait ends at 09:00 sharp, and no earlier moment would do
        assert wall(sent, tz)[1] == "09:00"
        assert not localtime.is_workday_daytime(earliest, tz)
        assert not localtime.is_workday_daytime(sent - timedelta(minutes=1), tz)


# -- the answer window and the outcome ----------------------------------------------------------------------
def test_the_question_closes_answer_days_after_the_later_partner_was_asked() -> None:
    singapore = MONDAY
    new_york = at("America/New_York", 2027, 1, 4, 9, 0)
    closes = rules.closes_at([singapore, new_york])
    assert closes == new_york + timedelta(days=rules.ANSWER_DAYS) == datetime(2027, 1, 9, 14, 0, tzinfo=UTC)
    assert rules.is_open(closes_at=closes, resolved=False, now=closes - timedelta(seconds=1))
    assert not rules.is_open(closes_at=closes, resolved=False, now=closes)
    assert not rules.is_open(closes_at=closes, resolved=True, now=closes - timedelta(days=1))


def test_any_switch_means_switch_and_silence_means_continue() -> None:
    assert rules.outcome(switch_requested=True) == rules.SWITCH == TrialOutcome.SWITCH
    assert rules.outcome(switch_requested=False) == rules.CONTINUE == TrialOutcome.CONTINUE


# -- messages ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_question_has_two_buttons_and_a_confirm_and_is_valid(locale: str) -> None:
    deadline = blocks.deadline_text(locale, datetime(2027, 2, 6, 14, 0, tzinfo=UTC), "Asia/Singapore")
    message = blocks.question(locale, check_id=42, partner="<!channel> Jörg", program="Pilot *2027*", deadline=deadline)
    assert validate_blocks(message["blocks"], surface="message") == []
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(ID.TRIAL_CONTINUE, "42"), (ID.TRIAL_SWITCH, "42")]
    assert "confirm" in buttons[1] and "confirm" not in buttons[0]
    text = json.dumps(message, ensure_ascii=False)
    assert "<!channel>" not in text and "&lt;!channel&gt; Jörg" in text  # a name cannot ping anyone
    assert deadline in text
    if locale == "en":
        assert deadline == "Saturday 6 Feb 2027, 22:00"
        assert "Continue or switch?" in text and "Tandem tells nobody what you chose" in text
        assert "If nobody answers, you continue." in text
        confirm = buttons[1]["confirm"]["text"]["text"]
        assert "final" in confirm and "a partner who chose to continue can work it out" in confirm
    else:
        assert deadline == "Samstag, 6.2.2027, 22:00 Uhr"
        assert "Weitermachen oder wechseln?" in text and "Tandem sagt niemandem, was du gewählt hast" in text
        assert "wer selbst weitermachen wollte, kann es sich aber denken" in buttons[1]["confirm"]["text"]["text"]


@pytest.mark.parametrize("locale", ["en", "de"])
def test_replies_and_outcome_messages_have_no_buttons(locale: str) -> None:
    messages = [
        blocks.answered(locale, switch=True, partner="Wei", deadline="x"),
        blocks.answered(locale, switch=False, partner="Wei", deadline="x"),
        blocks.closed(locale),
        blocks.not_yours(locale),
        blocks.ended(locale, partner="Wei", program="Pilot"),
        blocks.continues(locale, partner="Wei", program="Pilot"),
    ]
    for message in messages:
        assert message["text"]
        assert validate_blocks(message["blocks"], surface="message") == []
        assert all(b["type"] != "actions" for b in message["blocks"])
    ended = json.dumps(messages[4], ensure_ascii=False).casefold()
    for word in ("fail", "scheitern", "gescheitert", "asked", "wanted", "wollte", "gewünscht"):
        assert word not in ended


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_hosts_summary_has_counts_and_a_run_matching_button_only_when_people_wait(locale: str) -> None:
    message = blocks.summary(locale, program_id=7, program="Pilot", continued=3, switched=1, waiting=2)
    assert validate_blocks(message["blocks"], surface="message") == []
    text = message["blocks"][0]["text"]["text"]
    assert all(str(n) in text for n in (3, 1, 2))
    [button] = message["blocks"][1]["elements"]
    assert (button["action_id"], button["value"]) == (ID.MATCH_RUN, "7")
    quiet = blocks.summary(locale, program_id=7, program="Pilot", continued=2, switched=0, waiting=0)
    assert len(quiet["blocks"]) == 1
    if locale == "en":
        assert text == (
            "Trial check-in for *Pilot*: 3 pairs continue, 1 pair switches; 2 people are back in the pool, "
            "first in line for the next matching round."
        )
        assert quiet["blocks"][0]["text"]["text"] == "Trial check-in for *Pilot*: 2 pairs continue, 0 pairs switch."
    else:
        assert text == (
            "Probezeit-Check-in für *Pilot*: 3 Tandems machen weiter, 1 Tandem wechselt; 2 Personen sind wieder "
            "im Pool und haben bei der nächsten Matching-Runde Vorrang."
        )
