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
from datetime import date, datetime, time, timedelta
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


# -- the peer circle ------------------------------------------------------------------------------------------------
# Hosts choose per program: no circle, one private channel per side that Tandem creates, or one thread per side in a
# channel the hosts pick. Once a month, on the program's first working day of the month at PROMPT_HOUR program time,
# Tandem posts a prompt for swapping experiences there. Nothing from pairs is ever posted there.
OFF, CHANNELS, THREAD = "off", "channels", "thread"
MODES = (OFF, CHANNELS, THREAD)
INVITE_BATCH = 1000  # conversations.invite takes at most 1000 user ids a call
PROMPT_HOUR = 9
NAME_MAX = 80  # a Slack channel name
# A side's channel name that Slack says is taken (someone made one like it, or an earlier installation did) is tried
# again with "-2", "-3" ... up to NAME_TRIES names; then, or when Slack refuses for another reason, Tandem stops trying
# (the hosts' delivery alert says why).
NAME_TRIES = 5
NAME_TAKEN = "name_taken"
NO_CHANNEL, NOT_MEMBER = "no_channel", "not_member"


def parse_mode(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text in MODES else None


def circle_refusal(mode: str, *, channel_id: str | None, tandem_in_channel: bool) -> str | None:
    """Why the hosts' choice can't be kept (``no_channel``: threads need a channel; ``not_member``: Tandem must be in
    it); None: it can."""
    if mode != THREAD:
        return None
    if not channel_id:
        return NO_CHANNEL
    return None if tandem_in_channel else NOT_MEMBER


def channel_name(program_id: int, program: str, side: str, attempt: int = 0) -> str:
    """The private channel's name: lower case letters, digits and hyphens, unique by the program's id; from the
    second ``attempt`` on (the name was taken) with "-2", "-3" ... at its end."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in program.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    head = f"tandem-{program_id}-"
    tail = f"-{side}" + (f"-{attempt + 1}" if attempt else "")
    return (head + slug[: NAME_MAX - len(head) - len(tail)]).rstrip("-") + tail


def next_create(tries: Sequence[tuple[str, str | None]]) -> int | None:
    """Which try at creating a side's channel to queue now, from the tries queued so far in order (each its outbox
    status and last error): the first when there is none; the next when the last was parked because the name is taken
    and another name is left; else None (the last try is on its way or went through, or Slack refused it for another
    reason, or every name was taken)."""
    if not tries:
        return 0
    status, error = tries[-1]
    if status == "parked" and (error or "").startswith(NAME_TAKEN) and len(tries) < NAME_TRIES:
        return len(tries)
    return None


def batches(users: Sequence[str], size: int = INVITE_BATCH) -> list[list[str]]:
    """``users`` in invitation batches (Slack's limit per call), in order."""
    ordered = list(users)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def membership(desired: Sequence[str], invited: Sequence[str]) -> tuple[list[str], list[str]]:
    """Whom to invite (desired, not yet invited) and whom to remove (invited by Tandem, no longer of the side)."""
    have = set(invited)
    want = set(desired)
    return sorted(want - have), sorted(have - want)


def first_working_day(year: int, month: int, is_working_day: Any) -> date:
    """The first day of the month ``is_working_day`` accepts (the 1st when none in the month does)."""
    day = date(year, month, 1)
    for offset in range(31):
        candidate = day + timedelta(days=offset)
        if candidate.month != month:
            break
        if is_working_day(candidate):
            return candidate
    return day


def prompts_until(start: date | None, duration_weeks: int) -> date | None:
    """The first day without monthly prompts: the day after the program's last week (None: no start date yet, so no
    end either). The circle stays in Slack after it; Tandem stops asking."""
    return None if start is None else start + timedelta(weeks=duration_weeks)


def prompt_day(local_now: datetime, last: date | None, is_working_day: Any, until: date | None = None) -> date | None:
    """The day of the monthly prompt when one is due at ``local_now`` (program time): it is the month's first
    working day, ``PROMPT_HOUR`` has come, this month had none yet, and the program has not ended (``until``). None
    otherwise."""
    today = local_now.date()
    if until is not None and today >= until:
        return None
    if local_now.hour < PROMPT_HOUR or today != first_working_day(today.year, today.month, is_working_day):
        return None
    if last is not None and (last.year, last.month) == (today.year, today.month):
        return None
    return today


def next_prompt(
    local_now: datetime, last: date | None, is_working_day: Any, until: date | None = None
) -> datetime | None:
    """When the next monthly prompt is due, in the zone of ``local_now``: now, or ``PROMPT_HOUR`` on a month's first
    working day before ``until``; None once the program has ended."""
    if prompt_day(local_now, last, is_working_day, until) is not None:
        return local_now
    year, month = local_now.year, local_now.month
    for _ in range(13):
        day = first_working_day(year, month, is_working_day)
        at = datetime.combine(day, time(PROMPT_HOUR), tzinfo=local_now.tzinfo)
        done = last is not None and (last.year, last.month) == (year, month)
        if until is not None and day >= until:
            return None
        if at > local_now and not done:
            return at
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return local_now + timedelta(days=31)
