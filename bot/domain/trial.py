"""The trial check-in "continue or switch?", pure: when it is due, when each partner is asked, how long the
question stays open, and what the answers come to.

**Due** ``trial_weeks`` weeks after the pair started (absolute time), only while the program is active; a
program without a trial (``trial_weeks == 0``) never asks.

**Asked** in each partner's own working time: at once if it is one of the program's working days between 09:00
and 18:00 where they are and no public holiday there, else at 09:00 local on their next working day
(:meth:`bot.domain.worktime.WorkingTime.next_working`).
The same rule times the DM that tells both how it came out.

**Open** for ``ANSWER_DAYS`` days after the *later* of the two partners was asked, so each has the full window.

**Outcome**: "switch" if anyone asked to switch, else "continue" (no answer is a "continue"). Only that one
bit is ever stored; who asked is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.localtime import zone

ANSWER_DAYS = 5
ANSWER_WINDOW = timedelta(days=ANSWER_DAYS)

CONTINUE = "continue"  # bot.models.TrialOutcome values
SWITCH = "switch"
END_REASON = "switch"  # Pair.end_reason after a switch: never who asked


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
