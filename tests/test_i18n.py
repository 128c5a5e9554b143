"""Wording: English and German say the same things, and user text is escaped in mrkdwn."""

from __future__ import annotations

from datetime import date

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


# -- numbers, percentages and dates through Babel ---------------------------------------------------------------
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ("1,234.5", "12", "4.0", "47%", "24 Dec 2027", "5 Jan 2027", "5 January", "Monday", "Tuesday")),
        ("de", ("1.234,5", "12", "4,0", f"47{NBSP}%", "24.12.2027", "5.1.2027", "5. Januar", "Montag", "Dienstag")),
    ],
)
def test_locale_formats(locale: str, expected: tuple[str, ...]) -> None:
    got = (
        i18n.number(1234.5, locale),
        i18n.number(12.0, locale),
        i18n.decimal(4, locale, 1),
        i18n.percent(0.47, locale),
        i18n.date_short(date(2027, 12, 24), locale),
        i18n.date_short(date(2027, 1, 5), locale),
        i18n.day_month(date(2027, 1, 5), locale),
        i18n.weekday(0, locale),
        i18n.weekday(date(2027, 1, 5), locale),
    )
    assert got == expected


def test_no_minus_zero_and_rounding() -> None:
    assert i18n.number(-0.001, "de") == "0" and i18n.decimal(-0.01, "en", 1) == "0.0"
    assert i18n.number(2 / 3, "de") == "0,67" and i18n.number(2 / 3, "en", digits=0) == "1"


@pytest.mark.parametrize("locale", ["en", "de"])
def test_filters_use_the_templates_locale(locale: str) -> None:
    env = i18n._environment(locale, True)
    rendered = env.from_string(
        "{{ x|number }} | {{ x|decimal(1) }} | {{ share|percent }} | {{ day|date_short }} | {{ day|day_month }}"
        " | {{ day|weekday }}"
    ).render(x=1234.5, share=0.47, day=date(2027, 12, 24))
    assert rendered == " | ".join(
        (
            i18n.number(1234.5, locale),
            i18n.decimal(1234.5, locale, 1),
            i18n.percent(0.47, locale),
            i18n.date_short(date(2027, 12, 24), locale),
            i18n.day_month(date(2027, 12, 24), locale),
            i18n.weekday(date(2027, 12, 24), locale),
        )
    )


def test_a_german_message_writes_german_numbers_percentages_and_dates() -> None:
    """The pulse results for hosts: mood 4,0 of 5, 47 % answered, and a goal due on 24.12.2027."""
    shown = i18n.text(
        "de",
        "polls",
        "round_shown",
        number=3,
        average=i18n.decimal(4, "de", 1),
        change="–",
        distribution="1: 0",
        answered=7,
        asked=15,
        rate=7 / 15,
        silent=8 / 15,
    )
    assert "Stimmung *4,0* von 5" in shown and f"(47{NBSP}%)" in shown and f"nicht geantwortet: 53{NBSP}%" in shown
    goal = i18n.text("de", "agreement", "goal_line", text="Ein Prototyp", due="24.12.2027", bar="▰▰▱▱", progress=50)
    assert goal == f"• *Ein Prototyp* · fällig am 24.12.2027 · ▰▰▱▱ 50{NBSP}%"
    assert i18n.text(
        "de", "speed", "when", weekday="Dienstag", date=i18n.day_month(date(2027, 1, 5), "de"), time="18:00"
    ) == ("Dienstag, 5. Januar, 18:00 Uhr")
