"""The working agreement's and the goals' rules, without a database or Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import agreement as blocks
from bot.domain import agreement as rules
from bot.domain.agreement import GoalChange
from tests.helpers import SWITCH_ZONES, check_first, moments

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # 16:00 in Singapore, 03:00 in New York
TODAY = date(2027, 1, 4)


def test_the_default_has_ten_sections_in_both_languages_with_the_programs_focus_and_goals() -> None:
    en = blocks.default_sections("en", focus_question=None, bold_goals=["A pilot channel", "A prototype"])
    de = blocks.default_sections("de", focus_question="Was lernen wir?", bold_goals=[])
    assert list(en) == list(de) == list(rules.SECTIONS) and len(rules.SECTIONS) == 10
    assert "What moves us forward by next week?" in en["guiding_questions"]
    assert "(ideas: A pilot channel; A prototype)" in en["successes"]
    assert "48 hours on workdays" in en["reachability"]
    assert "At most 3 topics a week" in en["agenda"]
    assert "We take turns moderating" in en["talk_share"] and "Wir moderieren abwechselnd" in de["talk_share"]
    assert "„Was lernen wir?“" in de["guiding_questions"]
    assert "Ein greifbarer Prototyp" in de["successes"]  # no example goals: the three default ideas
    assert all(text and len(text) <= rules.SECTION_MAX for text in (*en.values(), *de.values()))


def test_the_common_language_is_shared_or_english() -> None:
    assert rules.common_locale("de", "de") == "de"
    assert rules.common_locale("de", "en") == rules.common_locale("en", "de") == "en"


def test_sections_from_a_form_are_cleaned_and_checked() -> None:
    raw = {key: f"  {key} text  \n  second line   " for key in rules.SECTIONS}
    texts, errors = rules.parse_sections(raw, required=True)
    assert errors == {} and texts["agenda"] == "agenda text\n  second line"
    texts, errors = rules.parse_sections({**raw, "agenda": "  ", "email": "x" * (rules.SECTION_MAX + 1)}, required=True)
    assert errors == {"agenda": "empty", "email": "too_long"} and "agenda" not in texts
    texts, errors = rules.parse_sections({"agenda": "Two topics."}, required=False)  # a template: blank = default
    assert (texts, errors) == ({"agenda": "Two topics."}, {})


def test_complete_changed_and_overrides() -> None:
    defaults = {key: f"default {key}" for key in rules.SECTIONS}
    full = rules.complete({"agenda": " Two topics. ", "unknown": "x"}, defaults)
    assert list(full) == list(rules.SECTIONS) and full["agenda"] == "Two topics." and "unknown" not in full
    assert rules.changed(defaults, full) == ["agenda"]
    assert rules.changed(full, full) == []
    assert rules.overrides(full, defaults) == {"agenda": "Two topics."}


def test_version_state_and_who_is_waiting() -> None:
    assert rules.version_state(agreed_at=None, superseded_at=None) == rules.OPEN
    assert rules.version_state(agreed_at=MONDAY, superseded_at=None) == rules.AGREED
    assert rules.version_state(agreed_at=MONDAY, superseded_at=MONDAY) == rules.REPLACED
    assert rules.waiting_for((1, 2), {2}) == [1]
    assert rules.waiting_for((1, 2), {1, 2}) == []


@pytest.mark.parametrize(
    ("tz", "first", "second"),
    [
        # Singapore: Wednesday 16:00 is workday daytime; Saturday's five-day mark waits for Monday 09:00
        ("Asia/Singapore", datetime(2027, 1, 6, 8, 0, tzinfo=UTC), datetime(2027, 1, 11, 1, 0, tzinfo=UTC)),
        # New York: Wednesday 03:00 waits for 09:00; the second for Monday 09:00
        ("America/New_York", datetime(2027, 1, 6, 14, 0, tzinfo=UTC), datetime(2027, 1, 11, 14, 0, tzinfo=UTC)),
    ],
)
def test_reminders_after_two_and_five_days_in_workday_daytime_then_none(
    tz: str, first: datetime, second: datetime
) -> None:
    def due(sent: int, now: datetime, last: datetime | None = None) -> int | None:
        return rules.reminder_due(started_at=MONDAY, reminders_sent=sent, last_reminder_at=last, now=now, tz=tz)

    assert due(0, first - timedelta(minutes=1)) is None
    assert due(0, first) == 1
    assert due(1, second - timedelta(minutes=1), last=first) is None
    assert due(1, second, last=first) == 2
    assert due(2, second + timedelta(days=3), last=second) is None  # then silence
    # a late first reminder (the clock was down) keeps a day's distance to the second
    assert due(1, second, last=second - timedelta(hours=2)) is None
    # outside daytime nothing goes out, however late
    night = second + timedelta(hours=12)
    assert due(1, night, last=first) is None


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SWITCH_ZONES),
    moments(),
    st.integers(-1, 3),
    st.one_of(st.none(), st.integers(-3 * 86400, 8 * 86400)),
    st.integers(-86400, 10 * 86400),
    st.data(),
)
def test_reminder_next_is_the_first_moment_a_reminder_is_due(
    tz: str, started: datetime, sent: int, reminded: int | None, later: int, data: st.DataObject
) -> None:
    last = None if reminded is None else started + timedelta(seconds=reminded)
    due = dict(started_at=started, reminders_sent=sent, last_reminder_at=last, tz=tz)
    now = started + timedelta(seconds=later)
    first = rules.reminder_next(now=now, **due)
    check_first(data, lambda when: rules.reminder_due(now=when, **due), now=now, first=first)
    assert (first is None) == (not 0 <= sent < len(rules.REMINDER_AFTER))


def _parse(slots, picked=(), known=None, other_open=0):  # type: ignore[no-untyped-def]
    return rules.parse_goals(slots, list(picked), known=known or {}, other_open=other_open, today=TODAY)


def test_goals_one_to_three_with_optional_future_due_dates() -> None:
    plan, errors = _parse([(None, "  A  pilot channel ", "2027-03-01"), (None, "", None), (None, None, None)])
    assert errors == {}
    assert plan is not None and plan.keep == [GoalChange(None, "A pilot channel", date(2027, 3, 1))]
    plan, errors = _parse([(None, "One", None)], picked=["A tangible prototype", "one", "A tangible prototype"])
    assert plan is not None and [c.text for c in plan.keep] == ["One", "A tangible prototype"]  # no doubles

    assert _parse([(None, "", None)] * 3)[1] == {"text.1": "none"}
    assert _parse([(None, "", "2027-03-01")])[1] == {"text.1": "empty"}
    assert _parse([(None, "x" * (rules.GOAL_TEXT_MAX + 1), None)])[1] == {"text.1": "too_long"}
    assert _parse([(None, "One", "2027-01-03")])[1] == {"due.1": "past"}
    assert _parse([(None, "One", "someday")])[1] == {"due.1": "invalid"}
    assert _parse([(None, "One", "2027-01-04")])[1] == {}  # today is fine
    # a fourth open goal: picked ideas, or one a partner added meanwhile
    assert _parse([(None, "One", None), (None, "Two", None)], picked=["Three", "Four"])[1] == {
        "suggestions": "too_many"
    }
    assert _parse([(None, "One", None), (None, "Two", None), (None, "Three", None)], other_open=1)[1] == {
        "text.1": "too_many"
    }


def test_goals_kept_edited_removed_and_an_old_due_date_may_stay() -> None:
    known = {7: (date(2027, 1, 1), False), 8: (None, False), 9: (None, True)}
    plan, errors = _parse(
        [(7, "Kept, with its old date", "2027-01-01"), (8, "", None), (9, "Done one", None)], known=known
    )
    assert errors == {}
    assert plan is not None and plan.remove == [8]
    assert plan.keep == [GoalChange(7, "Kept, with its old date", date(2027, 1, 1)), GoalChange(9, "Done one", None)]
    # moving it to another past date is refused
    assert _parse([(7, "Kept", "2026-12-31")], known=known)[1] == {"due.1": "past"}
    # a goal that is gone by now (a partner removed it) comes back as a new one
    plan, _ = _parse([(99, "Still wanted", None)], known=known)
    assert plan is not None and plan.keep == [GoalChange(None, "Still wanted", None)]


def test_goals_section_renders_plain_data_escaped() -> None:
    goals = [
        {"id": 1, "text": "<!channel> win", "due": date(2027, 3, 1), "progress": 50, "done": False, "done_on": None},
        {"id": 2, "text": "A prototype", "due": None, "progress": 100, "done": True, "done_on": date(2027, 2, 1)},
    ]
    [section] = blocks.goals_section("en", goals)
    text = section["text"]["text"]
    assert "*Our bold goals*" in text
    assert "• *&lt;!channel&gt; win* · due 1 Mar 2027 · ▰▰▱▱ 50%" in text
    assert "~A prototype~ · done 1 Feb 2027" in text
    assert blocks.goals_section("de", []) == []


def test_every_message_and_view_stays_within_block_kit_limits_at_the_longest() -> None:
    """Sections at their longest, made of the characters escaping lengthens most, long names and goals."""
    from dataclasses import replace

    from bot.domain.agreement import Acceptance, Card, HomeGoal, HomePair
    from bot.sandbox.blockkit import validate_blocks, validate_view

    sections = {key: "&<>" * (rules.SECTION_MAX // 3) + "x" for key in rules.SECTIONS}
    name, goal = "N" * 200, "G" * rules.GOAL_TEXT_MAX
    card = Card(
        agreement_id=1,
        version_id=2,
        pair_id=3,
        number=2,
        program="P" * 80,
        state=rules.OPEN,
        sections=sections,
        full=True,
        proposer=name,
        note="&" * rules.NOTE_MAX,
        accepted=(Acceptance(name, TODAY),),
        waiting=(name,),
        agreed_on=TODAY,
        goal_ideas=(goal,) * 5,
    )
    goals = [{"text": goal, "due": TODAY, "progress": 75, "done": False}] * 3
    home_goals = tuple(HomeGoal(n, goal, TODAY, 50, TODAY if n > 3 else None) for n in range(1, 7))
    home = [
        HomePair(n, "P" * 80, name, status, 1, 2, TODAY, home_goals)
        for n, status in enumerate(("agreed", "waiting_you"))
    ]
    for locale in ("en", "de"):
        messages = [
            blocks.card_message(locale, replace(card, state=state, full=full))
            for state in (rules.OPEN, rules.AGREED, rules.REPLACED)
            for full in (True, False)
        ]
        messages += [
            blocks.reminder_message(
                locale, number=2, partner=name, program="P" * 80, agreement_id=1, version_id=2, sections=sections
            ),
            blocks.agreed_message(locale, on=TODAY),
            blocks.goals_posted(locale, who=name, goals=goals),
            blocks.goal_done_posted(locale, who=name, text=goal),
            blocks.goals_command(locale),
            blocks.pick_pair(locale, [(n, name) for n in range(12)]),
            blocks.note(locale, "answer_already", waiting=name),
        ]
        for message in messages:
            assert validate_blocks(message["blocks"], surface="message") == []
            assert 0 < len(message["text"]) <= 40000
        views = [
            blocks.change_modal(locale, agreement_id=1, partner=name, sections=sections),
            blocks.template_modal(locale, program_id=1, name="P" * 80, sections=sections),
            blocks.goals_modal(locale, pair_id=1, partner=name, slots=[(1, goal, TODAY)] * 3, ideas=[goal] * 5),
            blocks.goals_modal(locale, pair_id=1, partner=name, slots=[], ideas=[]),
        ]
        for view in views:
            assert validate_view(view) == []
        assert validate_blocks(blocks.home_section(locale, home), surface="home") == []
