"""Live sessions across time zones, pure: the slot finder, a weekly series' occurrences and whether one of them
happens, and when a cancellation is late. No database, no Slack, no clock: ``now`` is a parameter.

**The slot finder** (:func:`find_slots`) proposes up to :data:`COUNT` slots of :data:`LENGTH` that lie wholly inside
both partners' working time (``bot.domain.worktime``: their time zones with DST, their working days, their public
holidays), start on the hour or half hour, not before ``now`` and within :data:`HORIZON`. It spreads them over
different days where it can: the first common slot of each day (in UTC) that has one, in order, then, when fewer
days than slots have one, later slots of those days, as far from the ones already chosen as possible.

When there is none it says why (:class:`NoSlot`): no day in the next week is a working day of both
(``no_common_day``: weekends, holidays, days of their own) or on the days both work their hours never overlap
(``no_common_hour``: too many hours apart), or the only common times fall on a partner's break (``on_break``). Either
way the pair can keep working asynchronously. No slot falls on a day of a partner's break.

**A weekly series** keeps the accepted slot's moment in UTC (the calendar file's DTSTART is in UTC, and so is its
RRULE), until the program's end. An occurrence happens only when it still lies inside both partners' working time
(a public holiday, a day off, a clock change that moves it out of someone's hours) and neither partner is on a
break; otherwise it is skipped and the reminder's place says why (:func:`occurrence_skip`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.localtime import zone
from bot.domain.worktime import WorkingTime

LENGTH = timedelta(minutes=30)  # one live session
STEP = timedelta(minutes=30)  # slots start on the hour or half hour
HORIZON = timedelta(days=7)  # how far ahead the finder looks
COUNT = 3  # slots proposed at once
REMIND_BEFORE = timedelta(hours=1)
LATE = timedelta(hours=24)  # a cancellation less than this ahead of the session is late
WEEK = timedelta(days=7)
EPSILON = timedelta(microseconds=1)  # the last moment of a slot is its end minus this

NO_COMMON_DAY = "no_common_day"
NO_COMMON_HOUR = "no_common_hour"
ON_BREAK = "on_break"


@dataclass(frozen=True)
class NoSlot:
    """Why no slot was found: :data:`NO_COMMON_DAY` or :data:`NO_COMMON_HOUR`."""

    reason: str


def first_start(now: datetime) -> datetime:
    """The first moment on the hour or half hour (UTC) after ``now`` (a slot starting this very moment is one nobody
    can join): on the hour or half hour on every clock whose offset from UTC is whole half hours (all but the few
    zones a quarter hour off, such as Kathmandu)."""
    now = now.astimezone(UTC)
    return now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0) + STEP


def inside(slot: datetime, person: WorkingTime) -> bool:
    """Whether the whole of ``[slot, slot + LENGTH)`` is inside the person's working time (one working day: their
    hours end before midnight)."""
    return person.is_working(slot) and person.is_working(slot + LENGTH - EPSILON)


Away = tuple[date | None, date | None]  # each partner's break: the last day of it (their own calendar), or None


def _away(slot: datetime, person: WorkingTime, until: date | None) -> bool:
    return until is not None and slot.astimezone(zone(person.tz)).date() <= until


def candidates(
    a: WorkingTime, b: WorkingTime, *, now: datetime, horizon: timedelta = HORIZON, away: Away = (None, None)
) -> list[datetime]:
    """Every slot start (UTC) from ``now`` to ``now + horizon`` inside both partners' working time and not on a day
    of their break (``away``), in order."""
    found = []
    slot, end = first_start(now), now + horizon
    while slot + LENGTH <= end:
        if inside(slot, a) and inside(slot, b) and not (_away(slot, a, away[0]) or _away(slot, b, away[1])):
            found.append(slot)
        slot += STEP
    return found


def find_slots(
    a: WorkingTime,
    b: WorkingTime,
    *,
    now: datetime,
    count: int = COUNT,
    horizon: timedelta = HORIZON,
    away: Away = (None, None),
) -> list[datetime] | NoSlot:
    """Up to ``count`` slot starts (UTC, in order) for two partners, spread over different days where possible;
    :class:`NoSlot` with its reason when there is none (``on_break``: there would be, but not on a break's days)."""
    found = candidates(a, b, now=now, horizon=horizon, away=away)
    if not found:
        if candidates(a, b, now=now, horizon=horizon):
            return NoSlot(ON_BREAK)
        return NoSlot(_why_none(a, b, now=now, horizon=horizon))
    by_day: dict[date, list[datetime]] = {}
    for slot in found:
        by_day.setdefault(slot.date(), []).append(slot)
    chosen = [slots[0] for slots in by_day.values()][:count]
    rest = [s for s in found if s not in chosen]
    while len(chosen) < count and rest:  # fewer days than slots: the one farthest from those already chosen
        best = max(rest, key=lambda s: (min(abs(s - c) for c in chosen), -s.timestamp()))
        chosen.append(best)
        rest.remove(best)
    return sorted(chosen)


def _why_none(a: WorkingTime, b: WorkingTime, *, now: datetime, horizon: timedelta) -> str:
    """No slot: is there a day both work at all (each on their own calendar, overlapping in time)?"""
    moment, end = now, now + horizon
    while moment < end:  # hour by hour: any hour both are working in means their days meet, but not long enough
        working = a.is_working(moment) or b.is_working(moment)
        if working and _works_that_day(a, moment) and _works_that_day(b, moment):
            return NO_COMMON_HOUR
        moment += timedelta(hours=1)
    return NO_COMMON_DAY


def _works_that_day(person: WorkingTime, when: datetime) -> bool:
    return person.is_working_day(when.astimezone(zone(person.tz)).date())


# -- a weekly series -------------------------------------------------------------------------------------------
def occurrences(start: datetime, *, weekly: bool, until: datetime | None) -> Iterable[datetime]:
    """The series' starts in UTC: ``start`` alone, or every week from it up to ``until`` (inclusive)."""
    yield start
    if not weekly or until is None:
        return
    current = start + WEEK
    while current <= until:
        yield current
        current += WEEK


def next_occurrence(start: datetime, *, weekly: bool, until: datetime | None, after: datetime) -> datetime | None:
    """The first start of the series later than ``after`` (None: the series is over)."""
    if start > after:
        return start
    if not weekly or until is None:
        return None
    weeks = (after - start) // WEEK + 1
    current = start + weeks * WEEK
    return current if current <= until else None


def reminder_at(occurrence: datetime) -> datetime:
    return occurrence - REMIND_BEFORE


def occurrence_skip(
    occurrence: datetime, a: WorkingTime, b: WorkingTime, *, paused: Iterable[bool] = (False, False)
) -> str | None:
    """Why this occurrence does not happen (None: it does): ``paused`` (a partner is on a break), ``holiday`` (a
    public holiday of a partner's), ``day_off`` (not a working day or outside their hours: a clock change may move a
    weekly slot out of someone's hours)."""
    if any(paused):
        return "paused"
    for person in (a, b):
        local_day = occurrence.astimezone(zone(person.tz)).date()
        if person.is_working_day(local_day):
            continue
        if local_day.weekday() in person.days:  # a working weekday that is not a working day: a public holiday
            return "holiday"
        return "day_off"
    if not (inside(occurrence, a) and inside(occurrence, b)):
        return "day_off"
    return None


def is_late(occurrence: datetime, *, now: datetime) -> bool:
    """A cancellation less than :data:`LATE` before the session counts as late."""
    return occurrence - now < LATE


def pair_works_live(mode_a: object, mode_b: object) -> bool:
    """Whether a pair works live or mixed: unless both partners chose to work asynchronously (the interview's way of
    working, ``bot.domain.interview.MODES``), as matching reads it (shared working hours unless both work async)."""
    return not (mode_a == "async" and mode_b == "async")
