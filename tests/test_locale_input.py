"""Input read in the person's language (issue 18, item 4): numbers and days as Germans and Britons write them; bad
input is None (the caller says what it expected, with an example) and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.domain.impact import parse_metric, parse_number, parse_value
from bot.domain.locale_input import day, number
from bot.models import Participant
from tests.helpers import admin_channel, create_program, dump, onboard, persona

TODAY = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.200", "de", 1200.0),
        ("1.200", "en", 1.2),
        ("1,200", "en", 1200.0),
        ("1,200", "de", 1.2),
        ("1.200,5", "de", 1200.5),
        ("1 200", "de", 1200.0),
        ("7,5", "en", 7.5),  # the other language's way, where it is unambiguous
        ("7.5", "de", 7.5),
        ("-3", "de", -3.0),
        ("abc", "de", None),
        ("1.2.3", "de", None),
        ("", "en", None),
        ("nan", "en", None),
    ],
)
def test_numbers_as_written(text: str, locale: str, expected: float | None) -> None:
    assert number(text, locale) == expected


def test_days_as_written() -> None:
    assert day("24.12.2027", "de", today=TODAY) == date(2027, 12, 24)
    assert day("24.12.27", "de", today=TODAY) == date(2027, 12, 24)
    assert day("24.12.", "de", today=TODAY) == date(2027, 12, 24)
    assert day("1.2.", "de", today=TODAY) == date(2028, 2, 1)  # the next 1 February
    assert day("24/12/2027", "en", today=TODAY) == date(2027, 12, 24)
    assert day("2027-12-24", "de", today=TODAY) == date(2027, 12, 24)
    assert day("31.2.", "de", today=TODAY) is None
    assert day("morgen", "de", today=TODAY) is None


def test_metrics_and_values_read_the_hosts_language() -> None:
    spec, errors = parse_metric(
        {"name": "Freigaben", "baseline": "1.200", "target_low": "1.500", "reporter": "host"}, locale="de"
    )
    assert errors == {} and spec is not None and (spec.baseline, spec.target_low) == (1200.0, 1500.0)
    assert parse_value("2,5", "1.3.2027", today=TODAY, earliest=None, locale="de") == ((2.5, date(2027, 3, 1)), {})
    assert parse_value("x", "", today=TODAY, earliest=None, locale="de")[1] == {"value": "number"}
    assert parse_number("1.200") == 1.2  # English by default


def test_a_german_pause_until_a_day_without_its_year(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ana = onboard(stack, {"Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "IT", ["a"], ["b"], ["growth"])})["Ana"]
    before = dump(stack.engine)["participant"]
    assert ana.slash("pause bis morgen").ok
    answer = ana.ephemeral_messages()[-1]["text"]
    assert "Zum Beispiel: `/tandem pause bis " in answer and "." in answer.split("bis ")[-1]
    assert dump(stack.engine)["participant"] == before  # nothing stored
    soon = stack.clock.now().date() + timedelta(days=40)
    assert ana.slash(f"pause bis {soon.day}.{soon.month}.").ok  # "bis 13.2.": no year, the next such day
    with stack.session_factory() as s:
        until = s.scalars(select(Participant.paused_until).where(Participant.slack_user_id == ana.id)).one()
    assert until == soon


def test_time_zones_by_city_names_in_either_language() -> None:
    from bot.domain.interview import normalize_tz

    assert normalize_tz("Lissabon") == normalize_tz("Lisbon") == "Europe/Lisbon"
    assert normalize_tz("Wien") == "Europe/Vienna" and normalize_tz("Singapur") == "Asia/Singapore"
    assert normalize_tz("München") == normalize_tz("munich") == "Europe/Berlin"  # no zone of its own
    assert normalize_tz("Zürich") == "Europe/Zurich" and normalize_tz("europe/berlin") == "Europe/Berlin"
    assert normalize_tz("Atlantis") is None and normalize_tz("") is None
