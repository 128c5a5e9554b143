"""Matching benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/matching.py [--sizes 1000,5000,10000] [--quick] [--seed 7] [--mix 45,45,10] [--no-db]

(a) the solver alone next to networkx.max_weight_matching on the same scores (the totals must agree);
(b) time and peak memory to match synthetic pools through the domain (score + solve);
(c) end to end from the database: bulk-insert a program's participants into a fresh SQLite file (and a
    PostgreSQL database created and dropped for the run when TANDEM_TEST_DATABASE_URL is set), then
    ``bot.services.matching.propose`` (load, score, solve, store), if that service exists.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.common import sample_databases, timed
from bot.domain import matching as m
from bot.domain import orgchart
from bot.domain.interview import DIRECTNESS, LEARNING_STYLES, MODES, PACES, VALUES

REFERENCE = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # a Monday between the US and EU clock changes
ZONES = (("Europe/Berlin", 0.40), ("Europe/Lisbon", 0.20), ("America/New_York", 0.25), ("Asia/Singapore", 0.15))
DIGITAL_TOPICS = (
    "short video",
    "TikTok",
    "Instagram",
    "LinkedIn posts",
    "Canva",
    "no-code automation",
    "Notion",
    "podcasting",
    "AI prompting",
    "newsletters",
)
CONTEXT_TOPICS = (
    "stakeholder management",
    "negotiation",
    "budgeting",
    "strategy",
    "risk assessment",
    "leadership",
    "works council",
    "procurement",
    "customer escalations",
    "career planning",
)
DEPARTMENTS = (
    "Sales",
    "Marketing",
    "Finance",
    "HR",
    "Legal",
    "IT",
    "Logistics",
    "Procurement",
    "R&D",
    "Customer Service",
    "Communications",
    "Controlling",
    "Production",
    "Quality",
    "Strategy",
)
FIRST = ("Ana", "Jörg", "Mia", "Lukas", "Sofia", "Ben", "Lea", "Tiago", "Wei", "Grace", "Omar", "Emma", "Raj", "Ida")


@dataclass
class Profile:
    """One synthetic person: Participant attributes, usable as a Candidate source and as a table row."""

    id: int
    slack_user_id: str
    display_name: str
    role: str
    can_teach: list[str]
    want_to_learn: list[str]
    curiosity: list[str]
    department: str
    values: list[str]
    learning_style: str
    preferences: dict[str, str]
    tz: str
    locale: str
    hours_per_week: int
    preferred_days: list[int]
    avoid: list[str]
    manager_slack_id: str | None
    waitlisted_at: datetime | None


MIX = (45, 45, 10)  # digital, context, both (percent)


def synthetic(
    n: int, seed: int = 7, mix: tuple[int, int, int] = MIX
) -> tuple[list[Profile], set[frozenset[int]], dict[frozenset[int], str]]:
    """A realistic pool: ~45% digital, 45% context, 10% both; 4 zones, 20 topics, 15 departments; teams of
    about 8 under one manager; a few "please not" wishes, past pairs, speed-dating answers, 5% waitlisted."""
    rnd = random.Random(seed)
    people: list[Profile] = []
    for i in range(n):
        role = rnd.choices(("digital", "context", "both"), mix)[0]
        teach_from, learn_from = {
            "digital": (DIGITAL_TOPICS, CONTEXT_TOPICS),
            "context": (CONTEXT_TOPICS, DIGITAL_TOPICS),
            "both": (DIGITAL_TOPICS + CONTEXT_TOPICS, DIGITAL_TOPICS + CONTEXT_TOPICS),
        }[role]
        can_teach = rnd.sample(teach_from, rnd.randint(1, 4))
        want = rnd.sample([t for t in learn_from if t not in can_teach], rnd.randint(1, 3))
        curious = rnd.sample([t for t in learn_from if t not in can_teach], rnd.randint(0, 2))
        tz = rnd.choices([z for z, _ in ZONES], [w for _, w in ZONES])[0]
        days = [] if rnd.random() < 0.6 else sorted(rnd.sample(range(5), rnd.randint(1, 3)))
        team = i // 8
        manager = None if rnd.random() < 0.3 else (f"U{team * 8:07d}" if i % 8 else f"UMGR{team:05d}")
        people.append(
            Profile(
                id=i + 1,
                slack_user_id=f"U{i:07d}",
                display_name=f"{rnd.choice(FIRST)} {i}",
                role=role,
                can_teach=[t.lower() if rnd.random() < 0.2 else t for t in can_teach],
                want_to_learn=want,
                curiosity=curious,
                department=rnd.choice(DEPARTMENTS),
                values=rnd.sample(VALUES, rnd.randint(1, 3)),
                learning_style=rnd.choice(LEARNING_STYLES),
                preferences={
                    "mode": rnd.choices(MODES, (25, 50, 25))[0],
                    "pace": rnd.choice(PACES),
                    "directness": rnd.choice(DIRECTNESS),
                },
                tz=tz,
                locale="de" if (tz == "Europe/Berlin" and rnd.random() < 0.8) else "en",
                hours_per_week=rnd.randint(1, 5),
                preferred_days=days,
                avoid=[],
                manager_slack_id=manager,
                waitlisted_at=REFERENCE - timedelta(days=14) if rnd.random() < 0.05 else None,
            )
        )
    for p in people:
        if rnd.random() < 0.02 and n > 1:
            p.avoid = [rnd.choice(people).slack_user_id]
    past = {frozenset(rnd.sample(range(1, n + 1), 2)) for _ in range(n // 10)} if n > 1 else set()
    interest = {frozenset(rnd.sample(range(1, n + 1), 2)): rnd.choice(("yes", "maybe", "no")) for _ in range(n // 10)}
    return people, past, interest


def reporting_lines(people: list[Profile]) -> dict[str, str]:
    """Person -> manager: the teams' managers, and each manager under one of a few directors (not in the pool)."""
    lines = {p.slack_user_id: p.manager_slack_id for p in people if p.manager_slack_id}
    for manager in sorted(set(lines.values())):
        lines.setdefault(manager, f"UDIR{sum(map(ord, manager)) % 12:02d}")
    return lines


def candidates(people: list[Profile], levels: int = orgchart.LEVELS_DEFAULT) -> list[m.Candidate]:
    """The pool as matching sees it: each person's reporting chain ``levels`` up, as the service builds it from
    reporting_line (``reporting_lines``)."""
    chains = orgchart.chains(reporting_lines(people), [p.slack_user_id for p in people], levels)
    return [m.Candidate.from_participant(p, managers=chains.get(p.slack_user_id, ())) for p in people]


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    """Wall time and the peak of Python allocations (tracemalloc, which includes numpy arrays)."""
    out: dict[str, float] = {}
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - start
        out["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


# -- (a) --------------------------------------------------------------------------------------------------
def compare_with_networkx(n: int, seed: int) -> None:
    import networkx as nx

    people, past, interest = synthetic(n, seed)
    pool = sorted(candidates(people), key=lambda c: c.id)
    encoded = m._Pool(pool, weights=m.Weights(), reference=REFERENCE, past_pairs=past, interest=interest)
    scores = encoded.block(0, n, 0).astype(np.int64)
    offsets = encoded.priority * encoded.waitlisted  # the waitlist priority, as match() adds it
    matrix = np.where(scores >= 0, scores + offsets[:, None] + offsets[None, :], -1)
    edges = int((matrix[np.triu_indices(n, 1)] >= 0).sum())
    solution, ours = timed(lambda: m.solve_dense(matrix))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(
        (i, j, int(matrix[i, j])) for i in range(n) for j in range(i + 1, n) if matrix[i, j] >= 0
    )
    pairs, theirs = timed(lambda: nx.max_weight_matching(graph))
    reference_total = sum(int(matrix[a, b]) for a, b in pairs)
    print(f"(a) solver vs networkx.max_weight_matching, {n} participants, {edges} allowed pairs (centipoints)")
    print(f"    ours:     objective {solution.objective} in {ours:.3f} s ({len(solution.pairs)} pairs)")
    print(f"    networkx: objective {reference_total} in {theirs:.3f} s ({len(pairs)} pairs)")
    print(f"    agree: {solution.objective == reference_total}   solver: {solution.stats}")


# -- (b) --------------------------------------------------------------------------------------------------
def domain(sizes: list[int], seed: int, mix: tuple[int, int, int] = MIX) -> None:
    print(f"(b) through the domain: Candidates -> match() (score + solve); roles digital/context/both {mix} %")
    for n in sizes:
        people, past, interest = synthetic(n, seed, mix)
        pool = candidates(people)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with measured() as cost:  # peak memory (tracemalloc slows it down: the time comes from a second run)
            traced = m.match(pool, reference=REFERENCE, past_pairs=past, interest=interest)
        start = time.perf_counter()
        result = m.match(pool, reference=REFERENCE, past_pairs=past, interest=interest)
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        solver = result.stats["solver"]
        waitlisted = result.stats["waitlisted_matched"] + result.stats["waitlisted_unmatched"]
        t = result.timings
        rest = t["total"] - t["solve"] - t["encode"] - t.get("floor", 0.0)
        print(
            f"    n={n:>6}: {seconds:6.2f} s (encode {t['encode']:.2f} s, solve {t['solve']:.2f} s,"
            f" fairness floor {t.get('floor', 0.0):.2f} s, pairs and reasons {rest:.2f} s);"
            f" peak {cost['peak_mib']:.1f} MiB traced,"
            f" max RSS {rss / 1024:.1f} MiB (before: {rss_before / 1024:.1f})"
        )
        print(
            f"             {len(result.pairs)} pairs, {len(result.unmatched)} unmatched {_reasons(result)},"
            f" total {result.total:.2f}, median {result.distribution.median},"
            f" waitlisted matched {result.stats['waitlisted_matched']}/{waitlisted}, same as traced run:"
            f" {traced == result}"
        )
        print(
            f"             solver: rounds {solver['rounds']}, candidate pairs {solver['candidate_edges']},"
            f" odd cycles {solver['odd_cycles']}, blossom stages {solver['blossom_stages']},"
            f" certificate {solver['certificate']}, objective {solver['objective']}"
            f" <= upper bound {solver['upper_bound']:.1f}"
        )
        floor = result.stats["floor"]
        if floor.get("applied"):
            print(
                f"             fairness floor ({floor['margin']} %): weakest pair {floor['optimum_weakest']} ->"
                f" {floor['weakest']}, total {floor['optimum_total']:.2f} -> {floor['total']:.2f},"
                f" {floor['checks']} checks"
            )
        elif floor.get("too_large"):
            print(f"             fairness floor: not sought above {floor['too_large']} people")


def _reasons(result: m.MatchResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for u in result.unmatched:
        counts[u.reason] = counts.get(u.reason, 0) + 1
    return counts


# -- (d) --------------------------------------------------------------------------------------------------
def speed_dating(sizes: list[int], seed: int) -> None:
    """Choosing the speed-dating intros: three successive optimal matchings (bot.domain.speed.intros)."""
    from collections import Counter

    from bot.domain import speed

    print(f"(d) speed-dating intros: {speed.INTROS} successive optimal matchings, each person at most {speed.INTROS}")
    for n in sizes:
        people, past, _interest = synthetic(n, seed)
        pool = candidates(people)
        chosen, seconds = timed(lambda pool=pool, past=past: speed.intros(pool, reference=REFERENCE, past_pairs=past))
        per = Counter(i.viewer for i in chosen)
        spread = Counter(per[c.id] for c in pool)
        print(
            f"    n={n:>6}: {seconds:6.2f} s, {len(chosen)} intros; people by number of intros"
            f" {dict(sorted(spread.items()))}"
        )


# -- (c) --------------------------------------------------------------------------------------------------
def database(sizes: list[int], seed: int) -> None:
    try:
        from bot.services import matching as service
    except ImportError as exc:
        print(f"(c) skipped: bot.services.matching is not there yet ({exc})")
        return
    if not hasattr(service, "propose"):
        print("(c) skipped: bot.services.matching.propose is not there yet")
        return
    print("(c) end to end: bulk insert, then propose() = load, score, solve, store")
    with sample_databases("matching") as urls:
        for backend, url in urls:
            for n in sizes:
                _end_to_end(service, backend, url, n, seed)


def _end_to_end(service: Any, backend: str, url: str, n: int, seed: int) -> None:
    from sqlalchemy import delete, func, insert, select

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.models import (
        Base,
        Enrollment,
        EnrollmentStatus,
        MatchProposal,
        Participant,
        Program,
        ProgramStatus,
        ReportingLine,
        Workspace,
    )

    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # a clean slate for each size
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        people, _, _ = synthetic(n, seed)
        now = REFERENCE
        start = time.perf_counter()
        with engine.begin() as conn:
            ws = conn.execute(
                insert(Workspace).values(team_id="TBENCH", name="Bench", created_at=now).returning(Workspace.id)
            ).scalar_one()
            program = conn.execute(
                insert(Program)
                .values(
                    workspace_id=ws,
                    name=f"Bench {n}",
                    status=ProgramStatus.ACTIVE,
                    created_at=now,
                    updated_at=now,
                )
                .returning(Program.id)
            ).scalar_one()
            rows = []
            for p in people:
                row = {k: v for k, v in p.__dict__.items() if k not in ("id", "manager_slack_id")}
                rows.append({**row, "workspace_id": ws, "consented_at": now, "created_at": now, "updated_at": now})
            conn.execute(insert(Participant), rows)
            conn.execute(
                insert(ReportingLine),
                [
                    {
                        "workspace_id": ws,
                        "person_slack_id": a,
                        "manager_slack_id": b,
                        "source": "orgchart",
                        "created_at": now,
                    }
                    for a, b in reporting_lines(people).items()
                ],
            )
            ids = conn.execute(select(Participant.id).where(Participant.workspace_id == ws)).scalars().all()
            conn.execute(
                insert(Enrollment),
                [
                    {
                        "program_id": program,
                        "participant_id": pid,
                        "status": EnrollmentStatus.ONBOARDED,
                        "invited_at": now,
                        "last_activity_at": now,
                        "completed_at": now,
                    }
                    for pid in ids
                ],
            )
        inserted = time.perf_counter() - start
        factory = make_session_factory(engine)
        with factory() as session:
            prog = session.get(Program, program)
            gc.collect()
            start = time.perf_counter()
            round_ = service.propose(session, program=prog, created_by="UBENCH", now=now)
            seconds = time.perf_counter() - start
            stored = session.scalar(select(func.count()).where(MatchProposal.round_id == round_.id))
            stats = round_.stats
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"    {backend:<10} n={n:>6}: insert {inserted:5.2f} s, propose {seconds:6.2f} s (max RSS so far"
            f" {rss:.0f} MiB), {stored} proposals stored, pairs {stats.get('pairs')}, total {stats.get('total')}"
        )
        with engine.begin() as conn:
            conn.execute(delete(Workspace))
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000", help="pool sizes for (b) and (c), comma-separated")
    parser.add_argument("--quick", action="store_true", help="small sizes only (200,1000), for a smoke run")
    parser.add_argument("--compare", type=int, default=200, help="pool size for (a)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-db", action="store_true", help="skip (c)")
    parser.add_argument("--mix", default="45,45,10", help="percent digital,context,both for (b)")
    args = parser.parse_args(argv)
    sizes = [200, 1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"matching benchmark, {os.cpu_count()} cores, numpy {np.__version__}, python {sys.version.split()[0]}")
    compare_with_networkx(args.compare, args.seed)
    mix = tuple(int(x) for x in args.mix.split(","))
    assert len(mix) == 3, "--mix needs three numbers"
    domain(sizes, args.seed, mix)  # type: ignore[arg-type]
    speed_dating(sizes, args.seed)
    if not args.no_db:
        database(sizes, args.seed)


if __name__ == "__main__":
    main()
