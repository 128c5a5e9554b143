"""Data retention, pure: when a program ends, and when its data is due to be deleted.

A program **ends** at the earlier of

- its natural end: ``start_date + duration_weeks`` (the first day after its last week, as the program retro counts
  it, ``bot.services.retros.end_day``), and
- the day after a host closed it (``closed_at``, on the program's wall clock).

A program with neither (no start date and never closed) has not ended. Its data is **due** ``retention_months``
calendar months after that end day (a month later on the same day of the month, or the month's last day when the
month is shorter: 31 January + 1 month is 28 or 29 February), at ``QUIET_HOUR`` on the program's wall clock. The
hosts hear about it ``NOTICE_DAYS`` earlier, at ``NOTICE_HOUR``, so they can export first. Hosts can change
``retention_months`` (and the program's dates) until the data is gone: everything here is computed afresh.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.domain.localtime import zone

DEFAULT_MONTHS = 12
MIN_MONTHS = 1
MAX_MONTHS = 60
QUIET_HOUR = time(3, 0)  # the deletion runs at 03:00 program time
NOTICE_HOUR = time(9, 0)  # the heads-up comes with the hosts' morning, like the digest
NOTICE_DAYS = 7


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_day(
    *, start_date: date | None, duration_weeks: int, closed_at: datetime | None, tz: str = "UTC"
) -> date | None:
    """The day a program ended (exclusive: its first day after the end), or None when it has no end yet."""
    ends: list[date] = []
    if start_date is not None:
        ends.append(start_date + timedelta(weeks=duration_weeks))
    if closed_at is not None:
        ends.append(closed_at.astimezone(zone(tz)).date() + timedelta(days=1))
    return min(ends) if ends else None


@dataclass(frozen=True)
class Schedule:
    """When a program's data goes: ``ends_on`` (exclusive end day), ``due_on`` (that plus the retention),
    ``due_at`` (``QUIET_HOUR`` that day, UTC) and ``notice_at`` (the hosts' heads-up, UTC)."""

    ends_on: date
    due_on: date
    due_at: datetime
    notice_at: datetime

    def is_due(self, now: datetime) -> bool:
        return now >= self.due_at

    def notice_due(self, now: datetime) -> bool:
        return self.notice_at <= now < self.due_at

    def next_at(self, *, notice: bool) -> datetime:
        """The first moment :meth:`is_due` holds, or :meth:`notice_due` while the heads-up is still to send
        (``notice``). A moment already past means now."""
        return min(self.due_at, self.notice_at) if notice else self.due_at


def schedule(
    *,
    start_date: date | None,
    duration_weeks: int,
    closed_at: datetime | None,
    retention_months: int,
    tz: str,
) -> Schedule | None:
    """The program's retention schedule, or None while the program has no end."""
    ends_on = end_day(start_date=start_date, duration_weeks=duration_weeks, closed_at=closed_at, tz=tz)
    if ends_on is None:
        return None
    due_on = add_months(ends_on, retention_months)
    local = zone(tz)
    due_at = datetime.combine(due_on, QUIET_HOUR, tzinfo=local).astimezone(UTC)
    notice_at = datetime.combine(due_on - timedelta(days=NOTICE_DAYS), NOTICE_HOUR, tzinfo=local).astimezone(UTC)
    return Schedule(ends_on=ends_on, due_on=due_on, due_at=due_at, notice_at=notice_at)


def parse_months(raw: object) -> tuple[int | None, str | None]:
    """The form's "keep data for (months)" field: the number, or None and an error key."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return DEFAULT_MONTHS, None
    try:
        months = int(text)
    except ValueError:
        return None, "retention_months.range"
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        return None, "retention_months.range"
    return months, None


class ProgramLike(Protocol):
    start_date: date | None
    duration_weeks: int
    closed_at: datetime | None
    retention_months: int
    timezone: str


def of(program: ProgramLike) -> Schedule | None:
    """:func:`schedule` for a program (any object with the program's fields)."""
    return schedule(
        start_date=program.start_date,
        duration_weeks=program.duration_weeks,
        closed_at=program.closed_at,
        retention_months=program.retention_months,
        tz=program.timezone,
    )


def ends_on(program: ProgramLike, *, today: date) -> date | None:
    """The day the program ended (exclusive), or None when it has not ended by ``today`` (or has no end yet)."""
    end = end_day(
        start_date=program.start_date,
        duration_weeks=program.duration_weeks,
        closed_at=program.closed_at,
        tz=program.timezone,
    )
    return end if end is not None and end <= today else None


def expires_on(program: ProgramLike, end: date) -> date:
    """The day the data of a program that ended on ``end`` is deleted (at ``QUIET_HOUR``)."""
    return add_months(end, program.retention_months)


# -- people who never joined a program ------------------------------------------------------------------------------
# Someone Tandem stores only because a host invited them, or because they asked it to keep something (a help request,
# a break, their profile), is forgotten ``STRANGER_DAYS`` after that, unless they joined a program meanwhile: an
# unanswered invitation keeps them ``INVITATION_DAYS`` + ``STRANGER_DAYS`` (60 days) after it was sent, a declined one
# ``STRANGER_DAYS`` after the answer. Neither keeps them longer, whatever its program's retention.
STRANGER_DAYS = 30
INVITATION_DAYS = 30  # the time to answer an invitation (two reminders come within a week); then STRANGER_DAYS more
PEOPLE_HOUR = time(3, 30)  # the daily look for such people, UTC (after the programs' 03:00 deletions)


@dataclass(frozen=True)
class StrangerCutoffs:
    """Rows older than these keep nobody: a first contact, an invitation sent, a declined invitation's answer."""

    contact: datetime
    invited: datetime
    declined: datetime


def stranger_cutoffs(now: datetime) -> StrangerCutoffs:
    kept = timedelta(days=STRANGER_DAYS)
    return StrangerCutoffs(
        contact=now - kept, invited=now - kept - timedelta(days=INVITATION_DAYS), declined=now - kept
    )


def stranger_until(
    *,
    first_contact: datetime,
    invited: Iterable[datetime] = (),
    declined: Iterable[datetime] = (),
    helped: Iterable[datetime] = (),
) -> datetime:
    """When the clock forgets someone who never joined a program (at its first daily look after this): 30 days after
    they first were stored, 60 after each invitation they did not answer, 30 after each they declined, 30 after each
    request for help they sent (so the hosts can still answer it)."""
    kept = timedelta(days=STRANGER_DAYS)
    ends = [first_contact + kept]
    ends += [at + kept + timedelta(days=INVITATION_DAYS) for at in invited]
    ends += [at + kept for at in declined]
    ends += [at + kept for at in helped]
    return max(ends)


def people_due(now: datetime, *, last_on: date | None) -> bool:
    """Whether the daily look for people to forget is due at ``now`` (UTC), having last run on ``last_on``."""
    today = now.astimezone(UTC).date()
    return last_on != today and now.astimezone(UTC).time() >= PEOPLE_HOUR


def people_next(now: datetime, *, last_on: date | None) -> datetime:
    """The first moment at or after ``now`` at which :func:`people_due` holds: ``now``, or ``PEOPLE_HOUR`` (UTC) of the
    first day to come that is not ``last_on``."""
    if people_due(now, last_on=last_on):
        return now
    day = now.astimezone(UTC).date()
    while day == last_on or datetime.combine(day, PEOPLE_HOUR, tzinfo=UTC) <= now:
        day += timedelta(days=1)
    return datetime.combine(day, PEOPLE_HOUR, tzinfo=UTC)
