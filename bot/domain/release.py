"""The release rule, pure: when a figure built from other people's contributions may be seen, and what it may say.
The rule itself, in words, is in DATA.md ("The release rule", written by ``bot.inventory``); ``bot.services.release``
applies it once a week, and every surface that shows such a figure reads it from the cells it wrote.

A **series** is one figure over time: a pair-reported metric's program value, the focus-prompt response rate, the
active pairs, the agreements, goals, switches after the trial, the retros, the follow-up answers, a pulse round. Its
**contributions** are (contributor, value, weight) triples: a pair's latest logged value, a person's prompt (1
answered in time, 0 not), a pair's retro (1 filled in by both, 0 not) ... A contribution *settles* at a moment that
follows from the data (when a value was logged, a week after a prompt, two weeks after an agreement or a retro was
opened), and its value is fixed from then on.

At each **release** (the program's weekly date) a series gathers the contributions that settled since its last
released cell. They become a new **cell** only when at least ``k`` distinct contributors stand behind them
(``k`` = the program's threshold, never below ``K_MIN``); otherwise nothing is published and they wait for the next
release, together with what settles until then. A cell never changes once written, and no later cell holds a
contribution an earlier one holds. Every figure shown (a total, a trend, the latest value, a week-over-week change,
cohorts side by side, an export) is computed from cells only (:func:`total`, :func:`points`): whatever anyone
subtracts from whatever they see, the smallest thing they can isolate is one cell, of at least ``k`` contributors.

Not the same as publishing only when ``k`` contributors *changed* since the last figure: when contributions can
later change or disappear (a value logged again, a person who leaves), alternating sums of four such figures can
isolate one contribution (``tests/test_release.py`` shows one); disjoint, frozen cells cannot.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.followup import RELEASE_WEEKS as FOLLOWUP_WEEKS
from bot.domain.localtime import zone

K_MIN = 3  # never fewer contributors behind a published figure, whatever a program's threshold says
ANSWER_DAYS = 7  # a focus prompt counts as answered when answered within a week; it settles then
AGREE_DAYS = 14  # a pair's agreement counts as accepted when accepted within two weeks of matching
RETRO_DAYS = 14  # a retro counts as filled in by both when both did within two weeks of its opening
HOUR = 9  # the release's local hour in the program's zone, on its weekday (the weekly digest's moment)
# releases go on this many weeks after a program's end, so its last weeks and the follow-up answers 30 and 90 days
# after it (bot.domain.followup.RELEASE_WEEKS) settle and show
TAIL_WEEKS = max(3, FOLLOWUP_WEEKS)

# The series of a program (a metric's and a pulse round's carry their id / number after the colon).
PROMPTS, ACTIVE, AGREEMENTS, GOALS, TRIAL, RETROS = "prompts", "active_pairs", "agreements", "goals", "trial", "retros"
LATE = "late"  # late cancellations and moves per person (num: how many, den: people)
SIDES = ("digital", "context")  # the reversed roles a cell may be split by (bot.models.TandemRole; "both" is neither)
METRIC, PULSE = "metric:", "pulse:"
FOLLOWUP = "followup"  # answers to the follow-up question 30 and 90 days after a pair ended (bot.domain.followup)


def threshold(program_threshold: int | None) -> int:
    """``k``: the program's threshold, never below ``K_MIN``."""
    return max(int(program_threshold or 0), K_MIN)


@dataclass(frozen=True)
class Contribution:
    """What one contributor adds to a cell: ``value`` to its sum, ``weight`` to its count (a mean is sum / count),
    ``extra`` to further sums (goals done beside goals set, a rating's count)."""

    contributor: Hashable
    value: float = 1.0
    weight: float = 1.0
    extra: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """A released figure: ``num`` / ``den`` over ``contributors`` distinct contributors, released on ``day``."""

    series: str
    day: date
    contributors: int
    num: float
    den: float
    data: Mapping[str, float] = field(default_factory=dict)

    @property
    def mean(self) -> float | None:
        return self.num / self.den if self.den else None


def cell(series: str, contributions: Iterable[Contribution], *, day: date, k: int) -> Cell | None:
    """The cell of a window's contributions, or None when fewer than ``k`` (never below ``K_MIN``) distinct
    contributors stand behind them (they wait for the next release)."""
    items = list(contributions)
    who = {c.contributor for c in items}
    if len(who) < max(k, K_MIN):
        return None
    extra: dict[str, float] = {}
    for c in items:
        for key, value in c.extra.items():
            extra[key] = extra.get(key, 0.0) + value
    return Cell(
        series=series,
        day=day,
        contributors=len(who),
        num=sum(c.value for c in items),
        den=sum(c.weight for c in items),
        data=extra,
    )


def side_in_pair(role: str | None, partner_role: str | None) -> str | None:
    """The side a person takes in a pair: what they bring, digital or context; someone who brings both takes the side
    their partner leaves open (the matching pairs "both" on either side); None for two who both bring both."""
    if role in SIDES:
        return role
    if partner_role in SIDES:
        return SIDES[1 - SIDES.index(partner_role)]
    return None


def by_side(contributions: Iterable[Contribution], sides: Mapping[Hashable, str | None], *, k: int) -> dict[str, float]:
    """A cell's contributions split by the reversed roles (``sides``: contributor -> "digital", "context" or anything
    else): ``<side>_n`` (the weights) and ``<side>_sum`` (the values) for each side in :data:`SIDES`; or nothing at
    all unless every group (each side, and everyone else) is empty or has at least ``k`` (never below ``K_MIN``)
    distinct contributors. Then no difference of what is shown (the cell's total, the sides) isolates fewer than
    ``k`` people: the cell, each side and the rest are each at least ``k`` strong."""
    items = list(contributions)
    groups: dict[str, set[Hashable]] = {}
    for c in items:
        side = sides.get(c.contributor)
        groups.setdefault(side if side in SIDES else "", set()).add(c.contributor)
    if any(0 < len(who) < max(k, K_MIN) for who in groups.values()):
        return {}
    out: dict[str, float] = {}
    for side in SIDES:
        mine = [c for c in items if sides.get(c.contributor) == side]
        out[f"{side}_n"] = float(sum(c.weight for c in mine))
        out[f"{side}_sum"] = float(sum(c.value for c in mine))
    return out


def enough(contributors: int, k: int) -> bool:
    return contributors >= max(k, K_MIN)


def latest_per(rows: Iterable[tuple[Hashable, tuple, float]]) -> list[Contribution]:
    """One contribution per contributor: the value with the greatest order key (e.g. a pair's latest value by the
    day it describes, then by when it was logged)."""
    best: dict[Hashable, tuple[tuple, float]] = {}
    for who, order, value in rows:
        if who not in best or order >= best[who][0]:
            best[who] = (order, value)
    return [Contribution(who, value) for who, (_order, value) in best.items()]


def settled(at: datetime | None, *, since: datetime | None, until: datetime) -> bool:
    """Whether a contribution that settles at ``at`` belongs to the window (``since``, ``until``]."""
    return at is not None and at <= until and (since is None or at > since)


def settles(start: datetime, days: int, done_at: datetime | None) -> tuple[datetime, bool]:
    """A yes/no contribution that may become yes within ``days`` of ``start`` (a prompt answered, an agreement
    accepted): (when it settles, whether yes). It settles when the time is up, yes or no alike, so a cell never holds
    the yeses of a week without its noes; a yes after that stays a no (the cell is frozen)."""
    deadline = start + timedelta(days=days)
    return deadline, done_at is not None and done_at <= deadline


@dataclass(frozen=True)
class Total:
    """Released cells of one series summed: what a cumulative figure (a rate, a count) shows."""

    cells: int = 0
    contributors: int = 0  # summed over cells (a person in two cells counts twice)
    num: float = 0.0
    den: float = 0.0
    data: Mapping[str, float] = field(default_factory=dict)

    @property
    def mean(self) -> float | None:
        return self.num / self.den if self.den else None


def total(cells: Iterable[Cell]) -> Total:
    items = list(cells)
    data: dict[str, float] = {}
    for c in items:
        for key, value in c.data.items():
            if isinstance(value, int | float):
                data[key] = data.get(key, 0.0) + value
    return Total(
        cells=len(items),
        contributors=sum(c.contributors for c in items),
        num=sum(c.num for c in items),
        den=sum(c.den for c in items),
        data=data,
    )


def points(cells: Iterable[Cell]) -> list[tuple[date, float]]:
    """A series' released means by release day, oldest first."""
    return [(c.day, c.mean) for c in sorted(cells, key=lambda c: c.day) if c.mean is not None]


def latest(cells: Sequence[Cell]) -> Cell | None:
    return max(cells, key=lambda c: c.day) if cells else None


def due_on(
    *, start: date | None, duration_weeks: int, weekday: int, local: datetime, hour: int, tail_weeks: int = TAIL_WEEKS
) -> date | None:
    """The day a program's weekly release is due at ``local`` (its zone's wall clock): on ``weekday`` from ``hour``,
    after its start and until ``tail_weeks`` after its end; else None."""
    if start is None:
        return None
    today = local.date()
    last = start + timedelta(weeks=duration_weeks + tail_weeks)
    if not start < today <= last or local.weekday() != weekday or local.hour < hour:
        return None
    return today


def next_due_at(
    *,
    start: date | None,
    duration_weeks: int,
    weekday: int,
    hour: int,
    tz: str,
    now: datetime,
    done: Collection[date] = (),
    tail_weeks: int = TAIL_WEEKS,
) -> datetime | None:
    """The first moment at or after ``now`` at which :func:`due_on` names a day not in ``done`` (days whose release
    was made), or None: ``hour`` on that day on the wall clock of ``tz`` (in UTC), or ``now`` when it is due now."""
    if start is None:
        return None
    local_zone = zone(tz)
    last = start + timedelta(weeks=duration_weeks + tail_weeks)
    day = max(now.astimezone(local_zone).date(), start + timedelta(days=1))
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while day <= last:
        if day not in done:
            return max(now, datetime.combine(day, time(hour), tzinfo=local_zone).astimezone(UTC))
        day += timedelta(weeks=1)
    return None
