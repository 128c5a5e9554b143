"""A generic exact maximum-weight matching of a general graph, given as row blocks of integer pair weights. It knows
nothing of people or rules: ``bot.domain.matching.pool`` hands it the pool's scores (the "both" people make that
graph non-bipartite). It finds the optimum with a certificate of optimality over every pair, in seconds for 10,000
nodes:

1. Score the graph in row blocks (``block``; the upper triangle, kept as int16 between rounds when it fits
   ``CACHE_BYTES``) and take each node's ``k`` best partners as candidate pairs.
2. Solve the *doubled* bipartite problem on the candidates with scipy's sparse assignment (LAPJVsp): left copy
   ``u_L`` to right copy ``v_R`` with the pair's weight, both ways, and ``u_L -> u_R`` at 0 ("unmatched"). Its
   optimum is a permutation of fixed points, 2-cycles (pairs) and longer cycles, and half its value is the
   optimum of the fractional matching LP ``max w.x, x(δ(v)) <= 1, x >= 0`` on the candidates.
3. Derive that LP's dual ``y`` (``y_u + y_v >= w_uv``, ``y >= 0``) from the assignment's residual graph
   (Bellman-Ford) and *price* every other pair: pairs with ``w_uv > y_u + y_v`` (and, while there are
   any, those within a small margin of it) join the candidates, and step 2 runs again. When none is left, ``y`` is
   feasible for the whole graph, so ``sum(y)`` bounds every matching (weak duality).
4. The 2-cycles and every other edge of each even cycle form a matching of weight ``sum(y)`` when there is no odd
   cycle: optimal, the dual is its certificate. Odd cycles (the LP gains a little from half-edges around them;
   it happens in real pools) are settled by Edmonds' weighted blossom algorithm, **warm-started** from that
   matching and dual, so it only has to place the one node left over per odd cycle (:class:`_Blossoms`). Its
   dual, vertex and blossom parts, is priced against the whole graph again; any pair it violates joins the
   candidates and the loop goes on. At the end the matching is optimal for the whole graph by LP duality for the
   matching polytope (Edmonds): every pair satisfies the dual, matched pairs are tight, free nodes have dual 0.

Everything is integer arithmetic (scipy's assignment works in float64, exact below 2**53).

:func:`fair` builds on :func:`solve`: the fairness floor (among near-optimal matchings with as many pairs, one
whose weakest pair is strongest), exact by bisection over the pair weights, one whole solve per step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

BLOCK_ELEMENTS = 1 << 21  # pairs scored at once (rows x columns), to bound memory
CACHE_BYTES = 256 << 20  # the solver keeps the pool's scores between rounds up to this size (about 16,000 people)


# -- the exact solver ---------------------------------------------------------------------------------------
BlockFn = Callable[[int, int, int], np.ndarray]


@dataclass
class Solution:
    pairs: list[tuple[int, int]]  # (i, j) indices, i < j, sorted
    objective: int  # sum of the weights of the pairs
    has_partner: np.ndarray  # bool per index: somebody is allowed for them
    stats: dict[str, Any]


def solve(
    n: int,
    block: BlockFn,
    *,
    offsets: np.ndarray | None = None,
    k: int = 12,
    cache_bytes: int = CACHE_BYTES,
    at_least: int | None = None,
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
            if at_least is not None and int(y2.sum()) < 2 * at_least:
                stats.update(below=True, candidate_edges=len(ei), objective=0)
                return Solution([], 0, has_partner, stats)
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


# -- the fairness floor ---------------------------------------------------------------------------------------
@dataclass
class Floor:
    pairs: list[tuple[int, int]]  # (i, j), i < j, sorted: the chosen matching
    weakest: int  # its weakest pair's s (-1 without pairs)
    objective: int  # its weight with the floor's offsets
    stats: dict[str, Any]


def fair(
    n: int,
    block: BlockFn,
    optimum: list[tuple[int, int]],
    *,
    offsets: np.ndarray | None = None,
    slack: int,
    k: int = 12,
) -> Floor:
    """The fairness floor: among the matchings with exactly as many pairs as ``optimum`` (an optimal matching of
    the same weights) whose weight ``sum(s_ij + offsets_i + offsets_j)`` is at least ``optimum``'s minus
    ``slack``, one whose weakest pair (the smallest ``s``) is strongest, and among those the heaviest.

    Exact, by bisection over the pair weights ``t`` above ``optimum``'s weakest pair: keep only pairs with
    ``s >= t`` and solve for the heaviest matching with exactly that many pairs (:func:`solve` on the pool plus
    ``n - 2 * pairs`` stand-ins, each allowed with everyone at weight 0, all weights raised by a constant that
    makes every perfect matching beat every other: a perfect matching leaves exactly the stand-ins' number of
    people without a real partner). Whether such a matching is heavy enough only gets harder as ``t`` rises, so
    the largest ``t`` that passes is the floor; the answer is that solve's matching (its weakest pair is ``t``:
    the next weight up failed). When no ``t`` above the optimum's weakest pair passes, the answer is ``optimum``."""
    off = np.zeros(n, dtype=np.int64) if offsets is None else np.asarray(offsets, dtype=np.int64)
    stats: dict[str, Any] = {"checks": 0, "slack": int(slack)}
    if not optimum:
        return Floor([], -1, 0, stats)
    dense = np.full((n, n), -1, dtype=np.int32)
    step = max(1, BLOCK_ELEMENTS // n)
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        s = np.asarray(block(r0, r1, r0), dtype=np.int32)
        dense[r0:r1, r0:] = s
        dense[r0:, r0:r1] = s.T
    np.fill_diagonal(dense, -1)
    a, b = np.array(optimum, dtype=np.int64).T
    weakest = int(dense[a, b].min())
    target = int((dense[a, b] + off[a] + off[b]).sum()) - int(slack)
    stats.update(optimum_weakest=weakest, target=target)
    values = np.unique(dense[dense > weakest])  # the candidate floors above the optimum's, ascending
    pairs = len(optimum)
    stand_ins = n - 2 * pairs
    size = n + stand_ins
    lifted = dense + off[:, None].astype(np.int32)
    lifted += off[None, :].astype(np.int32)
    lifted[dense < 0] = -1
    top = int(lifted.max(initial=0)) + 1
    big = 2 * (size // 2 + 1) * top  # more than any matching's weight: perfect matchings first

    def heaviest(t: int) -> tuple[list[tuple[int, int]], int] | None:
        """The heaviest matching with ``pairs`` pairs among those with every s >= t, and its weight; or None."""
        stats["checks"] += 1

        def extended(r0: int, r1: int, c0: int) -> np.ndarray:
            out = np.full((r1 - r0, size - c0), -1, dtype=np.int32)
            top_rows = min(r1, n) - r0
            if top_rows > 0:
                if c0 < n:
                    out[:top_rows, : n - c0] = np.where(
                        dense[r0 : r0 + top_rows, c0:] >= t, lifted[r0 : r0 + top_rows, c0:], -1
                    )
                out[:top_rows, max(n, c0) - c0 :] = 0
            if r1 > n and c0 < n:  # stand-in rows against real columns
                out[max(n, r0) - r0 :, : n - c0] = 0
            return out

        lifts = np.full(size, big // 2, dtype=np.int64)
        found = solve(size, extended, offsets=lifts, k=k, at_least=(size // 2) * big + target)
        real = [(i, j) for i, j in found.pairs if j < n]
        if len(found.pairs) * 2 < size or len(real) != pairs:
            return None
        weight = sum(int(lifted[i, j]) for i, j in real)
        return (real, weight) if weight >= target else None

    best = sorted(tuple(map(int, p)) for p in optimum)
    best_weight = target + int(slack)
    lo, hi = 0, len(values)  # values[:lo] pass (or none tried), values[hi:] fail
    while lo < hi:
        mid = (lo + hi) // 2
        got = heaviest(int(values[mid]))
        if got is None:
            hi = mid
        else:
            best, best_weight = got
            lo = mid + 1
    # The last pass was values[lo - 1] (lo only moves on a pass); nothing passed: the optimum stays.
    floor = int(min(dense[i, j] for i, j in best))
    stats.update(weakest=floor, objective=best_weight)
    return Floor(sorted(best), floor, best_weight, stats)
