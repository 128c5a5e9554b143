"""Describing a program in words, shared by the admin channel, invitations and App Home."""

from __future__ import annotations

from datetime import date

from bot import i18n
from bot.models import Program


def date_text(locale: str, value: date | None) -> str:
    if value is None:
        return "–"
    return i18n.plain(
        locale,
        "common",
        "date",
        day=value.day,
        month=value.month if locale == "de" else value.strftime("%b"),
        year=value.year,
    )


def weekday_text(locale: str, weekday: int) -> str:
    return i18n.plain(locale, "common", f"weekday_{weekday}")


def rhythm_text(locale: str, rhythm: str) -> str:
    return i18n.plain(locale, "admin", f"rhythm_{rhythm}")


def status_text(locale: str, status: str) -> str:
    return i18n.plain(locale, "admin", f"status_{status}")


def fields_text(program: Program) -> str:
    return " · ".join(program.learning_fields)
