"""Local time, pure: whether a moment is someone's workday daytime, and the next moment that is.

Daytime is 09:00-18:00 on the person's wall clock (:func:`bot.domain.interview.is_local_daytime`); workdays are
Monday to Friday. An unknown zone counts as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.interview import DAYTIME_START, daytime_zone, is_local_daytime, normalize_tz

WORKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday, as datetime.weekday()


def zone(tz: str) -> ZoneInfo:
    """The person's zone (an unknown one counts as UTC, as :func:`is_local_daytime` does)."""
    return ZoneInfo(normalize_tz(tz) or "UTC")


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


def next_workday_daytime(earliest: datetime, tz: str) -> datetime:
    """The first moment at or after ``earliest`` that :func:`is_workday_daytime` accepts. As :func:`send_at`, but
    exact also for a zone name the daytime and the weekday read differently (``CET``: the daytime in that zone, the
    weekday in UTC): the answer is ``earliest`` or a moment the daytime or a workday begins, 09:00 or midnight on one
    of the two wall clocks (no zone switches to or from summer time in daytime)."""
    if is_workday_daytime(earliest, tz):
        return earliest
    starts = [
        datetime.combine(day, hour, tzinfo=clock)
        for clock in {daytime_zone(tz), zone(tz)}
        for first in [earliest.astimezone(clock).date()]
        for day in (first + timedelta(days=n) for n in range(9))
        for hour in (time(0), DAYTIME_START)
    ]
    due = [start for start in starts if start > earliest and is_workday_daytime(start, tz)]
    return min(due, default=earliest).astimezone(UTC)
