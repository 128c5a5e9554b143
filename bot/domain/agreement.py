"""A pair's working agreement and bold goals, pure: the sections, what a form may change, whose OK is missing,
when to remind, and which goals a form sets.

**Agreement.** Ten sections (``SECTIONS``), stored as data ``{key: text}``. Version 1 comes from the program's
template; either partner accepts it or proposes a change (a new version, which the proposer counts as having
accepted). A version both partners accepted is *agreed*; a newer version *replaces* an older one that was still
open, and an agreed one once the newer one is agreed too. Until the pair first agrees, whoever has not accepted
the open version gets a gentle reminder 2 days after the agreement arrived and a last one after 5 days, in their
own workday daytime, then silence.

**Goals.** 1 to 3 open goals per pair (``GOALS_MAX``), each with an optional due date that is not in the past,
and progress in quarter steps; done is one click.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain import localtime
from bot.domain.worktime import WorkingTime

SECTIONS: tuple[str, ...] = (
    "confidentiality",
    "preparation",
    "reachability",
    "sensitive_topics",
    "guiding_questions",
    "agenda",
    "talk_share",  # moderation on rotation, as each week's prompt names it (bot.domain.rhythm.roles)
    "email",
    "successes",
    "conflicts",
)
SECTION_MAX = 1000  # characters of one section's text (a Block Kit section holds 3000)
NOTE_MAX = 500  # a proposer's note to the partner

# Reminder n (1-based) is due this long after the agreement arrived, in the person's workday daytime; then silence.
REMINDER_AFTER: tuple[timedelta, ...] = (timedelta(days=2), timedelta(days=5))
REMINDER_MIN_GAP = timedelta(days=1)  # never two reminders closer together (when one was late)

OPEN, AGREED, REPLACED = "open", "agreed", "replaced"


def common_locale(a: str, b: str) -> str:
    """The pair's language, as the introduction picks it: theirs when both share it, else English."""
    return a if a == b else "en"


def clean_text(value: Any) -> str:
    """A section or note as typed, without trailing blanks on its lines or around it."""
    return "\n".join(line.rstrip() for line in str(value or "").strip().splitlines()).strip()


def complete(sections: Mapping[str, Any] | None, defaults: Mapping[str, str]) -> dict[str, str]:
    """Every section, in order: the given text where there is one, else the default."""
    given = sections or {}
    return {key: clean_text(given.get(key)) or defaults[key] for key in SECTIONS}


def parse_sections(raw: Mapping[str, Any], *, required: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The sections of a submitted form: ``({key: text}, {key: error})``. Errors: ``empty`` (a blank section
    where ``required``) and ``too_long``. Blank sections are left out of the texts."""
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in SECTIONS:
        text = clean_text(raw.get(key))
        if not text:
            if required:
                errors[key] = "empty"
            continue
        if len(text) > SECTION_MAX:
            errors[key] = "too_long"
            continue
        texts[key] = text
    return texts, errors


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The sections whose text differs, in order."""
    return [key for key in SECTIONS if clean_text(before.get(key)) != clean_text(after.get(key))]


def overrides(sections: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """What a host's template changes against the default: the sections that differ from it."""
    return {key: sections[key] for key in SECTIONS if key in sections and sections[key] != defaults.get(key)}


def version_state(*, agreed_at: datetime | None, superseded_at: datetime | None) -> str:
    if superseded_at is not None:
        return REPLACED
    return AGREED if agreed_at is not None else OPEN


def waiting_for(partners: Sequence[int], accepted: Collection[int]) -> list[int]:
    """The partners (ids) who have not accepted, in the pair's order."""
    return [p for p in partners if p not in accepted]


def _send_at(earliest: datetime, tz: str | WorkingTime) -> datetime:
    return tz.next_working(earliest) if isinstance(tz, WorkingTime) else localtime.send_at(earliest, tz)


def _is_working(now: datetime, tz: str | WorkingTime) -> bool:
    return tz.is_working(now) if isinstance(tz, WorkingTime) else localtime.is_workday_daytime(now, tz)


def reminder_due(
    *,
    started_at: datetime,
    reminders_sent: int,
    last_reminder_at: datetime | None,
    now: datetime,
    tz: str | WorkingTime,
) -> int | None:
    """The number (1 or 2) of the reminder to send someone now, or None: reminder n is due from the first workday
    daytime moment ``REMINDER_AFTER[n-1]`` after the agreement arrived, and only in their workday daytime (``tz``:
    their zone, or their working time, which also leaves out public holidays where they are)."""
    if not 0 <= reminders_sent < len(REMINDER_AFTER):
        return None
    if now < _send_at(started_at + REMINDER_AFTER[reminders_sent], tz):
        return None
    if last_reminder_at is not None and now < last_reminder_at + REMINDER_MIN_GAP:
        return None
    if not _is_working(now, tz):
        return None
    return reminders_sent + 1


def reminder_next(
    *,
    started_at: datetime,
    reminders_sent: int,
    last_reminder_at: datetime | None,
    now: datetime,
    tz: str | WorkingTime,
) -> datetime | None:
    """The first moment at or after ``now`` at which :func:`reminder_due` gives a reminder (``now`` when it does
    now), or None when it never will (both were sent)."""
    if not 0 <= reminders_sent < len(REMINDER_AFTER):
        return None
    earliest = max(now, _send_at(started_at + REMINDER_AFTER[reminders_sent], tz))
    if last_reminder_at is not None:
        earliest = max(earliest, last_reminder_at + REMINDER_MIN_GAP)
    if isinstance(tz, WorkingTime):
        return tz.next_working(earliest)
    return localtime.next_workday_daytime(earliest, tz)


# -- what the messages and App Home show (plain data for bot.blocks.agreement) ---------------------------------
@dataclass(frozen=True)
class Acceptance:
    name: str
    on: date  # in the accepting person's zone


@dataclass(frozen=True)
class Card:
    """One version as its message in the pair's group DM shows it (the same for both partners)."""

    agreement_id: int
    version_id: int
    pair_id: int
    number: int
    program: str
    state: str  # OPEN, AGREED or REPLACED
    sections: dict[str, str]  # what the message shows: every section, or for a proposal what it changes
    full: bool  # every section (version 1), or only the changed ones (a proposal)
    proposer: str | None = None
    note: str | None = None
    accepted: tuple[Acceptance, ...] = ()
    waiting: tuple[str, ...] = ()
    agreed_on: date | None = None
    goal_ideas: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomeGoal:
    id: int
    text: str
    due: date | None
    progress: int
    done_on: date | None  # in the reader's zone
    proposed: bool = False  # set by one partner, not accepted by the other yet
    mine: bool = False  # proposed by the reader (they may withdraw it; their partner accepts it)


@dataclass(frozen=True)
class HomePair:
    """One of the person's tandems in App Home: the agreement's status for them, and the pair's goals."""

    pair_id: int
    program: str
    partner: str
    status: str  # "agreed", "waiting_partner", "waiting_you" or "none" (no agreement yet)
    agreement_id: int | None = None
    version_id: int | None = None  # the open version, when it waits for the reader
    agreed_on: date | None = None
    goals: tuple[HomeGoal, ...] = field(default_factory=tuple)


# -- goals ------------------------------------------------------------------------------------------------
GOALS_MAX = 3  # open goals per pair
GOAL_TEXT_MAX = 150
SLOTS = 3  # goals in the form
PROGRESS_STEPS = (25, 50, 75)
DONE = 100


@dataclass(frozen=True)
class GoalChange:
    """A goal the form keeps or creates (``goal_id`` None: a new one), in the form's order."""

    goal_id: int | None
    text: str
    due: date | None


@dataclass(frozen=True)
class GoalPlan:
    keep: list[GoalChange]
    remove: list[int]


def _date(value: Any) -> tuple[date | None, bool]:
    if value in (None, ""):
        return None, True
    try:
        return date.fromisoformat(str(value)), True
    except ValueError:
        return None, False


def parse_goals(
    slots: Sequence[tuple[int | None, Any, Any]],
    picked: Sequence[Any],
    *,
    known: Mapping[int, tuple[date | None, bool]],
    other_open: int,
    today: date,
) -> tuple[GoalPlan | None, dict[str, str]]:
    """The goals form: ``slots`` as (goal id shown there or None, text, due date ``YYYY-MM-DD``), ``picked``
    example goals, ``known`` the pair's goals now (id -> (due date, done)), ``other_open`` open goals the form
    did not show (a partner added them meanwhile), ``today`` the person's date.

    Returns the plan, or None and errors ``{field: key}`` with fields ``text.n``, ``due.n`` (n from 1) and
    ``suggestions``: ``empty`` (a date without words), ``too_long``, ``invalid`` or ``past`` (a new or changed
    due date before today), ``none`` (no goal at all), ``too_many`` (more than ``GOALS_MAX`` open)."""
    errors: dict[str, str] = {}
    keep: list[GoalChange] = []
    remove: list[int] = []
    open_count = other_open
    first_new: str | None = None
    for n, (goal_id, raw_text, raw_due) in enumerate(slots, start=1):
        text = " ".join(str(raw_text or "").split())
        due, valid = _date(raw_due)
        existing = known.get(goal_id) if goal_id is not None else None
        if not valid:
            errors[f"due.{n}"] = "invalid"
        elif due is not None and due < today and (existing is None or existing[0] != due):
            errors[f"due.{n}"] = "past"
        if not text:
            if due is not None:
                errors[f"text.{n}"] = "empty"
            elif existing is not None and goal_id is not None:
                remove.append(goal_id)
            continue
        if len(text) > GOAL_TEXT_MAX:
            errors[f"text.{n}"] = "too_long"
        keep.append(GoalChange(goal_id if existing is not None else None, text, due))
        if existing is None or not existing[1]:
            open_count += 1
        if existing is None and first_new is None:
            first_new = f"text.{n}"
    seen = {change.text.casefold() for change in keep}
    ideas = []
    for idea in (" ".join(str(p or "").split()) for p in picked):
        if idea and idea.casefold() not in seen and len(idea) <= GOAL_TEXT_MAX:
            seen.add(idea.casefold())
            ideas.append(GoalChange(None, idea, None))
    open_count += len(ideas)
    if open_count == 0 and not errors:
        errors["text.1"] = "none"
    elif open_count > GOALS_MAX:
        errors["suggestions" if ideas else first_new or "text.1"] = "too_many"
    if errors:
        return None, errors
    return GoalPlan(keep=keep + ideas, remove=remove), {}
