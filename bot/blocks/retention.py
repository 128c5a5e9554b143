"""Retention messages to the hosts: the heads-up a week before a program's data is deleted, and the count-only
message afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.blocks.programs import date_text

# the order the counts are listed in; kinds with nothing deleted are left out
KINDS = (
    "notes",
    "red_topics",
    "answers",
    "weeks",
    "goals",
    "agreements",
    "retro_answers",
    "cancellations",
    "escalations",
    "match_proposals",
    "speed_intros",
    "metric_values",
    "cards",
    "poll_receipts",
    "poll_comments",
    "enrollments",
    "pairs",
    "messages",
    "people",
)


def notice(locale: str, *, program: str, months: int, due_on: date, editable: bool) -> dict[str, Any]:
    """``editable``: the program is not closed, so its card still has *Edit* (where the months can change)."""
    text = i18n.text(
        locale,
        "retention",
        "notice",
        program=program,
        months=months,
        date=date_text(locale, due_on),
        editable=editable,
    )
    return kit.message(text, [kit.section(text)])


def counts_text(locale: str, counts: dict[str, int]) -> str:
    parts = [i18n.plain(locale, "retention", f"n_{kind}", n=counts[kind]) for kind in KINDS if counts.get(kind)]
    return ", ".join(parts) if parts else i18n.plain(locale, "retention", "n_nothing")


def expired(locale: str, *, program: str, months: int, counts: dict[str, int]) -> dict[str, Any]:
    text = i18n.text(locale, "retention", "expired", program=program, months=months, counts=counts_text(locale, counts))
    return kit.message(text, [kit.section(text)])
