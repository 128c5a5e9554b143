"""The fairness floor and rankings in matching, pure: against brute force on small graphs and pools."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import matching as m
from bot.domain import speed
from bot.domain.matching import Weights
from bot.domain.matching.solver import fair, solve
from tests.helpers import REF, person, pools


def _matchings(n: int, allowed: dict[tuple[int, int], int]) -> Iterator[list[tuple[int, int]]]:
    def rec(free: list[int]) -> Iterator[list[tuple[int, int]]]:
        if not free:
            yield []
            return
        i, rest = free[0], free[1:]
        yield from rec(rest)
        for j in rest:
            if (i, j) in allowed:
                for more in rec([x for x in rest if x != j]):
                    yield [(i, j), *more]

    yield from rec(list(range(n)))


def _expected(
    n: int, s: dict[tuple[int, int], int], off: list[int], optimum: list[tuple[int, int]], slack: int
) -> tuple[int, int]:
    """(weakest s, weight) of the best matching by the floor's definition, by enumeration."""
    weight = lambda ms: sum(s[p] + off[p[0]] + off[p[1]] for p in ms)  # noqa: E731
    target = weight(optimum) - slack
    keys = [
        (min(s[p] for p in ms), weight(ms))
        for ms in _matchings(n, s)
        if len(ms) == len(optimum) and weight(ms) >= target
    ]
    return max(keys)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fair_is_the_strongest_weakest_pair_within_the_slack(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 9))
    s: dict[tuple[int, int], int] = {}
    matrix = np.full((n, n), -1, dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            if data.draw(st.booleans()) or data.draw(st.booleans()):
                s[i, j] = matrix[i, j] = matrix[j, i] = data.draw(st.integers(0, 20))
    off = [data.draw(st.sampled_from((0, 0, 30))) for _ in range(n)]
    block = lambda r0, r1, c0: matrix[r0:r1, c0:]  # noqa: E731
    optimum = solve(n, block, offsets=np.array(off)).pairs
    slack = data.draw(st.integers(0, 40))
    floor = fair(n, block, optimum, offsets=np.array(off), slack=slack)
    assert len(floor.pairs) == len(optimum)
    assert all((i, j) in s for i, j in floor.pairs)
    if not optimum:
        return
    weakest, weight = _expected(n, s, off, optimum, slack)
    assert floor.weakest == weakest
    if weakest > min(s[p] for p in optimum):  # the floor rose: the heaviest matching at it
        assert floor.objective == weight
    else:  # it could not: the optimum stays as it was
        assert sorted(floor.pairs) == sorted(optimum)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=9), st.sampled_from((1.0, 5.0, 10.0)))
def test_match_lifts_the_weakest_pair_within_the_margin(pool: dict[str, object], margin: float) -> None:
    weights = replace(pool["weights"], fairness_margin=margin)  # type: ignore[type-var]
    kwargs = {k: pool[k] for k in ("past_pairs", "interest", "reference", "ranks")} | {"weights": weights}
    people = sorted(pool["people"], key=lambda c: c.id)  # type: ignore[arg-type]
    result = m.match(people, **kwargs)  # type: ignore[arg-type]
    optimum = m.match(people, **(kwargs | {"weights": replace(weights, fairness_margin=0)}))  # type: ignore[arg-type]
    index = {c.id: i for i, c in enumerate(people)}
    s = {}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            scored = m.score(a, b, **kwargs)  # type: ignore[arg-type]
            if scored is not None:
                s[index[a.id], index[b.id]] = round(scored.total * 100)
    pairs = lambda r: [(index[p.a.id], index[p.b.id]) for p in r.pairs]  # noqa: E731
    floor = result.stats["floor"]
    assert round(floor["optimum_total"] * 100) == sum(s[p] for p in pairs(optimum))
    if len(optimum.pairs) < 2:
        assert result.pairs == optimum.pairs
        return
    slack = math.floor(sum(s[p] for p in pairs(optimum)) * margin / 100)
    priority = slack + round(m.priority_bonus(weights) * 100) + 1
    off = [priority * c.waitlisted for c in people]
    weakest, _weight = _expected(len(people), s, off, pairs(optimum), slack)
    assert round(floor["weakest"] * 100) == weakest == min(s[p] for p in pairs(result))
    assert len(result.pairs) == len(optimum.pairs)
    assert sum(c.waitlisted for p in result.pairs for c in (p.a, p.b)) >= sum(
        c.waitlisted for p in optimum.pairs for c in (p.a, p.b)
    )
    assert result.total >= optimum.total * (1 - margin / 100) - 1e-9


def test_a_weak_pair_is_lifted_at_a_small_cost() -> None:
    """Four people: the optimum pairs a strong and a weak pair (1000 + 100); pairing two middling ones (545 + 545)
    costs 10 of 1100; within a slack of 10 the floor takes it, with 9 it keeps the optimum."""
    matrix = np.array([[-1, 1000, 545, -1], [1000, -1, -1, 545], [545, -1, -1, 100], [-1, 545, 100, -1]])
    block = lambda r0, r1, c0: matrix[r0:r1, c0:]  # noqa: E731
    optimum = solve(4, block).pairs
    assert optimum == [(0, 1), (2, 3)]
    lifted = fair(4, block, optimum, slack=10)
    assert (lifted.pairs, lifted.weakest, lifted.objective) == ([(0, 2), (1, 3)], 545, 1090)
    kept = fair(4, block, optimum, slack=9)
    assert (kept.pairs, kept.weakest) == (optimum, 100)


def test_ranking_points_mutual_strong_one_sided_weak_and_by_rank() -> None:
    w = Weights()
    assert m.rank_centi(w, 1, 1) == ("ranked_both", 600)
    assert m.rank_centi(w, 3, 3) == ("ranked_both", 200)
    assert m.rank_centi(w, 1, None) == ("ranked_one", 200)
    assert m.rank_centi(w, None, 3) == ("ranked_one", 66)
    assert m.rank_centi(w, None, None) is None
    assert m.rank_centi(w, 1, 3)[1] > m.rank_centi(w, 1, None)[1]  # mutual beats one-sided  # type: ignore[index]


def test_mutual_first_ranks_pair_people_the_scores_alone_would_not() -> None:
    a, b = person(1, "digital", can_teach=("tiktok",)), person(2, "context", want_to_learn=("tiktok",))
    c, d = person(3, "digital"), person(4, "context")
    plain = m.match([a, b, c, d], reference=REF)
    assert {frozenset((p.a.id, p.b.id)) for p in plain.pairs} == {frozenset((1, 2)), frozenset((3, 4))}
    ranked = m.match([a, b, c, d], reference=REF, ranks={(1, 4): 1, (4, 1): 1, (2, 3): 1, (3, 2): 1})
    assert {frozenset((p.a.id, p.b.id)) for p in ranked.pairs} == {frozenset((1, 4)), frozenset((2, 3))}
    assert "ranked_both" in {r.key for p in ranked.pairs for r in p.scored.reasons}
    one_sided = m.match([a, b, c, d], reference=REF, ranks={(1, 4): 1})  # weaker: 5 + 3 < 6 + 3
    assert {frozenset((p.a.id, p.b.id)) for p in one_sided.pairs} == {frozenset((1, 2)), frozenset((3, 4))}


def test_each_rank_is_held_once_and_the_same_rank_again_takes_it_back() -> None:
    card = {10: None, 11: None, 12: None}
    card = speed.reranked(card, 10, 1)
    assert card == {10: 1, 11: None, 12: None}
    card = speed.reranked(card, 11, 1)  # the first choice moves; 10 gives it up
    assert card == {10: None, 11: 1, 12: None}
    card = speed.reranked(speed.reranked(card, 12, 2), 12, 3)  # a new rank replaces the intro's old one
    assert card == {10: None, 11: 1, 12: 3}
    assert speed.reranked(card, 11, 1) == {10: None, 11: None, 12: 3}  # the same again: taken back


def test_rank_map_keeps_ranks_only_and_a_no_wins() -> None:
    rows = [(1, 2, 1, None), (2, 1, 2, "yes"), (3, 4, 1, "no"), (4, 3, None, None), (5, 6, 7, None)]
    assert speed.rank_map(rows) == {(1, 2): 1, (2, 1): 2}


def test_weights_typed_by_hosts_are_checked_and_only_changes_stored() -> None:
    assert m.parse_weights({"topics": "4,5", "base": "", "fairness_margin": "1"}) == ({"topics": 4.5}, {})
    assert m.parse_weights({"topics": "x", "values": "11", "overlap": "-1", "fields": "nan"}) == (
        None,
        {"topics": "number", "values": "range", "overlap": "range", "fields": "number"},
    )
    assert m.changed_weights(Weights.from_overrides({"topics": 4.5, "fairness_margin": 0})) == [
        "topics",
        "fairness_margin",
    ]
