"""Matching: who learns with whom. Pure: no database, no Slack, no clock (the reference time is an argument).

**Scoring.** :func:`score` rates two :class:`Candidate` s, or returns None when a hard constraint forbids the
pair (:func:`hard_constraint` says which). A score is ``Weights.base`` plus the points of its :class:`Reason` s,
each kept as data (``key``, ``params``, ``points``) so the Slack layer can render it in each reader's language;
:func:`reasons_text_en` renders them in English for logs and tests. Points are computed in whole hundredths
("centipoints") so that the per-pair scorer and the vectorised one used for the whole pool agree exactly.

Components (their weights are :class:`Weights` fields):

- ``topics``: per topic one can teach that the other wants to learn, in *both* directions (case-insensitive,
  at most ``TOPIC_CAP`` topics per direction); ``curiosity``: the same against what the other is curious about.
- ``fields``: the two work in different departments (fresh insight); nothing when one is unknown.
- ``values``: per shared value (trust), at most ``VALUES_CAP``.
- ``learning_style``: same style, or half for a compatible one (``COMPATIBLE_STYLES``).
- ``behaviour``: per preference (mode, pace, directness): same, or half for an adjacent answer.
- ``overlap``: working hours in common in the reference week, full points at ``OVERLAP_FULL_HOURS`` a week.
- ``language``: both speak German (everyone speaks English, so English earns nothing).
- ``interest_yes`` / ``interest_maybe``: what both said about each other in a speed-dating round.

**Working hours** are 09:00-18:00 local time on the person's preferred days (Monday to Friday if none), laid
out on the reference week: the Monday-to-Sunday week (UTC) that contains ``reference``, each local day
converted with zoneinfo, so daylight saving time is applied as it is that week. Overlap is measured in
**hours per week**, in quarter hours; the week wraps around (a schedule repeats weekly).

**Hard constraints**: roles must complement (digital-context, digital-both, context-both, both-both); never
a past pair again; neither has the other on their "please not" list; not within one reporting line (one is
above the other within the levels the program keeps apart, ``Candidate.managers``, or both have the same direct
manager: ``bot.domain.orgchart``); nobody said "no" in speed dating; at least ``Weights.min_overlap_hours`` of
working hours in common a week, unless both chose the mode "async".

**Private reasons.** The "please not" list, a "no" in speed dating and reporting lines are what people told Tandem
in confidence (``PRIVATE_VIOLATIONS``). Whatever a host sees says at most that two people can't be paired, never
which of these rules it is nor who asked (:func:`shown_violation`); the preview counts the pairs they rule out only
in one aggregate (:func:`excluded_pairs`: pairs that roles, working hours and earlier tandems would have allowed).

**Matching** (:func:`match`) maximises, over the whole pool and under the hard constraints, the sum over pairs
of ``score + PRIORITY * (waitlisted people in the pair)``, with ``PRIORITY = max_score(weights) + 0.01``
(:func:`priority_bonus`): more than any pair's score. What it means, exactly: **in the result, a waitlisted
person is unmatched only if each of their compatible partners is paired with another waitlisted person** (else
pairing them with that partner instead of the partner's non-waitlisted mate would gain more than any one pair's
score). Among the rest the score alone decides. ``match`` sorts the pool by participant id and the solver is
deterministic, so the same pool gives the same pairs, whatever the input order (ties go to the id order).

Host-locked pairs are kept as they are (with any hard constraint they break listed in ``violations``) and taken
out of the pool first. Nobody vanishes: everyone else is in exactly one pair or in ``unmatched`` with a reason
(``UNMATCHED_REASONS``, most specific first): nobody compatible at all; their side (digital or context) has more
people than everyone who can partner it; an odd pool's one person left; or every compatible partner is in a pair
that is better for the whole pool. The service waitlists them, so they come first next round.

**Solver** (:func:`solve`): an exact maximum-weight matching of the general graph (the "both" people make it
non-bipartite), with a certificate of optimality over every pair of the pool, in seconds for 10,000 people:

1. Score the pool in row blocks with numpy (upper triangle, kept as int16 between rounds when it fits
   ``CACHE_BYTES``) and take each person's ``k`` best partners as candidate pairs.
2. Solve the *doubled* bipartite problem on the candidates with scipy's sparse assignment (LAPJVsp): left copy
   ``u_L`` to right copy ``v_R`` with the pair's weight, both ways, and ``u_L -> u_R`` at 0 ("unmatched"). Its
   optimum is a permutation of fixed points, 2-cycles (pairs) and longer cycles, and half its value is the
   optimum of the fractional matching LP ``max w.x, x(δ(v)) <= 1, x >= 0`` on the candidates.
3. Derive that LP's dual ``y`` (``y_u + y_v >= w_uv``, ``y >= 0``) from the assignment's residual graph
   (Bellman-Ford) and *price* every other pair of the pool: pairs with ``w_uv > y_u + y_v`` (and, while there are
   any, those within a small margin of it) join the candidates, and step 2 runs again. When none is left, ``y`` is
   feasible for the whole pool, so ``sum(y)`` bounds every matching (weak duality).
4. The 2-cycles and every other edge of each even cycle form a matching of weight ``sum(y)`` when there is no odd
   cycle: optimal, the dual is its certificate. Odd cycles (the LP gains a little from half-edges around them;
   it happens in real pools) are settled by Edmonds' weighted blossom algorithm, **warm-started** from that
   matching and dual, so it only has to place the one node left over per odd cycle (:class:`_Blossoms`). Its
   dual, vertex and blossom parts, is priced against the whole pool again; any pair it violates joins the
   candidates and the loop goes on. At the end the matching is optimal for the whole pool by LP duality for the
   matching polytope (Edmonds): every pair satisfies the dual, matched pairs are tight, free nodes have dual 0.

Everything is integer arithmetic (centipoints; scipy's assignment works in float64, exact below 2**53).
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.domain.interview import DIRECTNESS, LEARNING_STYLES, MODES, PACES, VALUES
from bot.domain.orgchart import same_line

# -- vocabularies and policy ----------------------------------------------------------------------------------
ROLE_PARTNERS: dict[str, frozenset[str]] = {
    "digital": frozenset({"context", "both"}),
    "context": frozenset({"digital", "both"}),
    "both": frozenset({"digital", "context", "both"}),
}
TOPIC_CAP = 2  # topics counted per direction
VALUES_CAP = 3  # shared values counted
OVERLAP_FULL_HOURS = 5  # a week: the most a tandem asks for (interview HOURS: 1-5)
WORK_START, WORK_END = time(9, 0), time(18, 0)
DEFAULT_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday
SLOT_MINUTES = 15
WEEK_SLOTS = 7 * 24 * 60 // SLOT_MINUTES
# Learning styles that go well together without being the same (half points).
COMPATIBLE_STYLES = frozenset(
    {
        frozenset({"doing", "examples"}),
        frozenset({"examples", "reading"}),
        frozenset({"talking", "examples"}),
        frozenset({"talking", "doing"}),
    }
)
BEHAVIOUR_SCALES: dict[str, tuple[str, ...]] = {"mode": MODES, "pace": PACES, "directness": DIRECTNESS}
INTEREST_LEVELS = ("yes", "maybe", "no")

# Hard constraints, in the order hard_constraint() checks them (also the `violations` of a locked pair).
VIOLATIONS = ("same_person", "roles", "past_pair", "avoid", "reporting_line", "not_interested", "no_overlap")
# What people told Tandem in confidence: shown to hosts only as PRIVATE ("these two can't be paired").
PRIVATE_VIOLATIONS = frozenset({"avoid", "reporting_line", "not_interested"})
PRIVATE = "private"
# Kinds of excluded pairs the preview counts (excluded_pairs), each pair once, under the first that applies.
EXCLUDED_KINDS = ("roles_or_hours", "past_pair", PRIVATE)
# Why someone is left unmatched, most specific first.
NO_COMPATIBLE_PARTNER = "no_compatible_partner"  # nobody in the pool is allowed for them
UNEQUAL_SIDES = "unequal_sides"  # their side (digital or context) outnumbers everyone who can partner it
ODD_ONE_OUT = "odd_one_out"  # an odd pool: one person had to stay out
PARTNERS_TAKEN = "partners_taken"  # each compatible partner is in a better pair for the whole pool
UNMATCHED_REASONS = (NO_COMPATIBLE_PARTNER, UNEQUAL_SIDES, ODD_ONE_OUT, PARTNERS_TAKEN)

LANGUAGE_NAMES_EN = {"de": "German", "en": "English"}


# -- inputs -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A person in the pool, as plain values (a snapshot of a Participant)."""

    id: int
    slack_user_id: str
    name: str
    role: str  # "digital" | "context" | "both"
    can_teach: tuple[str, ...] = ()
    want_to_learn: tuple[str, ...] = ()
    curiosity: tuple[str, ...] = ()
    department: str | None = None
    values: tuple[str, ...] = ()
    learning_style: str | None = None
    mode: str | None = None
    pace: str | None = None
    directness: str | None = None
    tz: str = "UTC"
    locale: str = "en"
    hours_per_week: int | None = None
    preferred_days: tuple[int, ...] = ()
    avoid: frozenset[str] = frozenset()
    # Slack ids of the people above this person, direct manager first, as far up as the program keeps apart.
    managers: tuple[str, ...] = ()
    waitlisted: bool = False

    @classmethod
    def from_participant(cls, p: Any, *, waitlisted: bool | None = None, managers: Iterable[str] = ()) -> Candidate:
        """From anything with Participant's attributes (duck-typed: the domain does not import models).

        ``waitlisted`` defaults to whether ``p.waitlisted_at`` is set; ``managers``: the person's reporting chain
        (``bot.domain.orgchart.chain``), which the participant row does not hold."""
        prefs = getattr(p, "preferences", None) or {}
        days = sorted({int(d) for d in (getattr(p, "preferred_days", None) or ()) if str(d).strip().isdigit()})
        name = getattr(p, "display_name", None) or getattr(p, "name", None) or p.slack_user_id
        if waitlisted is None:
            waitlisted = getattr(p, "waitlisted_at", None) is not None
        return cls(
            id=int(p.id),
            slack_user_id=str(p.slack_user_id),
            name=str(name),
            role=str(getattr(p, "role", None) or ""),
            can_teach=tuple(str(t) for t in getattr(p, "can_teach", None) or ()),
            want_to_learn=tuple(str(t) for t in getattr(p, "want_to_learn", None) or ()),
            curiosity=tuple(str(t) for t in getattr(p, "curiosity", None) or ()),
            department=getattr(p, "department", None) or None,
            values=tuple(str(v) for v in getattr(p, "values", None) or ()),
            learning_style=getattr(p, "learning_style", None) or None,
            mode=prefs.get("mode") or None,
            pace=prefs.get("pace") or None,
            directness=prefs.get("directness") or None,
            tz=getattr(p, "tz", None) or "UTC",
            locale=getattr(p, "locale", None) or "en",
            hours_per_week=getattr(p, "hours_per_week", None),
            preferred_days=tuple(d for d in days if 0 <= d <= 6),
            avoid=frozenset(str(s) for s in getattr(p, "avoid", None) or ()),
            managers=tuple(str(m) for m in managers),
            waitlisted=bool(waitlisted),
        )


def candidate_from(participant: Any, *, waitlisted: bool | None = None, managers: Iterable[str] = ()) -> Candidate:
    """:meth:`Candidate.from_participant`, as a function."""
    return Candidate.from_participant(participant, waitlisted=waitlisted, managers=managers)


@dataclass(frozen=True)
class Weights:
    """Points per component (see the module docstring); a program may override any of them."""

    base: float = 1.0  # every allowed pair: having a partner beats having none
    topics: float = 3.0  # per topic taught that the other wants to learn, each direction, up to TOPIC_CAP
    curiosity: float = 1.0  # per topic taught that the other is curious about, each direction, up to TOPIC_CAP
    fields: float = 2.0  # different departments
    values: float = 1.5  # per shared value, up to VALUES_CAP
    learning_style: float = 1.0  # same style (compatible: half)
    behaviour: float = 1.0  # per preference (mode, pace, directness) that is the same (adjacent: half)
    overlap: float = 2.0  # working hours in common, full at OVERLAP_FULL_HOURS a week
    language: float = 1.0  # both speak German
    interest_yes: float = 5.0  # both said "yes" in speed dating
    interest_maybe: float = 2.0  # both said at least "maybe"
    min_overlap_hours: float = 1.0  # hard: hours a week in common, unless both work async

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> Weights:
        """Defaults with ``overrides`` applied: unknown keys and non-numbers ignored, values clamped to [0, 10]."""
        known = {f.name for f in fields(cls)}
        clean: dict[str, float] = {}
        for key, value in (overrides or {}).items():
            if key not in known or isinstance(value, bool):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if math.isfinite(number):
                clean[key] = min(10.0, max(0.0, number))
        return cls(**clean)

    def centi(self, name: str) -> int:
        return max(0, round(getattr(self, name) * 100))


def max_score(weights: Weights) -> float:
    """The highest score any pair can get with these weights."""
    return _max_centi(weights) / 100


def priority_bonus(weights: Weights) -> float:
    """What matching one waitlisted person adds to the objective: more than any pair's score."""
    return (_max_centi(weights) + 1) / 100


def _max_centi(w: Weights) -> int:
    return (
        w.centi("base")
        + 2 * TOPIC_CAP * (w.centi("topics") + w.centi("curiosity"))
        + w.centi("fields")
        + VALUES_CAP * w.centi("values")
        + w.centi("learning_style")
        + 3 * w.centi("behaviour")
        + w.centi("overlap")
        + w.centi("language")
        + max(w.centi("interest_yes"), w.centi("interest_maybe"))
    )


# -- outputs ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """Why a pair fits: a key the Slack layer translates, its parameters, and the points it earned."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    points: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """For storage (MatchProposal.reasons / Pair.reasons): ``{"key": ..., "points": ..., **params}``."""
        return {"key": self.key, "points": self.points, **self.params}


@dataclass(frozen=True)
class Scored:
    """A pair's score: ``total = base + sum(reason points)``; ``a``/``b`` are participant ids."""

    a: int
    b: int
    total: float
    reasons: tuple[Reason, ...] = ()

    def reasons_data(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.reasons]


@dataclass(frozen=True)
class MatchedPair:
    a: Candidate
    b: Candidate
    scored: Scored
    locked: bool = False
    violations: tuple[str, ...] = ()  # hard constraints a host-locked pair breaks (empty otherwise)


@dataclass(frozen=True)
class Unmatched:
    candidate: Candidate
    reason: str  # one of UNMATCHED_REASONS


@dataclass(frozen=True)
class Distribution:
    """Pair scores at a glance: ``buckets`` are (from, to, count), five equal slices of [0, max_score]."""

    count: int
    min: float
    median: float
    max: float
    mean: float
    buckets: tuple[tuple[float, float, int], ...]

    @property
    def histogram(self) -> tuple[tuple[float, float, int], ...]:
        """The buckets, by the name the service uses."""
        return self.buckets

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "min": self.min,
            "median": self.median,
            "max": self.max,
            "mean": self.mean,
            "buckets": [list(b) for b in self.buckets],
        }


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[MatchedPair, ...]
    unmatched: tuple[Unmatched, ...]
    total: float  # sum of the scores of all pairs, locked ones included
    distribution: Distribution
    # JSON-able facts for MatchRound.stats: pool size, objective, solver path and certificate.
    stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict, compare=False)  # seconds per phase


# -- working hours ------------------------------------------------------------------------------------------
def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _days(days: Iterable[int]) -> tuple[int, ...]:
    clean = tuple(sorted({d for d in days if 0 <= d <= 6}))
    return clean or DEFAULT_DAYS


def reference_monday(reference: datetime) -> date:
    """The Monday (UTC) of the week that contains ``reference`` (an aware datetime)."""
    if reference.tzinfo is None:
        raise ValueError("reference must be timezone-aware")
    day = reference.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=8192)
def _week_mask(tz: str, days: tuple[int, ...], monday: date) -> np.ndarray:
    """Quarter hours of the week starting ``monday`` 00:00 UTC in which this person works (wrapping around)."""
    zone = _zone(tz)
    week_start = datetime.combine(monday, time(0), tzinfo=UTC)
    mask = np.zeros(WEEK_SLOTS, dtype=bool)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        start = datetime.combine(day, WORK_START, tzinfo=zone).astimezone(UTC) - week_start
        end = datetime.combine(day, WORK_END, tzinfo=zone).astimezone(UTC) - week_start
        first = math.floor(start.total_seconds() / (SLOT_MINUTES * 60))
        last = math.ceil(end.total_seconds() / (SLOT_MINUTES * 60))
        mask[np.arange(first, last) % WEEK_SLOTS] = True
    mask.setflags(write=False)
    return mask


def _overlap_slots(a: Candidate, b: Candidate, monday: date) -> int:
    ma = _week_mask(a.tz, _days(a.preferred_days), monday)
    mb = _week_mask(b.tz, _days(b.preferred_days), monday)
    return int(np.count_nonzero(ma & mb))


def weekly_overlap_hours(a: Candidate, b: Candidate, *, reference: datetime) -> float:
    """Hours a week in which both are at work (09:00-18:00 local on their days), in the reference week."""
    return _overlap_slots(a, b, reference_monday(reference)) * SLOT_MINUTES / 60


# -- scoring one pair ---------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@lru_cache(maxsize=65536)
def _topic_keys(topics: tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for k in (_norm(t) for t in topics) if k)


def _curious_keys(c: Candidate) -> frozenset[str]:
    return _topic_keys(tuple(c.curiosity)) - _topic_keys(tuple(c.want_to_learn))


def _department_key(c: Candidate) -> str | None:
    return _norm(c.department) if c.department and _norm(c.department) else None


def _style_half(a: str | None, b: str | None) -> int:
    """Learning styles in half units: 2 the same, 1 compatible, 0 otherwise."""
    if a is None or b is None or a not in LEARNING_STYLES or b not in LEARNING_STYLES:
        return 0
    if a == b:
        return 2
    return 1 if frozenset({a, b}) in COMPATIBLE_STYLES else 0


def _scale_half(scale: tuple[str, ...], a: str | None, b: str | None) -> int:
    """An ordinal preference in half units: 2 the same, 1 adjacent, 0 otherwise."""
    if a not in scale or b not in scale:
        return 0
    distance = abs(scale.index(a) - scale.index(b))  # type: ignore[arg-type]
    return 2 if distance == 0 else 1 if distance == 1 else 0


def _interest_level(interest: Mapping[frozenset[int], str], a: int, b: int) -> str | None:
    level = interest.get(frozenset({a, b}))
    return level if level in INTEREST_LEVELS else None


def _same_reporting_line(a: Candidate, b: Candidate) -> bool:
    return same_line(a.slack_user_id, a.managers, b.slack_user_id, b.managers)


def shown_violation(violation: str) -> str:
    """What a host may learn about a broken hard constraint: the constraint itself when it is public (roles,
    working hours, an earlier tandem), ``PRIVATE`` for anything a person told Tandem in confidence."""
    return PRIVATE if violation in PRIVATE_VIOLATIONS else violation


def hard_constraint(
    a: Candidate,
    b: Candidate,
    *,
    reference: datetime,
    weights: Weights | None = None,
    past_pairs: Iterable[frozenset[int]] = frozenset(),
    interest: Mapping[frozenset[int], str] | None = None,
) -> str | None:
    """The first hard constraint (one of VIOLATIONS) that forbids pairing ``a`` with ``b``, or None."""
    return next(iter(_violations(a, b, reference, weights or Weights(), past_pairs, interest or {})), None)


def _violations(
    a: Candidate,
    b: Candidate,
    reference: datetime,
    weights: Weights,
    past_pairs: Iterable[frozenset[int]],
    interest: Mapping[frozenset[int], str],
) -> list[str]:
    found: list[str] = []
    if a.id == b.id or a.slack_user_id == b.slack_user_id:
        found.append("same_person")
    if b.role not in ROLE_PARTNERS.get(a.role, ()):
        found.append("roles")
    past = past_pairs if isinstance(past_pairs, set | frozenset) else set(past_pairs)
    if frozenset({a.id, b.id}) in past:
        found.append("past_pair")
    if b.slack_user_id in a.avoid or a.slack_user_id in b.avoid:
        found.append("avoid")
    if _same_reporting_line(a, b):
        found.append("reporting_line")
    if _interest_level(interest, a.id, b.id) == "no":
        found.append("not_interested")
    both_async = a.mode == "async" and b.mode == "async"
    if not both_async and _overlap_slots(a, b, reference_monday(reference)) < _min_slots(weights):
        found.append("no_overlap")
    return found


def _min_slots(weights: Weights) -> int:
    return math.ceil(round(weights.min_overlap_hours * 60) / SLOT_MINUTES)


def _teaching(teacher: Candidate, learner_keys: frozenset[str]) -> list[str]:
    """The teacher's topics (as they wrote them) that are among the learner's, each once, in order."""
    seen: set[str] = set()
    topics: list[str] = []
    for topic in teacher.can_teach:
        key = _norm(topic)
        if key in learner_keys and key not in seen:
            seen.add(key)
            topics.append(" ".join(str(topic).split()))
    return topics


def _hours(slots: int) -> int | float:
    hours = slots * SLOT_MINUTES / 60
    return int(hours) if hours == int(hours) else hours


def _score_parts(
    a: Candidate, b: Candidate, *, weights: Weights, monday: date, interest_level: str | None
) -> tuple[int, list[Reason]]:
    """(centipoints, reasons) of an allowed pair; the vectorised _Pool must agree with this to the centipoint."""
    w = weights
    reasons: list[Reason] = []

    def add(key: str, params: dict[str, Any], centi: int) -> None:
        if centi > 0:
            reasons.append(Reason(key, params, centi / 100))

    for teacher, learner in ((a, b), (b, a)):
        topics = _teaching(teacher, _topic_keys(tuple(learner.want_to_learn)))
        params = {"teacher": teacher.name, "learner": learner.name, "topic": topics[0] if topics else ""}
        add("teaches", {**params, "topics": topics[:TOPIC_CAP]}, w.centi("topics") * min(len(topics), TOPIC_CAP))
    for teacher, learner in ((a, b), (b, a)):
        topics = _teaching(teacher, _curious_keys(learner))
        params = {"teacher": teacher.name, "learner": learner.name, "topic": topics[0] if topics else ""}
        add("curious", {**params, "topics": topics[:TOPIC_CAP]}, w.centi("curiosity") * min(len(topics), TOPIC_CAP))
    if interest_level in ("yes", "maybe"):
        add("mutual_interest", {"level": interest_level}, w.centi(f"interest_{interest_level}"))
    da, db = _department_key(a), _department_key(b)
    if da is not None and db is not None and da != db:
        add("different_fields", {"a": a.department, "b": b.department}, w.centi("fields"))
    shared = [v for v in VALUES if v in set(a.values) and v in set(b.values)][:VALUES_CAP]
    for value in shared:
        add("shared_value", {"value": value}, w.centi("values"))
    style = _style_half(a.learning_style, b.learning_style)
    if style:
        params = {"same": style == 2, "a": a.learning_style, "b": b.learning_style}
        add("learning_styles", params, w.centi("learning_style") * style // 2)
    halves = {key: _scale_half(scale, getattr(a, key), getattr(b, key)) for key, scale in BEHAVIOUR_SCALES.items()}
    same = [key for key, h in halves.items() if h == 2]
    close = [key for key, h in halves.items() if h == 1]
    add("working_styles", {"same": same, "close": close}, w.centi("behaviour") * sum(halves.values()) // 2)
    slots = _overlap_slots(a, b, monday)
    full = OVERLAP_FULL_HOURS * 60 // SLOT_MINUTES
    add("overlap", {"hours": _hours(slots), "per": "week"}, w.centi("overlap") * min(slots, full) // full)
    if a.locale == "de" and b.locale == "de":
        add("common_language", {"language": "de"}, w.centi("language"))
    return w.centi("base") + sum(round(r.points * 100) for r in reasons), reasons


def score(
    a: Candidate,
    b: Candidate,
    *,
    reference: datetime,
    weights: Weights | None = None,
    past_pairs: Iterable[frozenset[int]] = frozenset(),
    interest: Mapping[frozenset[int], str] | None = None,
) -> Scored | None:
    """How well ``a`` and ``b`` fit, with the reasons; None when a hard constraint forbids the pair."""
    weights = weights or Weights()
    interest = interest or {}
    if _violations(a, b, reference, weights, past_pairs, interest):
        return None
    return _scored(a, b, weights, reference_monday(reference), interest)


def _scored(
    a: Candidate, b: Candidate, weights: Weights, monday: date, interest: Mapping[frozenset[int], str]
) -> Scored:
    centi, reasons = _score_parts(
        a, b, weights=weights, monday=monday, interest_level=_interest_level(interest, a.id, b.id)
    )
    return Scored(a.id, b.id, centi / 100, tuple(reasons))


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def reason_text_en(reason: Reason) -> str:
    """One reason in English (shared values are grouped by :func:`reasons_text_en`)."""
    p = reason.params
    key = reason.key
    if key in ("teaches", "curious"):
        topics = list(p.get("topics") or [p.get("topic", "")])
        verb = "wants to learn" if key == "teaches" else "is curious about"
        pronoun = "it" if len(topics) == 1 else "them"
        return f"{p['teacher']} can teach {_and_list(topics)}, {p['learner']} {verb} {pronoun}"
    if key == "different_fields":
        return "different departments"
    if key == "shared_value":
        return f"shared value: {p['value']}"
    if key == "learning_styles":
        return f"same learning style: {p['a']}" if p.get("same") else f"compatible learning styles: {p['a']}, {p['b']}"
    if key == "working_styles":
        parts = [f"same {k}" for k in p.get("same", [])] + [f"similar {k}" for k in p.get("close", [])]
        return "ways of working: " + ", ".join(parts)
    if key == "overlap":
        return f"{p['hours']} h overlap a week"
    if key == "common_language":
        return f"common language: {LANGUAGE_NAMES_EN.get(p['language'], p['language'])}"
    if key == "mutual_interest":
        return "mutual interest" if p.get("level") == "yes" else "mutual interest (maybe)"
    return key


def reasons_text_en(scored: Scored) -> str:
    """``"Ana can teach short video, Jörg wants to learn it · different departments · shared value: curiosity"``."""
    texts: list[str] = []
    values = [r.params["value"] for r in scored.reasons if r.key == "shared_value"]
    for reason in scored.reasons:
        if reason.key != "shared_value":
            texts.append(reason_text_en(reason))
        elif reason.params["value"] == values[0]:
            texts.append(("shared value: " if len(values) == 1 else "shared values: ") + ", ".join(values))
    return " · ".join(texts)


# -- the whole pool at once (numpy) -------------------------------------------------------------------------
FORBID = -(1 << 28)  # in the lookup tables; two of them still fit an int32
ROLE_CODES = {"digital": 0, "context": 1, "both": 2}  # anything else: 3
BLOCK_ELEMENTS = 1 << 21  # pairs scored at once (rows x columns), to bound memory
CACHE_BYTES = 256 << 20  # the solver keeps the pool's scores between rounds up to this size (about 16,000 people)


def _role_table() -> np.ndarray:
    table = np.zeros((4, 4), dtype=bool)
    roles = list(ROLE_CODES)
    for a in roles:
        for b in ROLE_PARTNERS[a]:
            table[ROLE_CODES[a], ROLE_CODES[b]] = True
    return table


def _half_table(options: tuple[str, ...], half: Callable[[str | None, str | None], int]) -> np.ndarray:
    """half(x, y) for codes 0 (none) and 1.. (options)."""
    keys: list[str | None] = [None, *options]
    return np.array([[half(x, y) for y in keys] for x in keys], dtype=np.int32)


def _codes(values: Iterable[str | None], options: tuple[str, ...]) -> np.ndarray:
    index = {o: i + 1 for i, o in enumerate(options)}
    return np.array([index.get(v, 0) if v is not None else 0 for v in values], dtype=np.int64)


class _TopicMatrix:
    """People x topics incidence (dense when the vocabulary is small), for counting topics in common."""

    def __init__(self, rows: list[frozenset[str]], vocab: dict[str, int]) -> None:
        n, v = len(rows), max(1, len(vocab))
        indptr = np.zeros(n + 1, dtype=np.int64)
        indices = [vocab[k] for r in rows for k in sorted(r)]
        indptr[1:] = np.cumsum([len(r) for r in rows])
        data = np.ones(len(indices), dtype=np.float32)
        self.csr = sparse.csr_matrix((data, np.array(indices, dtype=np.int64), indptr), shape=(n, v))
        self.dense = self.csr.toarray() if v <= 512 else None

    def common(self, other: _TopicMatrix, r0: int, r1: int, c0: int) -> np.ndarray:
        """How many topics row r of self shares with column c of other (float32, exact small integers)."""
        if self.dense is not None and other.dense is not None:
            return self.dense[r0:r1] @ other.dense[c0:].T
        return (self.csr[r0:r1] @ other.csr[c0:].T).toarray()


class _Pool:
    """The pool encoded as small integer codes and lookup tables, and :meth:`block`: the score of every pair in a
    block of rows, computed with numpy (row-first table lookups, four small matrix products for topics)."""

    def __init__(
        self,
        people: list[Candidate],
        *,
        weights: Weights,
        reference: datetime,
        past_pairs: Iterable[frozenset[int]],
        interest: Mapping[frozenset[int], str],
    ) -> None:
        w = self.weights = weights
        self.people = people
        self.n = len(people)
        monday = reference_monday(reference)
        index = {c.id: i for i, c in enumerate(people)}
        self.priority = _max_centi(w) + 1  # per waitlisted person matched (module docstring)
        self.waitlisted = np.array([c.waitlisted for c in people], dtype=np.int64)

        # Style, behaviour, language and role: one code per distinct combination, one table (base included).
        role = np.array([ROLE_CODES.get(c.role, 3) for c in people], dtype=np.int64)
        style = _codes((c.learning_style for c in people), LEARNING_STYLES)
        mode = _codes((c.mode for c in people), MODES)
        pace = _codes((c.pace for c in people), PACES)
        direct = _codes((c.directness for c in people), DIRECTNESS)
        german = np.array([c.locale == "de" for c in people], dtype=np.int64)
        raw = ((((role * 5 + style) * 4 + mode) * 4 + pace) * 4 + direct) * 2 + german
        combos, self.combo = np.unique(raw, return_inverse=True)
        c_de, rest = combos % 2, combos // 2
        c_dir, rest = rest % 4, rest // 4
        c_pace, rest = rest % 4, rest // 4
        c_mode, rest = rest % 4, rest // 4
        c_style, c_role = rest % 5, rest // 5
        style_half = _half_table(LEARNING_STYLES, _style_half)
        behaviour_half = sum(
            _half_table(scale, lambda x, y, s=scale: _scale_half(s, x, y))[codes[:, None], codes[None, :]]
            for scale, codes in ((MODES, c_mode), (PACES, c_pace), (DIRECTNESS, c_dir))
        )
        table = (
            w.centi("learning_style") * style_half[c_style[:, None], c_style[None, :]] // 2
            + w.centi("behaviour") * behaviour_half // 2
            + w.centi("language") * (c_de[:, None] & c_de[None, :])
            + w.centi("base")
        )
        table[~_role_table()[c_role[:, None], c_role[None, :]]] = FORBID
        self.combo_table = table.astype(np.int32)
        self.role = role

        # Working hours: one profile per (zone, days, async); overlap points, or FORBID below the minimum.
        profile_keys = [(c.tz, _days(c.preferred_days), c.mode == "async") for c in people]
        distinct = sorted(set(profile_keys), key=repr)
        where = {k: i for i, k in enumerate(distinct)}
        self.profile = np.array([where[k] for k in profile_keys], dtype=np.int64)
        masks = np.array([_week_mask(tz, days, monday) for tz, days, _ in distinct], dtype=np.float32)
        slots = np.rint(masks @ masks.T).astype(np.int64) if distinct else np.zeros((0, 0), dtype=np.int64)
        full = OVERLAP_FULL_HOURS * 60 // SLOT_MINUTES
        overlap = w.centi("overlap") * np.minimum(slots, full) // full
        is_async = np.array([k[2] for k in distinct], dtype=bool)
        overlap[(slots < _min_slots(w)) & ~(is_async[:, None] & is_async[None, :])] = FORBID
        self.overlap_table = overlap.astype(np.int32)

        # Departments (code 0: unknown) and value sets.
        departments: dict[str | None, int] = {None: 0}
        self.department = np.array([departments.setdefault(_department_key(c), len(departments)) for c in people])
        d = np.arange(len(departments))
        self.department_table = w.centi("fields") * ((d[:, None] != d[None, :]) & (d[:, None] > 0) & (d[None, :] > 0))
        self.department_table = self.department_table.astype(np.int32)
        bit = {v: 1 << i for i, v in enumerate(VALUES)}
        masks_v = [sum(bit[v] for v in set(c.values) if v in bit) for c in people]
        value_sets, self.value_set = np.unique(np.array(masks_v, dtype=np.int64), return_inverse=True)
        popcount = np.array([min(bin(int(x)).count("1"), VALUES_CAP) for x in range(1 << len(VALUES))])
        self.values_table = (w.centi("values") * popcount[value_sets[:, None] & value_sets[None, :]]).astype(np.int32)

        # Topics.
        teach = [_topic_keys(tuple(c.can_teach)) for c in people]
        learn = [_topic_keys(tuple(c.want_to_learn)) for c in people]
        curious = [_curious_keys(c) for c in people]
        vocab: dict[str, int] = {}
        for sets in (teach, learn, curious):
            for s in sets:
                for k in sorted(s):
                    vocab.setdefault(k, len(vocab))
        self.teach, self.learn, self.curious = (_TopicMatrix(s, vocab) for s in (teach, learn, curious))

        # Sparse per-pair facts: forbidden pairs (past pairs, "please not", reporting lines, "no" in speed
        # dating) and speed-dating bonuses, both directions, sorted by row. ``self.forbidden``: each forbidden pair
        # (i < j) with the first of its kinds ("past_pair" before PRIVATE), for excluded_pairs().
        by_slack: dict[str, list[int]] = {}
        managed: dict[str, list[int]] = {}
        for i, c in enumerate(people):
            by_slack.setdefault(c.slack_user_id, []).append(i)
            if c.managers:
                managed.setdefault(c.managers[0], []).append(i)
        adjust: dict[tuple[int, int], int] = {}
        self.forbidden: dict[tuple[int, int], str] = {}

        def put(i: int, j: int, value: int, kind: str = "") -> None:
            if i != j:
                for key in ((i, j), (j, i)):
                    adjust[key] = FORBID if value == FORBID or adjust.get(key) == FORBID else value
                if value == FORBID:
                    self.forbidden.setdefault((min(i, j), max(i, j)), kind)

        for pair in past_pairs:
            ids = [index.get(x) for x in pair]
            if len(ids) == 2 and ids[0] is not None and ids[1] is not None:
                put(ids[0], ids[1], FORBID, "past_pair")
        for i, c in enumerate(people):
            for sid in c.avoid:
                for j in by_slack.get(sid, ()):
                    put(i, j, FORBID, PRIVATE)
            for manager in c.managers:  # everyone above them, as far as the program keeps apart
                for j in by_slack.get(manager, ()):
                    put(i, j, FORBID, PRIVATE)
        for team in managed.values():
            for t, i in enumerate(team):
                for j in team[t + 1 :]:  # the same direct manager
                    put(i, j, FORBID, PRIVATE)
        for pair, level in interest.items():
            ids = [index.get(x) for x in pair]
            if len(ids) == 2 and ids[0] is not None and ids[1] is not None and level in INTEREST_LEVELS:
                put(ids[0], ids[1], FORBID if level == "no" else w.centi(f"interest_{level}"), PRIVATE)
        items = sorted(adjust.items())
        self.adj_rows = np.array([k[0] for k, _ in items], dtype=np.int64)
        self.adj_cols = np.array([k[1] for k, _ in items], dtype=np.int64)
        self.adj_vals = np.array([v for _, v in items], dtype=np.int32)

    def excluded_pairs(self) -> dict[str, int]:
        """How many pairs of the pool the hard constraints rule out, by kind (EXCLUDED_KINDS), each pair counted
        once under the first kind that applies: roles or working hours, an earlier tandem, then the private
        reasons. Counts only, for the preview; ``possible``: every pair of the pool."""
        counts = dict.fromkeys(EXCLUDED_KINDS, 0)
        counts["possible"] = self.n * (self.n - 1) // 2
        if self.n < 2:
            return counts
        width = max(1, len(self.overlap_table))
        keys, inverse, sizes = np.unique(self.role * width + self.profile, return_inverse=True, return_counts=True)
        roles, profiles = keys // width, keys % width
        public = ~_role_table()[roles[:, None], roles[None, :]] | (
            self.overlap_table[profiles[:, None], profiles[None, :]] == FORBID
        )
        sizes = sizes.astype(np.int64)
        across = np.triu(np.outer(sizes, sizes), 1)
        within = sizes * (sizes - 1) // 2
        counts["roles_or_hours"] = int((across * public).sum() + (within * np.diag(public)).sum())
        for (i, j), kind in self.forbidden.items():
            if not public[inverse[i], inverse[j]]:
                counts[kind] += 1
        return counts

    def block(self, r0: int, r1: int, c0: int) -> np.ndarray:
        """Scores (centipoints) of rows r0:r1 against columns c0:, int32; -1 where the pair is forbidden (and on
        the diagonal). The waitlist priority is not included: it is the solver's ``offsets``."""
        w = self.weights
        rows, cols = slice(r0, r1), slice(c0, self.n)

        def lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
            return np.take(table[codes[rows]], codes[cols], axis=1)

        points = lookup(self.combo_table, self.combo)
        points += lookup(self.overlap_table, self.profile)
        points += lookup(self.department_table, self.department)
        points += lookup(self.values_table, self.value_set)
        topics = None
        for teacher, learner, weight in (
            (self.teach, self.learn, w.centi("topics")),
            (self.learn, self.teach, w.centi("topics")),
            (self.teach, self.curious, w.centi("curiosity")),
            (self.curious, self.teach, w.centi("curiosity")),
        ):
            if weight:  # row i's topics (as teacher or learner) against column j's
                common = np.minimum(teacher.common(learner, r0, r1, c0), TOPIC_CAP)
                common *= weight
                topics = common if topics is None else topics + common
        if topics is not None:
            points += topics.astype(np.int32)
        lo, hi = np.searchsorted(self.adj_rows, [r0, r1])
        if hi > lo:
            ar, ac, av = self.adj_rows[lo:hi] - r0, self.adj_cols[lo:hi], self.adj_vals[lo:hi]
            keep = ac >= c0
            ar, ac, av = ar[keep], ac[keep] - c0, av[keep]
            bonus = av > 0
            points[ar[bonus], ac[bonus]] += av[bonus]
            points[ar[~bonus], ac[~bonus]] = FORBID
        diagonal = np.arange(max(r0, c0), r1)
        points[diagonal - r0, diagonal - c0] = FORBID
        np.maximum(points, -1, out=points)
        return points


# -- the exact solver ---------------------------------------------------------------------------------------
BlockFn = Callable[[int, int, int], np.ndarray]


@dataclass
class Solution:
    pairs: list[tuple[int, int]]  # (i, j) indices, i < j, sorted
    objective: int  # sum of the weights of the pairs
    has_partner: np.ndarray  # bool per index: somebody is allowed for them
    stats: dict[str, Any]


def solve(
    n: int, block: BlockFn, *, offsets: np.ndarray | None = None, k: int = 12, cache_bytes: int = CACHE_BYTES
) -> Solution:
    """Maximum-weight matching of ``n`` nodes, exact; the method is in the module docstring.

    ``block(r0, r1, c0)`` gives the pair weights ``s`` (integers >= 0; negative: not allowed) of rows r0:r1
    against columns c0:n; it must be symmetric, with a negative diagonal. The weight of an allowed pair is
    ``s_ij + offsets_i + offsets_j`` (``offsets``: non-negative per-node terms, default 0). Each node's ``k``
    best partners by ``s`` are tried first; the result depends only on the weights. Scores of the upper triangle
    are kept between rounds when they fit in ``cache_bytes``. Ties go to whatever the assignment solver meets
    first in index order: the same input gives the same output."""
    stats: dict[str, Any] = {"rounds": 0, "odd_cycles": 0, "blossom_stages": 0, "certificate": "fractional"}
    off = np.zeros(n, dtype=np.int64) if offsets is None else np.asarray(offsets, dtype=np.int64)
    has_partner = np.zeros(n, dtype=bool)
    if n < 2:
        stats.update(candidate_edges=0, upper_bound=0.0, objective=0)
        return Solution([], 0, has_partner, stats)
    scores = _Scores(n, block, cache_bytes)
    kk = max(1, min(k, n - 1))

    # 1. candidates: each node's kk best partners.
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for r0, r1, s in scores.upper():
        allowed = s >= 0
        has_partner[r0:r1] |= allowed.any(axis=1)
        has_partner[r0:] |= allowed.any(axis=0)
        width = s.shape[1]
        kw = min(kk, width)
        top = np.argpartition(s, width - kw, axis=1)[:, width - kw :]
        vals = np.take_along_axis(s, top, axis=1).ravel()
        keep = vals >= 0
        found.append((np.repeat(np.arange(r0, r1), kw)[keep], top.ravel()[keep] + r0, vals[keep]))
    ei, ej, es = _unique_edges(*(np.concatenate(x) for x in zip(*found, strict=True)), n)

    while True:
        stats["rounds"] += 1
        ew = es + off[ei] + off[ej]
        # 2-3. the doubled problem on the candidates, its LP dual, and pricing of the whole pool against it.
        sigma = _assignment(n, ei, ej, ew)
        y2 = _duals(n, ei, ej, ew, sigma)
        more = _price(scores, y2, off, kk, margin=max(1, scores.wmax // 64))
        if more is None:
            stats["upper_bound"] = int(y2.sum()) / 2
            mate, odd = _read_cycles(n, sigma)
            stats["odd_cycles"] = len(odd)
            if not odd:
                stats["certificate"] = "fractional"
                break
            # 4. odd cycles: Edmonds' blossom algorithm from this matching and dual; price against its dual.
            blossom = _Blossoms(n, ei, ej, ew, mate, y2)
            stats["blossom_stages"] += blossom.run()
            mate = blossom.mate_array()
            more = _price(scores, blossom.dual_array(), off, kk, blossom.shared_dual, blossom.scale)
            if more is None:
                stats["certificate"] = "blossom"
                break
        ei, ej, es = _unique_edges(np.r_[ei, more[0]], np.r_[ej, more[1]], np.r_[es, more[2]], n)
    stats["candidate_edges"] = len(ei)
    stats["cached"] = scores.cache is not None
    weight = dict(zip((ei * n + ej).tolist(), ew.tolist(), strict=True))
    pairs = sorted((a, int(mate[a])) for a in range(n) if mate[a] > a)
    objective = sum(weight[a * n + b] for a, b in pairs)
    stats["objective"] = objective
    return Solution(pairs, objective, has_partner, stats)


class _Scores:
    """Row blocks of the pair weights, the upper triangle kept (int16 when it fits) if it fits the budget."""

    def __init__(self, n: int, block: BlockFn, cache_bytes: int) -> None:
        self.n, self.block = n, block
        self.step = max(1, BLOCK_ELEMENTS // n)
        self.cache: dict[int, np.ndarray] | None = {} if n * (n + 1) <= cache_bytes else None  # 2 bytes a pair
        self.wmax = 0

    def upper(self) -> Iterable[tuple[int, int, np.ndarray]]:
        for r0 in range(0, self.n, self.step):
            r1 = min(self.n, r0 + self.step)
            if self.cache is not None and r0 in self.cache:
                yield r0, r1, self.cache[r0]
                continue
            s = self.block(r0, r1, r0)
            self.wmax = max(self.wmax, int(s.max()))
            if self.cache is not None:
                s = self.cache[r0] = s.astype(np.int16) if s.max() < (1 << 15) else s
            yield r0, r1, s


def _unique_edges(i: np.ndarray, j: np.ndarray, s: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)
    code, first = np.unique(lo * n + hi, return_index=True)
    return code // n, code % n, np.asarray(s, dtype=np.int64)[first]


def _assignment(n: int, ei: np.ndarray, ej: np.ndarray, ew: np.ndarray) -> np.ndarray:
    """The doubled bipartite problem: the permutation sigma maximising sum w(i, sigma(i)), with w(i, i) = 0."""
    top = int(ew.max()) + 1 if len(ew) else 1
    rows = np.concatenate([ei, ej, np.arange(n)])
    cols = np.concatenate([ej, ei, np.arange(n)])
    cost = np.concatenate([top - ew, top - ew, np.full(n, top)]).astype(np.float64)  # all > 0: no "zero" entries
    r, c = min_weight_full_bipartite_matching(sparse.csr_matrix((cost, (rows, cols)), shape=(n, n)))
    sigma = np.empty(n, dtype=np.int64)
    sigma[r] = c
    return sigma


def _duals(n: int, ei: np.ndarray, ej: np.ndarray, ew: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``2y`` for the fractional matching LP, from the optimal permutation ``sigma``.

    Bellman-Ford on the assignment's residual graph, reduced to its right-hand nodes: an arc sigma(i) -> j of cost
    w(i, sigma(i)) - w(i, j) for every candidate (i, j) with j != sigma(i) (w(i, i) = 0). With d the distances from a
    source joined to every node at 0, u_i = d[sigma(i)] + w(i, sigma(i)) and v_j = -d[j] satisfy
    u_i + v_j >= w(i, j), with equality on sigma; by symmetry ``2y_i = u_i + v_i`` is feasible and
    ``sum(y)`` is half the assignment's value."""
    ai = np.concatenate([ei, ej, np.arange(n)])
    aj = np.concatenate([ej, ei, np.arange(n)])
    aw = np.concatenate([ew, ew, np.zeros(n, dtype=np.int64)])
    on_sigma = aj == sigma[ai]
    wsig = np.zeros(n, dtype=np.int64)
    wsig[ai[on_sigma]] = aw[on_sigma]
    free = ~on_sigma
    order = np.argsort(aj[free], kind="stable")
    src = sigma[ai[free]][order]
    dst = aj[free][order]
    cost = (wsig[ai[free]] - aw[free])[order]
    d = np.zeros(n, dtype=np.int64)
    if len(dst):
        starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
        targets = dst[starts]
        for _ in range(n + 1):
            best = np.minimum.reduceat(d[src] + cost, starts)
            better = best < d[targets]
            if not better.any():
                break
            d[targets[better]] = best[better]
        else:  # a negative cycle: sigma was not optimal (cannot happen: the weights are exact integers)
            raise ArithmeticError("assignment not optimal")
    return d[sigma] + wsig - d


def _price(
    scores: _Scores,
    y2: np.ndarray,
    off: np.ndarray,
    per_row: int,
    correction: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    scale: int = 1,
    margin: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Pairs of the whole pool (with their s) whose weight exceeds their dual: ``2 * scale * w > y2_i + y2_j +
    correction``; None when there is none: the dual is feasible for the whole pool. With some, pairs that fall
    short of it by less than ``margin`` come along (they tend to be next), at most ``per_row`` a row, worst first."""
    z = y2 - 2 * scale * off  # so that the test reads 2 * scale * s > z_i + z_j
    big = 2 * scale * max(scores.wmax, 1) + 2 * int(np.abs(z).max(initial=0))
    dtype = np.int32 if big < (1 << 31) else np.int64
    z = z.astype(dtype)
    add: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    violated = False
    for r0, r1, s in scores.upper():
        excess = s.astype(dtype)
        excess *= 2 * scale
        excess -= z[r0:r1, None]
        excess -= z[None, r0:]
        rr, cc = np.nonzero(excess > -2 * scale * margin)
        if not len(rr):
            continue
        keep = s[rr, cc] >= 0
        rr, cc = rr[keep], cc[keep]
        ex = excess[rr, cc].astype(np.int64)
        if correction is not None:  # blossom duals count for pairs inside a blossom
            ex -= correction(rr + r0, cc + r0)
            keep = ex > -2 * scale * margin
            rr, cc, ex = rr[keep], cc[keep], ex[keep]
        if len(rr) > per_row * (r1 - r0):  # the worst few per row; the next round checks again
            order = np.lexsort((-ex, rr))
            rr, cc, ex = rr[order], cc[order], ex[order]
            first = np.r_[0, np.flatnonzero(rr[1:] != rr[:-1]) + 1]
            rank = np.arange(len(rr)) - np.repeat(first, np.diff(np.r_[first, len(rr)]))
            best = rank < per_row
            rr, cc, ex = rr[best], cc[best], ex[best]
        if len(rr):
            violated = violated or bool((ex > 0).any())
            add.append((rr + r0, cc + r0, s[rr, cc].astype(np.int64)))
    if not violated:
        return None
    i, j, w = (np.concatenate(x) for x in zip(*add, strict=True))
    return i, j, w


def _read_cycles(n: int, sigma: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """A matching from the permutation: its 2-cycles, and every other edge of its even cycles (both halves
    weigh the same at the optimum); odd cycles are returned, and all but one of their nodes paired along them."""
    mate = np.full(n, -1, dtype=np.int64)
    seen = np.zeros(n, dtype=bool)
    odd: list[list[int]] = []
    sig = sigma.tolist()
    for start in range(n):
        if seen[start]:
            continue
        cycle = [start]
        seen[start] = True
        nxt = sig[start]
        while nxt != start:
            cycle.append(nxt)
            seen[nxt] = True
            nxt = sig[nxt]
        if len(cycle) % 2:
            if len(cycle) == 1:
                continue
            odd.append(cycle)
            cycle = cycle[1:]  # the cycle's edges are all tight: any node may be the one left out
        for a, b in zip(cycle[0::2], cycle[1::2], strict=True):
            mate[a], mate[b] = b, a
    return mate, odd


class _Blossom:
    """A blossom: an odd cycle of sub-blossoms (``childs``) joined by ``edges``, base first."""

    __slots__ = ("childs", "edges", "mybestedges")

    def __init__(self) -> None:
        self.childs: list[Any] = []
        self.edges: list[tuple[int, int]] = []
        self.mybestedges: list[tuple[int, int]] | None = None

    def leaves(self) -> Iterable[int]:
        stack = [*self.childs]
        while stack:
            t = stack.pop()
            if isinstance(t, _Blossom):
                stack.extend(t.childs)
            else:
                yield t


class _Blossoms:
    """Edmonds' weighted matching (primal-dual with blossoms), warm-started.

    Follows the structure of van Rantwijk's implementation as networkx ships it (``max_weight_matching``), with
    duals in the same units (``dual = 2y``; an edge's slack is ``dual_v + dual_w - 2w + 2 * sum(z of blossoms
    holding both)``). It starts from a matching whose edges are tight and a feasible dual instead of the empty
    matching and a uniform dual, so free nodes may have different duals: a stage grows alternating trees only from
    free nodes with a positive dual; free nodes with dual 0 already satisfy the optimality conditions and act as
    ends of augmenting paths; and the stage also ends when an even (S) node's dual reaches 0: the alternating path
    from its root to it is flipped, so it becomes free and the root matched. Each stage leaves one fewer free node
    with a positive dual, so there are at most as many stages as the LP had odd cycles."""

    def __init__(
        self, n: int, ei: np.ndarray, ej: np.ndarray, ew: np.ndarray, mate: np.ndarray, dual: np.ndarray
    ) -> None:
        self.n = n
        self.adj: list[dict[int, int]] = [{} for _ in range(n)]
        for a, b, w in zip(ei.tolist(), ej.tolist(), ew.tolist(), strict=True):
            self.adj[a][b] = w
            self.adj[b][a] = w
        self.mate: dict[int, int] = {v: int(m) for v, m in enumerate(mate.tolist()) if m >= 0}
        self.dualvar: list[int] = [int(x) for x in dual.tolist()]
        self.inblossom: list[Any] = list(range(n))
        self.blossomparent: dict[Any, Any] = dict.fromkeys(range(n))
        self.blossombase: dict[Any, int] = {v: v for v in range(n)}
        self.blossomdual: dict[_Blossom, int] = {}
        self.label: dict[Any, int] = {}
        self.labeledge: dict[Any, tuple[int, int] | None] = {}
        self.bestedge: dict[Any, tuple[int, int] | None] = {}
        self.allowedge: set[tuple[int, int]] = set()
        self.queue: list[int] = []
        self.labeled: set[int] = set()  # every node labeled during this stage (directly or through a blossom)
        self.frontier: set[int] = set()  # unlabeled nodes with a best edge to an S node
        # Duals are kept as integers in units of 1/scale (slack = dual_v + dual_w - 2 * scale * w): a stage whose
        # roots' duals differ in parity first doubles everything, so that slacks between S nodes stay even.
        self.scale = 1

    # -- results ------------------------------------------------------------------------------------------
    def mate_array(self) -> np.ndarray:
        mate = np.full(self.n, -1, dtype=np.int64)
        for v, w in self.mate.items():
            mate[v] = w
        return mate

    def dual_array(self) -> np.ndarray:
        return np.array(self.dualvar, dtype=np.int64)

    def shared_dual(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """2 * sum(z) over the blossoms that hold both i and j (0 for most pairs)."""
        out = np.zeros(len(i), dtype=np.int64)
        if not self.blossomdual:
            return out
        for t, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
            if self.inblossom[a] is a or self.inblossom[a] is not self.inblossom[b]:
                continue
            up_a, up_b = self._ancestors(a), set(self._ancestors(b))
            out[t] = 2 * sum(self.blossomdual[x] for x in up_a if x in up_b)
        return out

    def _ancestors(self, v: int) -> list[_Blossom]:
        found = []
        b = self.blossomparent[v]
        while b is not None:
            found.append(b)
            b = self.blossomparent[b]
        return found

    # -- the algorithm ------------------------------------------------------------------------------------
    def slack(self, v: int, w: int) -> int:
        return self.dualvar[v] + self.dualvar[w] - 2 * self.scale * self.adj[v][w]

    def _rescale(self, roots: list[int]) -> None:
        while (
            self.scale > 1
            and all(d % 2 == 0 for d in self.dualvar)
            and all(z % 2 == 0 for z in self.blossomdual.values())
        ):
            self.scale //= 2
            self.dualvar = [d // 2 for d in self.dualvar]
            self.blossomdual = {b: z // 2 for b, z in self.blossomdual.items()}
        if len({self.dualvar[v] % 2 for v in roots}) > 1:
            self.scale *= 2
            self.dualvar = [2 * d for d in self.dualvar]
            self.blossomdual = {b: 2 * z for b, z in self.blossomdual.items()}

    def assign_label(self, w: int, t: int, v: int | None) -> None:
        b = self.inblossom[w]
        self.label[w] = self.label[b] = t
        self.labeledge[w] = self.labeledge[b] = (v, w) if v is not None else None
        self.bestedge[w] = self.bestedge[b] = None
        if isinstance(b, _Blossom):
            leaves = list(b.leaves())
            self.labeled.update(leaves)
            if t == 1:
                self.queue.extend(leaves)
        else:
            self.labeled.add(b)
            if t == 1:
                self.queue.append(b)
        if t == 2:
            base = self.blossombase[b]
            self.assign_label(self.mate[base], 1, base)

    def scan_blossom(self, v: int, w: int) -> int | None:
        """Trace back from v and w to find a new blossom's base, or None for an augmenting path."""
        label, labeledge, inblossom = self.label, self.labeledge, self.inblossom
        path = []
        base = None
        cur: int | None = v
        other: int | None = w
        while cur is not None:
            b = inblossom[cur]
            if label[b] & 4:
                base = self.blossombase[b]
                break
            path.append(b)
            label[b] = 5
            edge = labeledge[b]
            if edge is None:
                cur = None
            else:
                cur = edge[0]
                b = inblossom[cur]
                edge = labeledge[b]
                assert edge is not None
                cur = edge[0]
            if other is not None:
                cur, other = other, cur
        for b in path:
            label[b] = 1
        return base

    def add_blossom(self, base: int, v: int, w: int) -> None:
        inblossom, labeledge, blossomparent = self.inblossom, self.labeledge, self.blossomparent
        bb, bv, bw = inblossom[base], inblossom[v], inblossom[w]
        b = _Blossom()
        self.blossombase[b] = base
        blossomparent[b] = None
        blossomparent[bb] = b
        path: list[Any] = []
        edgs: list[tuple[int, int]] = [(v, w)]
        b.childs, b.edges = path, edgs
        while bv is not bb:
            blossomparent[bv] = b
            path.append(bv)
            edge = labeledge[bv]
            assert edge is not None
            edgs.append(edge)
            bv = inblossom[edge[0]]
        path.append(bb)
        path.reverse()
        edgs.reverse()
        while bw is not bb:
            blossomparent[bw] = b
            path.append(bw)
            edge = labeledge[bw]
            assert edge is not None
            edgs.append((edge[1], edge[0]))
            bw = inblossom[edge[0]]
        self.label[b] = 1
        labeledge[b] = labeledge[bb]
        self.blossomdual[b] = 0
        for leaf in b.leaves():
            if self.label[inblossom[leaf]] == 2:
                self.queue.append(leaf)
            inblossom[leaf] = b
        bestedgeto: dict[Any, tuple[int, int]] = {}
        for child in path:
            if isinstance(child, _Blossom):
                if child.mybestedges is not None:
                    nblist = child.mybestedges
                    child.mybestedges = None
                else:
                    nblist = [(x, y) for x in child.leaves() for y in self.adj[x]]
            else:
                nblist = [(child, y) for y in self.adj[child]]
            for i, j in nblist:
                if inblossom[j] is b:
                    i, j = j, i
                bj = inblossom[j]
                if (
                    bj is not b
                    and self.label.get(bj) == 1
                    and (bj not in bestedgeto or self.slack(i, j) < self.slack(*bestedgeto[bj]))
                ):
                    bestedgeto[bj] = (i, j)
            self.bestedge[child] = None
        b.mybestedges = list(bestedgeto.values())
        best = None
        for edge in b.mybestedges:
            if best is None or self.slack(*edge) < self.slack(*best):
                best = edge
        self.bestedge[b] = best

    def expand_blossom(self, b: _Blossom, endstage: bool) -> None:
        stack = [self._expand(b, endstage)]
        while stack:
            for sub in stack[-1]:
                stack.append(self._expand(sub, endstage))
                break
            else:
                stack.pop()

    def _expand(self, b: _Blossom, endstage: bool) -> Iterable[_Blossom]:
        label, labeledge, inblossom = self.label, self.labeledge, self.inblossom
        for s in b.childs:
            self.blossomparent[s] = None
            if isinstance(s, _Blossom):
                if endstage and self.blossomdual[s] == 0:
                    yield s
                else:
                    for leaf in s.leaves():
                        inblossom[leaf] = s
            else:
                inblossom[s] = s
        if not endstage and label.get(b) == 2:
            # The expanded T-blossom's children: relabel the path from the entry child to the base.
            edge = labeledge[b]
            assert edge is not None
            entrychild = inblossom[edge[1]]
            j = b.childs.index(entrychild)
            if j & 1:
                j -= len(b.childs)
                jstep = 1
            else:
                jstep = -1
            v, w = edge
            while j != 0:
                if jstep == 1:
                    p, q = b.edges[j]
                else:
                    q, p = b.edges[j - 1]
                label[w] = None  # type: ignore[assignment]
                label[q] = None  # type: ignore[assignment]
                self.assign_label(w, 2, v)
                self.allowedge.add((p, q))
                self.allowedge.add((q, p))
                j += jstep
                if jstep == 1:
                    v, w = b.edges[j]
                else:
                    w, v = b.edges[j - 1]
                self.allowedge.add((v, w))
                self.allowedge.add((w, v))
                j += jstep
            bw = b.childs[j]
            label[w] = label[bw] = 2
            labeledge[w] = labeledge[bw] = (v, w)
            self.bestedge[bw] = None
            j += jstep
            while b.childs[j] is not entrychild:
                bv = b.childs[j]
                if label.get(bv) == 1:
                    j += jstep
                    continue
                if isinstance(bv, _Blossom):
                    for leaf in bv.leaves():
                        if label.get(leaf):
                            break
                    v = leaf
                else:
                    v = bv
                if label.get(v):
                    label[v] = None  # type: ignore[assignment]
                    label[self.mate[self.blossombase[bv]]] = None  # type: ignore[assignment]
                    reach = labeledge[v]
                    assert reach is not None
                    self.assign_label(v, 2, reach[0])
                j += jstep
        label.pop(b, None)
        labeledge.pop(b, None)
        self.bestedge.pop(b, None)
        del self.blossomparent[b]
        del self.blossombase[b]
        del self.blossomdual[b]

    def augment_blossom(self, b: _Blossom, v: int) -> None:
        stack = [self._augment(b, v)]
        while stack:
            for args in stack[-1]:
                stack.append(self._augment(*args))
                break
            else:
                stack.pop()

    def _augment(self, b: _Blossom, v: int) -> Iterable[tuple[_Blossom, int]]:
        t: Any = v
        while self.blossomparent[t] is not b:
            t = self.blossomparent[t]
        if isinstance(t, _Blossom):
            yield (t, v)
        i = j = b.childs.index(t)
        if i & 1:
            j -= len(b.childs)
            jstep = 1
        else:
            jstep = -1
        while j != 0:
            j += jstep
            t = b.childs[j]
            if jstep == 1:
                w, x = b.edges[j]
            else:
                x, w = b.edges[j - 1]
            if isinstance(t, _Blossom):
                yield (t, w)
            j += jstep
            t = b.childs[j]
            if isinstance(t, _Blossom):
                yield (t, x)
            self.mate[w] = x
            self.mate[x] = w
        b.childs = b.childs[i:] + b.childs[:i]
        b.edges = b.edges[i:] + b.edges[:i]
        self.blossombase[b] = self.blossombase[b.childs[0]]

    def flip_to_root(self, s: int, j: int | None) -> None:
        """Match s to j (None: leave s free) and flip the alternating path from s's blossom up to its root."""
        inblossom, labeledge = self.inblossom, self.labeledge
        while True:
            bs = inblossom[s]
            if isinstance(bs, _Blossom):
                self.augment_blossom(bs, s)
            if j is None:
                self.mate.pop(s, None)
            else:
                self.mate[s] = j
            edge = labeledge[bs]
            if edge is None:
                break
            t = edge[0]
            bt = inblossom[t]
            reach = labeledge[bt]
            assert reach is not None
            s, j = reach
            if isinstance(bt, _Blossom):
                self.augment_blossom(bt, j)
            self.mate[j] = s

    def augment_to_free(self, v: int, w: int) -> None:
        """v (in a tree) reached w, free with dual 0 outside every tree: match them and flip v's path."""
        bw = self.inblossom[w]
        if isinstance(bw, _Blossom):
            self.augment_blossom(bw, w)
        self.mate[w] = v
        self.flip_to_root(v, w)

    def run(self) -> int:
        """Run stages until no free node has a positive dual; returns the number of stages."""
        stages = 0
        label, inblossom, dualvar, bestedge = self.label, self.inblossom, self.dualvar, self.bestedge
        while True:
            label.clear()
            self.labeledge.clear()
            bestedge.clear()
            for b in self.blossomdual:
                b.mybestedges = None
            self.allowedge.clear()
            self.queue.clear()
            self.labeled.clear()
            self.frontier.clear()
            roots = [v for v in range(self.n) if v not in self.mate and dualvar[v] > 0]
            if not roots:
                return stages
            stages += 1
            self._rescale(roots)
            dualvar = self.dualvar
            for v in roots:
                if label.get(inblossom[v]) is None:
                    self.assign_label(v, 1, None)
            done = False
            while not done:
                done = self._grow()
                if done:
                    break
                done = self._adjust()
            for b in list(self.blossomdual):
                top_s = b in self.blossomdual and self.blossomparent[b] is None and label.get(b) == 1
                if top_s and self.blossomdual[b] == 0:
                    self.expand_blossom(b, True)

    def _grow(self) -> bool:
        """Scan S nodes along tight edges; True once the matching changed (an augmentation)."""
        label, inblossom, allowedge, bestedge = self.label, self.inblossom, self.allowedge, self.bestedge
        while self.queue:
            v = self.queue.pop()
            for w, wt in self.adj[v].items():
                bv, bw = inblossom[v], inblossom[w]
                if bv is bw:
                    continue
                kslack = 0
                if (v, w) not in allowedge:
                    kslack = self.dualvar[v] + self.dualvar[w] - 2 * self.scale * wt
                    if kslack <= 0:
                        allowedge.add((v, w))
                        allowedge.add((w, v))
                if (v, w) in allowedge:
                    lw = label.get(bw)
                    if lw is None:
                        if self.blossombase[bw] not in self.mate:  # free with dual 0: augment
                            self.augment_to_free(v, w)
                            return True
                        self.assign_label(w, 2, v)
                    elif lw == 1:
                        base = self.scan_blossom(v, w)
                        if base is not None:
                            self.add_blossom(base, v, w)
                        else:
                            self.flip_to_root(v, w)
                            self.flip_to_root(w, v)
                            return True
                    elif label.get(w) is None:
                        label[w] = 2
                        self.labeledge[w] = (v, w)
                elif label.get(bw) == 1:
                    best = bestedge.get(bv)
                    if best is None or kslack < self.slack(*best):
                        bestedge[bv] = (v, w)
                elif label.get(w) is None:
                    best = bestedge.get(w)
                    if best is None or kslack < self.slack(*best):
                        bestedge[w] = (v, w)
                        self.frontier.add(w)
        return False

    def _adjust(self) -> bool:
        """Change the duals by the largest safe delta; True if that ended the stage."""
        label, inblossom, dualvar, bestedge = self.label, self.inblossom, self.dualvar, self.bestedge
        s_nodes = [v for v in self.labeled if label.get(inblossom[v]) == 1]
        t_nodes = [v for v in self.labeled if label.get(inblossom[v]) == 2]
        # 1: an S node's dual reaches 0.
        deltavertex = min(s_nodes, key=lambda v: (dualvar[v], v))
        delta, deltatype = dualvar[deltavertex], 1
        deltaedge: tuple[int, int] | None = None
        deltablossom: _Blossom | None = None
        # 2: an edge from an S node to an unlabeled node becomes tight.
        for v in self.frontier:
            best = bestedge.get(v)
            if label.get(inblossom[v]) is None and best is not None:
                d = self.slack(*best)
                if d < delta:
                    delta, deltatype, deltaedge = d, 2, best
        # 3: an edge between two S blossoms becomes tight.
        for b in {inblossom[v] for v in s_nodes}:
            best = bestedge.get(b)
            if self.blossomparent[b] is None and best is not None:
                d, odd = divmod(self.slack(*best), 2)
                if odd:  # the parity invariant (see scale) makes this impossible
                    raise ArithmeticError("odd slack between S blossoms")
                if d < delta:
                    delta, deltatype, deltaedge = d, 3, best
        # 4: a T blossom's dual reaches 0.
        for b, z in self.blossomdual.items():
            if self.blossomparent[b] is None and label.get(b) == 2 and z < delta:
                delta, deltatype, deltablossom = z, 4, b
        for v in s_nodes:
            dualvar[v] -= delta
        for v in t_nodes:
            dualvar[v] += delta
        for b in self.blossomdual:
            if self.blossomparent[b] is None:
                if label.get(b) == 1:
                    self.blossomdual[b] += delta
                elif label.get(b) == 2:
                    self.blossomdual[b] -= delta
        if deltatype == 1:
            self.flip_to_root(deltavertex, None)
            return True
        if deltatype in (2, 3):
            assert deltaedge is not None
            v, w = deltaedge
            self.allowedge.add((v, w))
            self.allowedge.add((w, v))
            self.queue.append(v)
        else:
            assert deltablossom is not None
            self.expand_blossom(deltablossom, False)
        return False


def solve_dense(weights: np.ndarray, *, k: int = 12) -> Solution:
    """:func:`solve` on a symmetric integer matrix (negative = not allowed), for tests and benchmarks."""
    matrix = np.asarray(weights, dtype=np.int64).copy()
    np.fill_diagonal(matrix, -1)
    return solve(len(matrix), lambda r0, r1, c0: matrix[r0:r1, c0:], k=k)


# -- matching the pool --------------------------------------------------------------------------------------
def match(
    candidates: Iterable[Candidate],
    *,
    reference: datetime,
    weights: Weights | None = None,
    past_pairs: Iterable[frozenset[int]] = frozenset(),
    interest: Mapping[frozenset[int], str] | None = None,
    locked: Iterable[tuple[int, int]] = (),
    k: int = 12,
) -> MatchResult:
    """The best pairs for the whole pool (module docstring). ``locked``: participant-id pairs a host fixed."""
    clock = _time.perf_counter
    started = clock()
    weights = weights or Weights()
    interest = dict(interest or {})
    past = frozenset(frozenset(p) for p in past_pairs)
    people = sorted(candidates, key=lambda c: c.id)
    by_id = {c.id: c for c in people}
    if len(by_id) != len(people):
        raise ValueError("duplicate candidate ids")
    monday = reference_monday(reference)

    pairs: list[MatchedPair] = []
    taken: set[int] = set()
    for a_id, b_id in locked:
        if a_id not in by_id or b_id not in by_id or a_id == b_id:
            raise ValueError(f"locked pair {a_id}-{b_id} is not two people of the pool")
        if a_id in taken or b_id in taken:
            raise ValueError(f"locked pair {a_id}-{b_id}: someone is locked twice")
        taken.update((a_id, b_id))
        a, b = by_id[min(a_id, b_id)], by_id[max(a_id, b_id)]
        violations = tuple(_violations(a, b, reference, weights, past, interest))
        pairs.append(MatchedPair(a, b, _scored(a, b, weights, monday, interest), locked=True, violations=violations))
    pool = [c for c in people if c.id not in taken]

    encoded = _Pool(pool, weights=weights, reference=reference, past_pairs=past, interest=interest)
    encoded_at = clock()
    solution = solve(len(pool), encoded.block, offsets=encoded.priority * encoded.waitlisted, k=k)
    solved_at = clock()
    for i, j in solution.pairs:
        a, b = pool[i], pool[j]
        scored = _scored(a, b, weights, monday, interest)
        pairs.append(MatchedPair(a, b, scored))
    matched = {c.id for p in pairs for c in (p.a, p.b)}
    unmatched = _unmatched(pool, matched, solution.has_partner)
    pairs.sort(key=lambda p: (p.a.id, p.b.id))
    scores = [p.scored.total for p in pairs]
    total = round(sum(scores), 2)
    wl_matched = sum(c.waitlisted for p in pairs if not p.locked for c in (p.a, p.b))
    distribution = distribution_of(scores, max_score(weights))
    stats = {
        "pool": len(people),
        "locked": len(pairs) - len(solution.pairs),
        "pairs": len(pairs),
        "unmatched": len(unmatched),
        "total": total,
        "waitlisted_matched": wl_matched,
        "waitlisted_unmatched": sum(u.candidate.waitlisted for u in unmatched),
        "distribution": distribution.as_dict(),
        "solver": dict(solution.stats),  # rounds, candidate pairs, odd cycles, certificate, objective, bound
        "excluded": encoded.excluded_pairs(),  # pairs of the (unlocked) pool the rules rule out, by kind: counts only
    }
    free_total = sum(round(p.scored.total * 100) for p in pairs if not p.locked)
    if solution.objective != free_total + encoded.priority * wl_matched:
        raise AssertionError("vectorised and per-pair scores disagree")  # a bug, never a data problem
    timings = {"encode": encoded_at - started, "solve": solved_at - encoded_at, "total": clock() - started}
    return MatchResult(tuple(pairs), unmatched, total, distribution, stats, timings)


def _unmatched(pool: list[Candidate], matched: set[int], has_partner: np.ndarray) -> tuple[Unmatched, ...]:
    count = {role: sum(c.role == role for c in pool) for role in ROLE_CODES}
    out: list[Unmatched] = []
    left = [i for i, c in enumerate(pool) if c.id not in matched]
    for i in left:
        c = pool[i]
        if not has_partner[i]:
            reason = NO_COMPATIBLE_PARTNER
        elif c.role in ("digital", "context") and count[c.role] > sum(count[r] for r in ROLE_PARTNERS[c.role]):
            reason = UNEQUAL_SIDES
        elif len(pool) % 2 == 1 and len(left) == 1:
            reason = ODD_ONE_OUT
        else:
            reason = PARTNERS_TAKEN
        out.append(Unmatched(c, reason))
    return tuple(out)


def distribution_of(scores: list[float], top: float, slices: int = 5) -> Distribution:
    width = top / slices if top > 0 else 1.0
    buckets = []
    for s in range(slices):
        lo, hi = round(s * width, 2), round((s + 1) * width, 2)
        inside = sum(lo <= x < hi or (s == slices - 1 and x >= hi) for x in scores)
        buckets.append((lo, hi, inside))
    if not scores:
        return Distribution(0, 0.0, 0.0, 0.0, 0.0, tuple(buckets))
    return Distribution(
        len(scores),
        min(scores),
        round(median(scores), 2),
        max(scores),
        round(sum(scores) / len(scores), 2),
        tuple(buckets),
    )
