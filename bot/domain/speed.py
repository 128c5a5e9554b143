"""Speed dating before matching, pure: who gets which candidate intros, and the hosts' deadline.

**Intros are mutual and spread fairly.** Each person gets up to ``INTROS`` candidates, and whenever A is shown
B, B is shown A, so "both said yes" can happen at all. The intros are ``INTROS`` successive optimal matchings of
the pool (:func:`bot.domain.matching.match`, with every hard constraint), each excluding the pairs of the
rounds before. In round *r* everyone who so far got fewer than *r - 1* intros counts as waitlisted, so the
matching serves them first (its priority rule): people on the larger side of the pool are not left out of
every round while others get three.

**Delivery**: cards and the one reminder (to people who have not answered any intro yet, a day before closing)
reach each person in their own workday daytime (:func:`bot.domain.localtime.send_at`; given their working time,
:class:`bot.domain.worktime.WorkingTime`, its next working moment: no weekends, no public holidays where they are).

**Deadline**: answers are due by ``CLOSING_TIME`` local time (the program's zone) on a date the host picks,
from tomorrow up to ``MAX_DAYS`` ahead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import matching as rules
from bot.domain.localtime import send_at
from bot.domain.worktime import WorkingTime

INTROS = 3
MAX_DAYS = 14
DEFAULT_DAYS = 3
CLOSING_TIME = time(18, 0)
REMIND_BEFORE = timedelta(hours=24)  # the one reminder to people with open answers
REMIND_NOT_BEFORE = timedelta(hours=12)  # ...but never sooner than this after the intros went out
LAST_CALL = timedelta(hours=2)  # a card due later than this before the deadline goes out at once instead
ANSWERS = ("yes", "maybe", "no")


@dataclass(frozen=True)
class Intro:
    """``viewer`` is shown ``candidate`` at ``position`` (0-based) on their card, with the pair's reasons."""

    viewer: int
    candidate: int
    position: int
    reasons: tuple[rules.Reason, ...]


def intros(
    candidates: Iterable[rules.Candidate],
    *,
    reference: datetime,
    weights: rules.Weights | None = None,
    past_pairs: Iterable[frozenset[int]] = frozenset(),
    per_person: int = INTROS,
) -> list[Intro]:
    """Up to ``per_person`` mutual intros for everyone in the pool (module docstring)."""
    pool = list(candidates)
    weights = replace(weights or rules.Weights(), fairness_margin=0)  # intros spread people; no floor needed
    used: set[frozenset[int]] = {frozenset(p) for p in past_pairs}
    count = {c.id: 0 for c in pool}
    out: list[Intro] = []
    for position in range(per_person):
        behind = [replace(c, waitlisted=count[c.id] < position) for c in pool]
        result = rules.match(behind, reference=reference, weights=weights, past_pairs=used)
        if not result.pairs:
            break
        for pair in result.pairs:
            used.add(frozenset((pair.a.id, pair.b.id)))
            for viewer, candidate in ((pair.a, pair.b), (pair.b, pair.a)):
                out.append(Intro(viewer.id, candidate.id, count[viewer.id], pair.scored.reasons))
                count[viewer.id] += 1
    return out


def reranked(ranks: Mapping[int, int | None], intro: int, rank: int) -> dict[int, int | None]:
    """A person's ranks on their card (intro id -> 1..3 or None) after they chose ``rank`` for ``intro``: the
    intro takes that rank and whoever held it gives it up (each rank once); choosing an intro's own rank again takes
    it back. Every intro of ``ranks`` is in the result, changed or not."""
    out = dict(ranks)
    if out.get(intro) == rank:
        out[intro] = None
        return out
    for other, held in out.items():
        if held == rank:
            out[other] = None
    out[intro] = rank
    return out


def rank_map(rows: Iterable[tuple[int, int, int | None, str | None]]) -> dict[tuple[int, int], int]:
    """``(viewer, candidate, rank, answer)`` rows of one round -> the ``{(viewer, candidate): rank}`` map matching
    takes (``bot.domain.matching.rules.rank_centi``): ranks in ``RANKS`` only; a "no" on the same intro wins."""
    return {(v, c): r for v, c, r, a in rows if r in rules.RANKS and a != "no"}


def combined(answers: Iterable[str | None]) -> str | None:
    """What two people said about each other, as one level for matching: any "no" excludes the pair, "yes"
    needs both, "maybe" needs both to have said at least maybe; otherwise nothing (one answer is not mutual)."""
    said = list(answers)
    if "no" in said:
        return "no"
    if len(said) < 2 or None in said:
        return None
    return "yes" if all(a == "yes" for a in said) else "maybe"


def interest_map(rows: Iterable[tuple[int, int, str | None]]) -> dict[frozenset[int], str]:
    """``(viewer, candidate, answer)`` rows of one round -> the map :func:`bot.domain.matching.match` takes."""
    said: dict[frozenset[int], list[str | None]] = {}
    for viewer, candidate, answer in rows:
        said.setdefault(frozenset((viewer, candidate)), []).append(answer)
    return {pair: level for pair, answers in said.items() if (level := combined(answers)) is not None}


def default_closing_day(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date() + timedelta(days=DEFAULT_DAYS)


def parse_deadline(raw: object, *, now: datetime, tz: str) -> tuple[datetime | None, str | None]:
    """The host's "answers by" date -> the closing moment (``CLOSING_TIME`` in ``tz``), or an error key."""
    try:
        day = date.fromisoformat(str(raw or ""))
    except ValueError:
        return None, "closes_on.required"
    today = now.astimezone(ZoneInfo(tz)).date()
    if day <= today:
        return None, "closes_on.past"
    if day > today + timedelta(days=MAX_DAYS):
        return None, "closes_on.too_far"
    return datetime.combine(day, CLOSING_TIME, tzinfo=ZoneInfo(tz)), None


def deliver_at(now: datetime, tz: str | WorkingTime, *, closes_at: datetime) -> datetime:
    """When a card or reminder should reach someone: their next workday daytime (with their working time: its next
    working moment), unless that comes too close to the deadline to be of use (then now)."""
    at = tz.next_working(now) if isinstance(tz, WorkingTime) else send_at(now, tz)
    return at if at <= closes_at - LAST_CALL else now


def reminder_due(*, created_at: datetime, closes_at: datetime, reminded: bool, now: datetime) -> bool:
    return not reminded and closes_at - REMIND_BEFORE <= now < closes_at and now >= created_at + REMIND_NOT_BEFORE


def next_reminder(*, created_at: datetime, closes_at: datetime, reminded: bool, now: datetime) -> datetime | None:
    """The first moment from ``now`` on at which :func:`reminder_due` holds: ``now`` inside the reminder's window,
    the window's start before it; None when it never will (reminded, or the window is over or empty)."""
    start = max(closes_at - REMIND_BEFORE, created_at + REMIND_NOT_BEFORE, now)
    return None if reminded or start >= closes_at else start


def summary(rows: Iterable[tuple[int, int, str | None]]) -> Mapping[str, int]:
    """Counts for hosts, never who said what: people shown intros, people who answered at least one, and pairs
    who both said yes / at least maybe."""
    rows = list(rows)
    people = {v for v, _, _ in rows}
    answered = {v for v, _, a in rows if a is not None}
    levels = interest_map(rows)
    return {
        "people": len(people),
        "answered": len(answered),
        "mutual_yes": sum(level == "yes" for level in levels.values()),
        "mutual_maybe": sum(level == "maybe" for level in levels.values()),
    }
