"""The kick-off kit, pure: which side of a pair a partner is on, the three micro-lessons of each side, the hosts'
own texts for them, and which earlier learning cards a new cohort sees. No database, no Slack, no clock.

**Sides.** The partner who brings digital skills gets the digital side's lessons (teaching upward, saying "no",
making it concrete), the partner who brings context the context side's (active asking, thanking for dissent,
letting the other lead). Beside a partner who brings context only, the other takes the digital side; where the roles
don't tell (both bring some of both), the partner who moderates the first week (``bot.domain.rhythm.roles``) takes
the digital side, the other the context side.

**Texts.** Each lesson has a title and a text in both languages (``templates/<locale>/kickoff.j2``); hosts may
replace a lesson's text per program and language. An empty field means Tandem's default; a text equal to the
default is not stored. A text longer than ``TEXT_MAX`` is refused, and then nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.domain.rhythm import CONTEXT, DIGITAL, roles

SIDES = (DIGITAL, CONTEXT)
LESSONS: dict[str, tuple[str, str, str]] = {
    DIGITAL: ("teach_up", "say_no", "concrete"),
    CONTEXT: ("ask", "thank", "follow"),
}
ALL_LESSONS = LESSONS[DIGITAL] + LESSONS[CONTEXT]
LOCALES = ("en", "de")
TEXT_MAX = 700
CARDS_SHOWN = 3  # earlier cohorts' learning cards in a kit

TOO_LONG = "too_long"


def sides(role_a: str | None, role_b: str | None) -> tuple[str, str]:
    """The kit side of partner a and of partner b."""
    if (role_a == CONTEXT) != (role_b == CONTEXT):  # one brings context only: the other takes the digital side
        digital = 1 if role_a == CONTEXT else 0
    else:
        r = roles(1, role_a, role_b)
        digital = r.digital if r.digital is not None else r.moderator
    return (DIGITAL, CONTEXT) if digital == 0 else (CONTEXT, DIGITAL)


def side_of(lesson: str) -> str | None:
    """The side a lesson key belongs to (None: not a lesson)."""
    return next((side for side, keys in LESSONS.items() if lesson in keys), None)


def parse_value(value: str) -> tuple[int, str] | None:
    """A lesson button's value ``<kit id>:<lesson key>``; None when it is not one."""
    kit_id, _, lesson = str(value or "").partition(":")
    if not kit_id.isdigit() or lesson not in ALL_LESSONS:
        return None
    return int(kit_id), lesson


def read_after(read: Sequence[Any] | None, lesson: str) -> list[str]:
    """The lessons read, with ``lesson`` (once, in the order of the lessons)."""
    done = {str(x) for x in read or ()} | {lesson}
    return [key for key in ALL_LESSONS if key in done]


def parse_texts(
    raw: Mapping[str, Any], defaults: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The hosts' texts modal: ``raw`` maps ``"<locale>.<lesson>"`` to what was typed; ``defaults`` maps a locale
    to its lesson texts. Returns the texts to store (``{locale: {lesson: text}}``, only those that differ from the
    default and are not empty) and an error kind per field that is refused (then nothing is stored)."""
    out: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for locale in LOCALES:
        for lesson in ALL_LESSONS:
            key = f"{locale}.{lesson}"
            text = "\n".join(line.rstrip() for line in str(raw.get(key) or "").strip().splitlines())
            if len(text) > TEXT_MAX:
                errors[key] = TOO_LONG
            elif text and text != defaults.get(locale, {}).get(lesson, "").strip():
                out.setdefault(locale, {})[lesson] = text
    return ({}, errors) if errors else (out, {})


def text_for(stored: Mapping[str, Any] | None, locale: str, lesson: str) -> str | None:
    """The hosts' text for a lesson in ``locale``; None: Tandem's default."""
    found = ((stored or {}).get(locale) or {}).get(lesson)
    return str(found) if found else None


T = TypeVar("T")


@dataclass(frozen=True)
class EarlierCard:
    """A published learning card of an earlier cohort, as a kit shows it (``author``: only when the card carries
    the name)."""

    title: str
    text: str
    program: str
    author: str | None


def earlier(cards: Sequence[T], *, limit: int = CARDS_SHOWN) -> list[T]:
    """Up to ``limit`` of the earlier cohorts' published cards, newest first (``cards``: oldest first)."""
    return list(reversed(list(cards)))[:limit]
