"""The whole pool at once: its scores as numpy blocks (:class:`_Pool`, the same points as the per-pair
:func:`~bot.domain.matching.rules.score`, in centipoints), and :func:`match`, which hands them to the generic solver
(``bot.domain.matching.solver``). The rules themselves are in ``bot.domain.matching.rules``.

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

**The fairness floor** (``Weights.fairness_margin``, percent, default 1; 0 turns it off): the optimum may leave a
weak pair where a nearly-as-good matching would not. Among the matchings with exactly as many pairs as the optimum
whose pair total is at most the margin below the optimum's, ``match`` takes one whose weakest pair is strongest,
and among those the one with the best total (``bot.domain.matching.solver.fair``: exact, by bisection over the
pair scores). A waitlisted person is worth more than the whole margin there, so the floor never matches fewer of
them than the optimum. When no floor above the optimum's weakest pair fits the margin, the optimum stays. Pools
above ``FLOOR_POOL_MAX`` keep the optimum (each check is a whole solve); ``stats["floor"]`` says what happened.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse

from bot.domain.interview import DIRECTNESS, LEARNING_STYLES, MODES, PACES, VALUES
from bot.domain.matching.rules import (
    EXCLUDED_KINDS,
    INTEREST_LEVELS,
    NO_COMPATIBLE_PARTNER,
    ODD_ONE_OUT,
    OVERLAP_FULL_HOURS,
    PARTNERS_TAKEN,
    PRIVATE,
    ROLE_PARTNERS,
    SLOT_MINUTES,
    TOPIC_CAP,
    UNEQUAL_SIDES,
    VALUES_CAP,
    Candidate,
    MatchedPair,
    MatchResult,
    Unmatched,
    Weights,
    _curious_keys,
    _days,
    _department_key,
    _max_centi,
    _min_slots,
    _scale_half,
    _scored,
    _style_half,
    _topic_keys,
    _violations,
    _week_mask,
    distribution_of,
    max_score,
    rank_centi,
    rank_of,
    reference_monday,
)
from bot.domain.matching.solver import Solution, fair, solve

# -- the whole pool at once (numpy) -------------------------------------------------------------------------
FORBID = -(1 << 28)  # in the lookup tables; two of them still fit an int32
ROLE_CODES = {"digital": 0, "context": 1, "both": 2}  # anything else: 3
# shared values counted (up to the cap) for every intersection of two value sets as a bit mask; built once, not per pool
_SHARED_VALUES = np.minimum(np.array([int(x).bit_count() for x in range(1 << len(VALUES))]), VALUES_CAP)


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
        ranks: Mapping[tuple[int, int], int] | None = None,
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
        self.values_table = (w.centi("values") * _SHARED_VALUES[value_sets[:, None] & value_sets[None, :]]).astype(
            np.int32
        )

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
                for key in ((i, j), (j, i)):  # bonuses add up; a forbidden pair stays forbidden
                    old = adjust.get(key, 0)
                    adjust[key] = FORBID if value == FORBID or old == FORBID else old + value
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
        rank_pairs = {frozenset((v, c)) for v, c in (ranks or {}) if v != c}
        for pair in sorted(rank_pairs, key=sorted):
            x, y = sorted(pair)
            ranking = rank_centi(w, *rank_of(ranks or {}, x, y))
            if ranking is not None and x in index and y in index and ranking[1] > 0:
                put(index[x], index[y], ranking[1])
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
    ranks: Mapping[tuple[int, int], int] | None = None,
) -> MatchResult:
    """The best pairs for the whole pool (module docstring). ``locked``: participant-id pairs a host fixed;
    ``ranks``: ``{(viewer, candidate): 1..3}`` from speed dating (``rules.rank_centi``)."""
    clock = _time.perf_counter
    started = clock()
    weights = weights or Weights()
    interest = dict(interest or {})
    ranks = dict(ranks or {})
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
        scored = _scored(a, b, weights, monday, interest, ranks)
        pairs.append(MatchedPair(a, b, scored, locked=True, violations=violations))
    pool = [c for c in people if c.id not in taken]

    encoded = _Pool(pool, weights=weights, reference=reference, past_pairs=past, interest=interest, ranks=ranks)
    encoded_at = clock()
    solution = solve(len(pool), encoded.block, offsets=encoded.priority * encoded.waitlisted, k=k)
    solved_at = clock()
    chosen, objective, floor_stats = _fairness_floor(encoded, solution, weights, k=k)
    floored_at = clock()
    for i, j in chosen:
        a, b = pool[i], pool[j]
        scored = _scored(a, b, weights, monday, interest, ranks)
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
        "locked": len(pairs) - len(chosen),
        "pairs": len(pairs),
        "unmatched": len(unmatched),
        "total": total,
        "waitlisted_matched": wl_matched,
        "waitlisted_unmatched": sum(u.candidate.waitlisted for u in unmatched),
        "distribution": distribution.as_dict(),
        "solver": dict(solution.stats),  # rounds, candidate pairs, odd cycles, certificate, objective, bound
        "excluded": encoded.excluded_pairs(),  # pairs of the (unlocked) pool the rules rule out, by kind: counts only
        "floor": floor_stats,  # the fairness floor: margin, the optimum's and the result's weakest pair, totals
    }
    free_total = sum(round(p.scored.total * 100) for p in pairs if not p.locked)
    if objective != free_total + floor_stats.get("priority", encoded.priority) * wl_matched:
        raise AssertionError("vectorised and per-pair scores disagree")  # a bug, never a data problem
    timings = {
        "encode": encoded_at - started,
        "solve": solved_at - encoded_at,
        "floor": floored_at - solved_at,
        "total": clock() - started,
    }
    return MatchResult(tuple(pairs), unmatched, total, distribution, stats, timings)


FLOOR_POOL_MAX = 1000  # larger pools keep the optimum: each check of the floor is a whole solve of the pool


def _fairness_floor(
    encoded: _Pool, solution: Solution, weights: Weights, *, k: int
) -> tuple[list[tuple[int, int]], int, dict[str, Any]]:
    """The fairness floor (module docstring): the pairs to keep (pool indices), their objective (pair scores
    plus the waitlist priority the objective used) and the facts for ``MatchResult.stats["floor"]``: the margin,
    whether the floor was sought, the optimum's and the result's weakest pair and total (points)."""
    margin = weights.fairness_margin
    optimum = solution.pairs
    waiting = encoded.waitlisted
    total = solution.objective - encoded.priority * sum(int(waiting[i] + waiting[j]) for i, j in optimum)
    facts: dict[str, Any] = {"margin": margin, "applied": False, "optimum_total": total / 100, "total": total / 100}
    if margin <= 0 or len(optimum) < 2:
        return optimum, solution.objective, facts
    if encoded.n > FLOOR_POOL_MAX:
        facts["too_large"] = FLOOR_POOL_MAX
        return optimum, solution.objective, facts
    slack = math.floor(total * margin / 100)
    # a waitlisted person counts more than the whole margin here, so the floor never costs one their place
    priority = slack + encoded.priority + 1
    floor = fair(encoded.n, encoded.block, optimum, offsets=priority * waiting, slack=slack, k=k)
    weakest = floor.stats["optimum_weakest"] / 100
    facts.update(applied=True, checks=floor.stats["checks"], optimum_weakest=weakest, weakest=weakest)
    if floor.pairs == sorted(optimum):
        return optimum, solution.objective, facts
    kept = floor.objective - priority * sum(int(waiting[i] + waiting[j]) for i, j in floor.pairs)
    facts.update(weakest=floor.weakest / 100, total=kept / 100, priority=priority)
    return floor.pairs, floor.objective, facts


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
