"""Working time, pure: when a person may get a prompt, a nudge or a reminder. No database, no Slack, no clock.

A person's working time is their working days, ``DAY_START`` to ``DAY_END`` on their own wall clock, except the
public holidays of their country and region (the ``holidays`` package). Their working days are the ones they named in
the interview (``participant.working_days``), else the program's (Monday to Friday unless the program says
otherwise). Days of their own replace the program's, even where the two do not overlap at all (a person who works
Saturday and Sunday only, in a Monday-to-Friday program, hears from Tandem at the weekend): people know when they
work, and a prompt on their day off is what this module is here to prevent.

The country is the one their profile names, else the one their time zone belongs to when that is unambiguous
(:data:`ZONE_COUNTRY`); an unknown country has no holidays. The region (a subdivision code such as ``BY`` for
Bavaria) comes from the interview; without one only the country's nationwide holidays count.

A message due outside working time waits for the next working moment (:meth:`WorkingTime.next_working`): on a
Saturday, a holiday or an evening that is the start of the next working day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import holidays

from bot.domain.localtime import WORKDAYS, zone

DAY_START, DAY_END = 9, 18  # working hours on the person's wall clock: 09:00 up to 18:00
SEARCH_DAYS = 400  # how far ahead next_working looks for a working day (more than a year of holidays)

# Time zones that belong to one country only, for a person whose profile names none. A zone shared by countries
# with different holidays is not here; neither is a country whose holidays differ by region in ways the zone
# cannot tell and the interview does not ask.
ZONE_COUNTRY = {
    "Europe/Berlin": "DE",
    "Europe/Busingen": "DE",
    "Europe/Vienna": "AT",
    "Europe/Zurich": "CH",
    "Europe/Vaduz": "LI",
    "Europe/Luxembourg": "LU",
}
# Countries whose regions keep different public holidays: the interview asks for the region there.
REGIONAL = frozenset({"DE", "AT", "CH"})


def country_of(tz: str, stored: str | None = None) -> str | None:
    """The person's country: the one stored in the profile, else the one of their time zone (None: unknown)."""
    if stored:
        return stored.upper()
    return ZONE_COUNTRY.get(tz)


@functools.cache
def regions(country: str | None) -> tuple[tuple[str, str], ...]:
    """The regions of ``country`` the interview offers, as (code, name), in the order of their names; () where
    the regions' holidays do not differ (or the country is unknown). Names are the ``holidays`` package's own
    (the official name in the country's language)."""
    if country not in REGIONAL:
        return ()
    calendar = holidays.country_holidays(country)
    aliases = calendar.get_subdivision_aliases()
    named = [(code, (aliases.get(code) or [code])[0]) for code in calendar.subdivisions]
    return tuple(sorted(named, key=lambda pair: pair[1].casefold()))


def region_code(country: str | None, raw: object) -> str | None:
    """A region code the interview offered for ``country`` (anything else: None)."""
    text = str(raw or "").strip()
    return text if text and text in dict(regions(country)) else None


def region_choice(country: str, code: str) -> str:
    """The value of a region's option in the interview: ``DE-BY`` (the country travels with the region)."""
    return f"{country}-{code}"


def parse_region_choice(raw: object) -> tuple[str, str] | None:
    """(country, region) from an option value :func:`region_choice` made for a region the interview offers; None
    for anything else."""
    country, _, code = str(raw or "").strip().partition("-")
    found = region_code(country, code)
    return (country, found) if found is not None else None


@functools.cache
def _holidays(country: str, region: str | None, year: int) -> frozenset[date]:
    """The public holidays of a country (and region) in a year, worked out once per process."""
    try:
        calendar = holidays.country_holidays(country, subdiv=region, years=year)
    except NotImplementedError:  # a country or region the package does not know: nationwide, or none
        if region is None:
            return frozenset()
        return _holidays(country, None, year)
    return frozenset(calendar)


def is_holiday(day: date, country: str | None, region: str | None = None) -> bool:
    return country is not None and day in _holidays(country, region, day.year)


@dataclass(frozen=True)
class WorkingTime:
    """When a person may be messaged: ``days`` (``datetime.weekday()`` numbers) from ``start`` to ``end`` o'clock
    in ``tz``, except the public holidays of ``country`` (and ``region``)."""

    tz: str = "UTC"
    days: frozenset[int] = WORKDAYS
    start: int = DAY_START
    end: int = DAY_END
    country: str | None = None
    region: str | None = None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and not is_holiday(day, self.country, self.region)

    def is_working(self, when: datetime) -> bool:
        local = when.astimezone(zone(self.tz))
        return time(self.start) <= local.time() < time(self.end) and self.is_working_day(local.date())

    def next_working(self, earliest: datetime) -> datetime:
        """The first moment at or after ``earliest`` that :meth:`is_working` accepts (in UTC): ``earliest`` itself,
        else ``start`` o'clock on the next working day (today's, when it has not come yet)."""
        if self.is_working(earliest):
            return earliest
        local_zone = zone(self.tz)
        local = earliest.astimezone(local_zone)
        day = local.date()
        if local.time() >= time(self.start):  # today's start has passed
            day += timedelta(days=1)
        for _ in range(SEARCH_DAYS):
            if self.is_working_day(day):
                return datetime.combine(day, time(self.start), tzinfo=local_zone).astimezone(UTC)
            day += timedelta(days=1)
        return earliest  # no working day in a year (cannot happen with at least one working weekday)


def weekdays(stored: object) -> frozenset[int]:
    """The weekday numbers (Monday = 0) in what is stored: a list of them; anything else in it is left out."""
    if not isinstance(stored, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(d for d in stored if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6)


def working_days(program_days: Iterable[object] | None, own_days: object = None) -> frozenset[int]:
    """A person's working weekdays: their own (``own_days``, from the interview) when they named any, else the
    program's (``program_days``; bad or no entries: Monday to Friday). Their own replace the program's whole, overlap
    or not (the module's docstring says why)."""
    return weekdays(own_days) or weekdays(program_days) or WORKDAYS


def working_time(
    tz: str,
    *,
    program_days: Iterable[object] | None = None,
    own_days: object = None,
    country: str | None = None,
    region: str | None = None,
) -> WorkingTime:
    """A person's working time: their own working days, else the program's, and their zone, country and region
    (``country``: the one stored in their profile, or None to read it from the zone)."""
    found = country_of(tz, country)
    return WorkingTime(
        tz=tz,
        days=working_days(program_days, own_days),
        country=found,
        region=region if found is not None else None,
    )


def of(person: Any, program: Any = None) -> WorkingTime:
    """The working time of ``person`` (a row with ``tz``, ``country``, ``region`` and ``working_days``, their own)
    in ``program`` (a row with ``working_days``; None: Monday to Friday)."""
    return working_time(
        person.tz,
        program_days=getattr(program, "working_days", None),
        own_days=getattr(person, "working_days", None),
        country=getattr(person, "country", None),
        region=getattr(person, "region", None),
    )


# The labels of a person's columns in a query row :func:`of_row` reads (``bot.models.participant.worktime_columns``
# selects them), each followed by the row's side (``_a``, ``_b``, or nothing); the program's days are the row's
# ``working_days``.
ROW_FIELDS = ("tz", "country", "region", "own_days")


def of_row(row: Any, side: str = "") -> WorkingTime:
    """The working time of the person on ``side`` of a query row (:data:`ROW_FIELDS`, and the program's
    ``working_days``)."""
    tz, country, region, own_days = (getattr(row, f"{name}{side}") for name in ROW_FIELDS)
    return working_time(
        tz, program_days=getattr(row, "working_days", None), own_days=own_days, country=country, region=region
    )
