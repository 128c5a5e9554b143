"""The trial check-in "continue or switch?", pure: when it is due, when each partner is asked, how long the
question stays open, and what the answers come to.

**Due** ``trial_weeks`` weeks after the pair started (absolute time), only while the program is active; a
program without a trial (``trial_weeks == 0``) never asks.

**Asked** in each partner's own daytime: at once if it is a workday between 09:00 and 18:00 where they are
(:func:`bot.domain.interview.is_local_daytime`), else at 09:00 local on their next workday (Monday to Friday).
The same rule times the DM that tells both how it came out.

**Open** for ``ANSWER_DAYS`` days after the *later* of the two partners was asked, so each has the full window.

**Outcome**: "switch" if anyone asked to switch, else "continue" (no answer is a "continue"). Only that one
bit is ever stored; who asked is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.interview import DAYTIME_START, is_local_daytime, normalize_tz

ANSWER_DAYS = 5
ANSWER_WINDOW = timedelta(days=ANSWER_DAYS)
WORKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday, as datetime.weekday()

CONTINUE = "continue"  # bot.models.TrialOutcome values
SWITCH = "switch"
END_REASON = "switch"  # Pair.end_reason after a switch: never who asked


def zone(tz: str) -> ZoneInfo:
    """The person's zone (an unknown one counts as UTC, as :func:`is_local_daytime` does)."""
    return ZoneInfo(normalize_tz(tz) or "UTC")


def due_at(*, started_at: datetime, trial_weeks: int, program_active: bool) -> datetime | None:
    """When a pair's check-in is due; None when the program has no trial or is not active."""
    if trial_weeks <= 0 or not program_active:
        return None
    return started_at + timedelta(weeks=trial_weeks)


def started_by(*, trial_weeks: int, program_active: bool, now: datetime) -> datetime | None:
    """Pairs that started at or before this moment are due at ``now`` (the query form of :func:`due_at`)."""
    if trial_weeks <= 0 or not program_active:
        return None
    return now - timedelta(weeks=trial_weeks)


def is_workday_daytime(when: datetime, tz: str) -> bool:
    return is_local_daytime(when, tz) and when.astimezone(zone(tz)).weekday() in WORKDAYS


def send_at(earliest: datetime, tz: str) -> datetime:
    """The first moment at or after ``earliest`` that is workday daytime in ``tz`` (in UTC)."""
    if is_workday_daytime(earliest, tz):
        return earliest
    local_zone = zone(tz)
    local = earliest.astimezone(local_zone)
    day = local.date()
    if local.time() >= DAYTIME_START:  # today's start has passed (evening, or a weekend afternoon)
        day += timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, DAYTIME_START, tzinfo=local_zone).astimezone(UTC)


def closes_at(send_times: Iterable[datetime]) -> datetime:
    """The question closes ``ANSWER_DAYS`` after the last partner was asked."""
    return max(send_times) + ANSWER_WINDOW


def is_open(*, closes_at: datetime, resolved: bool, now: datetime) -> bool:
    return not resolved and now < closes_at


def outcome(*, switch_requested: bool) -> str:
    return SWITCH if switch_requested else CONTINUE


def local(when: datetime, tz: str) -> datetime:
    """``when`` on the person's wall clock (to say "please answer by ...")."""
    return when.astimezone(zone(tz))
