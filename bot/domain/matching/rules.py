"""Matching rules: who may learn with whom, and how well. Pure: no database, no Slack, no clock (the reference time
is an argument). The whole pool is matched in ``bot.domain.matching.pool``.

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
- ``ranked_both`` / ``ranked_one``: how people ranked their speed-dating candidates (1 to 3, :func:`rank_centi`).
  Both ranked each other: up to ``ranked_both`` (each side's rank counts: 1st 3/3, 2nd 2/3, 3rd 1/3 of half);
  only one ranked the other: up to ``ranked_one`` (1st full, 2nd 2/3, 3rd 1/3). A weight, never a rule. The
  one-sided reason (``ranked_one``) is private: hosts see neither it nor its points
  (``bot.services.matching.PRIVATE_REASONS``); "both ranked each other" is what hosts and the pair may see.

**Working hours** are 09:00-18:00 local time on the person's preferred days (Monday to Friday if none), laid
out on the reference week: the Monday-to-Sunday week (UTC) that contains ``reference``, each local day
converted with zoneinfo, so daylight saving time is applied as it is that week. Overlap is measured in
**hours per week**, in quarter hours; the week wraps around (a schedule repeats weekly).

**Hard constraints**: roles must complement (digital-context, digital-both, context-both, both-both); never
a past pair again; neither has the other on their "please not" list; not within one reporting line (one is
above the other within the levels the program keeps apart, ``Candidate.managers``, or both have the same direct
manager: ``bot.domain.orgchart``); nobody said "no" in speed dating; at least ``Weights.min_overlap_hours`` of
working hours in common a week, unless both chose the mode "async".

**Scheduled matching**: a program's preview on its matching date is due from ``SCHEDULED_HOUR`` local time in its
zone (:func:`scheduled_due`; :func:`next_scheduled` says when next).

**Private reasons.** The "please not" list, a "no" in speed dating and reporting lines are what people told Tandem
in confidence (``PRIVATE_VIOLATIONS``). Whatever a host sees says at most that two people can't be paired, never
which of these rules it is nor who asked (:func:`shown_violation`); the preview counts the pairs they rule out only
in one aggregate (``_Pool.excluded_pairs`` in ``bot.domain.matching.pool``: pairs that roles, working hours and
earlier tandems would have allowed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

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
    ranked_both: float = 6.0  # both ranked each other first (less for a lower rank)
    ranked_one: float = 2.0  # one ranked the other first, the other did not rank them (less for a lower rank)
    min_overlap_hours: float = 1.0  # hard: hours a week in common, unless both work async
    fairness_margin: float = 1.0  # percent of the best total the matching may give up to lift its weakest pair

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> Weights:
        """Defaults with ``overrides`` applied: unknown keys, non-numbers and the ``PRIVATE_WEIGHTS`` ignored, values
        clamped to [0, 10]."""
        known = {f.name for f in fields(cls)} - PRIVATE_WEIGHTS
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


WEIGHT_MIN, WEIGHT_MAX = 0.0, 10.0  # every weight, the overlap minimum (hours) and the fairness margin (percent)
WEIGHT_NAMES = tuple(f.name for f in fields(Weights))
# What speed dating adds is fixed: a host who could turn these up would read who said yes to whom, or who ranked
# whom, from the pairs the preview forms. Stored overrides of them (from before) are ignored. (They still count, so a
# pair can hint at them, the more so the less the other weights tell pairs apart: the texts say so.)
PRIVATE_WEIGHTS = frozenset({"interest_yes", "interest_maybe", "ranked_both", "ranked_one"})
HOST_WEIGHTS = tuple(name for name in WEIGHT_NAMES if name not in PRIVATE_WEIGHTS)  # what hosts may tune


def parse_weights(raw: Mapping[str, object]) -> tuple[dict[str, float] | None, dict[str, str]]:
    """What a host typed for each weight they may tune (``HOST_WEIGHTS``; blank: the default; anything else is
    ignored) -> (the program's overrides: only the values that differ from the defaults, rounded to hundredths; None
    with errors), ``{name: "number" | "range"}``: not a number, or outside ``WEIGHT_MIN``-``WEIGHT_MAX``."""
    defaults = Weights()
    overrides: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name in HOST_WEIGHTS:
        text = str(raw.get(name) if raw.get(name) is not None else "").strip().replace(",", ".")
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            errors[name] = "number"
            continue
        if not math.isfinite(number):
            errors[name] = "number"
        elif not WEIGHT_MIN <= number <= WEIGHT_MAX:
            errors[name] = "range"
        elif round(number, 2) != getattr(defaults, name):
            overrides[name] = round(number, 2)
    return (None, errors) if errors else (overrides, {})


def changed_weights(weights: Weights) -> list[str]:
    """The names of the weights that differ from the defaults, in ``WEIGHT_NAMES`` order."""
    defaults = Weights()
    return [name for name in WEIGHT_NAMES if getattr(weights, name) != getattr(defaults, name)]


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
        + max(w.centi("ranked_both"), w.centi("ranked_one"))
    )


RANKS = (1, 2, 3)  # a person's ranking of their speed-dating candidates: 1 the first choice


def rank_centi(w: Weights, a_ranks_b: int | None, b_ranks_a: int | None) -> tuple[str, int] | None:
    """The ranking reason of a pair and its centipoints, from what each said (a rank in RANKS or None): both
    ranked each other: ``("ranked_both", ranked_both * (value_a + value_b) / 6)``, one ranked the other:
    ``("ranked_one", ranked_one * value / 3)``, with value 3 for a 1st rank, 2 for a 2nd, 1 for a 3rd."""
    values = [4 - r if r in RANKS else 0 for r in (a_ranks_b, b_ranks_a)]
    if all(values):
        return "ranked_both", w.centi("ranked_both") * sum(values) // 6
    if any(values):
        return "ranked_one", w.centi("ranked_one") * sum(values) // 3
    return None


def rank_of(ranks: Mapping[tuple[int, int], int], a: int, b: int) -> tuple[int | None, int | None]:
    """(a's rank of b, b's rank of a) from a ``{(viewer, candidate): rank}`` map."""
    return ranks.get((a, b)), ranks.get((b, a))


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


# -- scheduled matching -------------------------------------------------------------------------------------
SCHEDULED_HOUR = 9  # a program's scheduled matching runs from this hour on, local time in its zone


def scheduled_due(match_on: date, tz: str, *, now: datetime) -> bool:
    """Whether a scheduled matching on ``match_on`` is due at ``now``: on that day or a later one in ``tz`` (an
    unknown zone counts as UTC), from ``SCHEDULED_HOUR`` local time on."""
    local = now.astimezone(_zone(tz))
    return match_on <= local.date() and local.hour >= SCHEDULED_HOUR


def next_scheduled(match_on: date, tz: str, *, now: datetime) -> datetime:
    """The first moment from ``now`` on at which :func:`scheduled_due` holds: ``now`` when it does, else
    ``SCHEDULED_HOUR`` local time on ``match_on``, or today when that day has passed. Were that hour skipped by a
    change of clocks (no zone does so today), a moment before the skip: early, so never too late."""
    zone = _zone(tz)
    day = max(match_on, now.astimezone(zone).date())
    wall = datetime.combine(day, time(SCHEDULED_HOUR))
    at = min(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    return max(at, now)


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
    a: Candidate,
    b: Candidate,
    *,
    weights: Weights,
    monday: date,
    interest_level: str | None,
    ranked: tuple[int | None, int | None] = (None, None),
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
    ranking = rank_centi(w, *ranked)
    if ranking is not None:
        add(ranking[0], {}, ranking[1])
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
    ranks: Mapping[tuple[int, int], int] | None = None,
) -> Scored | None:
    """How well ``a`` and ``b`` fit, with the reasons; None when a hard constraint forbids the pair."""
    weights = weights or Weights()
    interest = interest or {}
    if _violations(a, b, reference, weights, past_pairs, interest):
        return None
    return _scored(a, b, weights, reference_monday(reference), interest, ranks or {})


def _scored(
    a: Candidate,
    b: Candidate,
    weights: Weights,
    monday: date,
    interest: Mapping[frozenset[int], str],
    ranks: Mapping[tuple[int, int], int] | None = None,
) -> Scored:
    centi, reasons = _score_parts(
        a,
        b,
        weights=weights,
        monday=monday,
        interest_level=_interest_level(interest, a.id, b.id),
        ranked=rank_of(ranks or {}, a.id, b.id),
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
    if key == "ranked_both":
        return "both ranked each other"
    if key == "ranked_one":
        return "one ranked the other"
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
