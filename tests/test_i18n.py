"""Wording: English and German say the same things, and user text is escaped in mrkdwn."""

from __future__ import annotations

import pytest

from bot import i18n


def test_every_template_and_block_exists_in_both_languages() -> None:
    assert i18n.template_blocks("en") == i18n.template_blocks("de")


@pytest.mark.parametrize(
    ("slack", "ours"),
    [("de-DE", "de"), ("de_AT", "de"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en"), ("", "en")],
)
def test_locale_from_slack(slack: str | None, ours: str) -> None:
    assert i18n.locale_from_slack(slack) == ours


def test_focus_question_in_both_languages() -> None:
    assert i18n.plain("en", "common", "focus_question") == "What moves us forward by next week?"
    assert i18n.plain("de", "common", "focus_question") == "Was bringt uns bis nächste Woche voran?"


def test_mrkdwn_escapes_user_values_and_plain_does_not() -> None:
    assert "&lt;!channel&gt;" in i18n.text("en", "common", "unknown_command", command="<!channel>")
    assert "<!channel>" in i18n.plain("en", "home", "header", name="<!channel>")


def test_missing_variable_is_an_error_not_blank() -> None:
    with pytest.raises(Exception, match="command"):
        i18n.text("en", "common", "unknown_command")
