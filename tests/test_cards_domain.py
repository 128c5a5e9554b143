"""Learning cards, pure: the form's rules (required, trimmed, length limits, show name from a radio button or a
checkbox), the program choice, and who may publish, edit or delete what."""

from __future__ import annotations

import pytest

from bot.domain import cards as rules


def test_form_is_trimmed_and_keeps_its_lines() -> None:
    form, errors = rules.parse_form(
        {"title": "  Reels need\n a hook  ", "text": "\n  First line   \nsecond line  \n", "show_name": "name"}
    )
    assert errors == {}
    assert form == rules.Form(title="Reels need a hook", text="First line\nsecond line", show_name=True)


def test_empty_and_too_long_fields_are_errors_per_field() -> None:
    form, errors = rules.parse_form({"title": "   ", "text": None, "show_name": "anonymous"})
    assert form is None and errors == {"title": "required", "text": "required"}
    form, errors = rules.parse_form(
        {"title": "t" * (rules.TITLE_MAX + 1), "text": "x" * (rules.TEXT_MAX + 1), "show_name": "name"}
    )
    assert form is None and errors == {"title": "too_long", "text": "too_long"}


def test_limits_are_inclusive() -> None:
    form, errors = rules.parse_form(
        {"title": "t" * rules.TITLE_MAX, "text": "x" * rules.TEXT_MAX, "show_name": "anonymous"}
    )
    assert errors == {} and form is not None
    assert (len(form.title), len(form.text), form.show_name) == (120, 600, False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name", True),
        ("anonymous", False),
        (["name"], True),  # a ticked checkbox
        ([], False),  # an unticked checkbox
        (None, None),
        ("", None),
        ("everyone", None),
    ],
)
def test_show_name_from_radio_or_checkbox(raw: object, expected: bool | None) -> None:
    assert rules.parse_show_name(raw) is expected


def test_a_missing_show_name_answer_is_an_error() -> None:
    form, errors = rules.parse_form({"title": "T", "text": "x"})
    assert form is None and errors == {"show_name": "show_name"}


def test_program_must_be_one_the_person_may_write_for() -> None:
    assert rules.parse_program("7", [3, 7]) == 7
    assert rules.parse_program(7, [7]) == 7
    assert rules.parse_program("8", [3, 7]) is None
    assert rules.parse_program("", [3, 7]) is None
    assert rules.parse_program("-1", [3, 7]) is None
    assert rules.parse_program(None, []) is None


@pytest.mark.parametrize("act", list(rules.Act))
def test_only_the_author_acts_on_a_draft(act: rules.Act) -> None:
    assert rules.refusal(act, is_author=True, published=False) is None
    assert rules.refusal(act, is_author=False, published=False) == "not_yours"
    assert rules.refusal(act, is_author=False, published=True) == "not_yours"


@pytest.mark.parametrize("act", list(rules.Act))
def test_a_published_card_stays_as_the_community_saw_it(act: rules.Act) -> None:
    assert rules.refusal(act, is_author=True, published=True) == "published"


def test_publishing_needs_a_community_channel_with_tandem_in_it() -> None:
    assert rules.publish_blocker(channel_id=None, tandem_in_channel=False) == "no_channel"
    assert rules.publish_blocker(channel_id="", tandem_in_channel=True) == "no_channel"
    assert rules.publish_blocker(channel_id="C123", tandem_in_channel=False) == "not_member"
    assert rules.publish_blocker(channel_id="C123", tandem_in_channel=True) is None
