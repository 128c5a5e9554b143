"""Describing a program in words, shared by the admin channel, invitations and App Home."""

from __future__ import annotations

from datetime import date, datetime

from bot import i18n
from bot.domain.localtime import zone
from bot.models import Program


def date_text(locale: str, value: date | None) -> str:
    """A calendar day in the reader's locale (``i18n.date_short``): 5 Jan 2027 / 5.1.2027; "–" for none."""
    if value is None:
        return "–"
    return i18n.date_short(value, locale)


def local_day_text(locale: str, at: datetime, tz: str) -> str:
    """The day of a moment on the calendar of zone ``tz``: 5 Jan 2027 / 5.1.2027."""
    return i18n.date_short(at.astimezone(zone(tz)).date(), locale)


def weekday_text(locale: str, weekday: int) -> str:
    """A weekday's name (0 = Monday) in the reader's locale, from Babel."""
    return i18n.weekday(weekday, locale)


def rhythm_text(locale: str, rhythm: str) -> str:
    return i18n.plain(locale, "admin", f"rhythm_{rhythm}")


def status_text(locale: str, status: str) -> str:
    return i18n.plain(locale, "admin", f"status_{status}")


def fields_text(program: Program) -> str:
    return " · ".join(program.learning_fields)
