"""Impact benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/impact.py [--sizes 1000,5000] [--repeat 20]

(a) rendering each chart (median of ``--repeat``) and its PNG size;
(b) from the database: a synthetic program of n participants in n/2 pairs with 12 prompted weeks each (every
    partner's prompt, 60 % answered), agreements, goals, retros and three metrics with weekly values, bulk-inserted
    into a fresh SQLite file (and a PostgreSQL database created and dropped for the run when
    TANDEM_TEST_DATABASE_URL is set); then the weekly release (``release.release``: every series' cell from all the
    program's contributions at once, the most it ever gathers), ``impact.kpis``, ``impact.dashboard`` (KPIs,
    metrics, attention, quotes, all read from the released cells), ``impact.export_csv`` and the digest's charts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_ms, sample_databases

START = date(2027, 1, 4)  # a Monday
NOW = datetime(2027, 4, 5, 10, 0, tzinfo=UTC)  # week 14, after 12 prompted weeks


def charts(repeat: int) -> None:
    from bot import charts as c

    print(f"(a) charts, median of {repeat}")
    mood = [(n, None if n == 3 else 3.4 + n / 10) for n in range(1, 13)]
    days = [(START + timedelta(weeks=w), 12.0 - w / 2) for w in range(12)]
    cases = {
        "funnel": lambda: c.funnel(
            [("invited", 240), ("onboarded", 220), ("matched", 218), ("active", 180)], locale="en", program="Bench"
        ),
        "mood trend (12 rounds)": lambda: c.mood_trend(mood, locale="en", program="Bench", threshold=5),
        "metric (12 values)": lambda: c.metric(
            name="Approval lead time",
            unit="days",
            values=days,
            baseline=12,
            target_low=None,
            target_high=5,
            locale="en",
            program="Bench",
        ),
    }
    for name, fn in cases.items():
        ms, chart = median_ms(fn, repeat)
        print(f"    {name:<24} {ms:7.1f} ms   {len(chart.png) / 1024:6.1f} KiB   alt text {len(chart.alt_text)} chars")


def _populate(url: str, n: int, seed: int) -> int:
    """Bulk-insert the synthetic program; returns its id."""
    from sqlalchemy import insert, select

    from bot.db import make_engine, upgrade
    from bot.models import (
        Agreement,
        Base,
        Enrollment,
        EnrollmentStatus,
        Goal,
        Metric,
        MetricValue,
        Pair,
        PairWeek,
        Participant,
        Program,
        ProgramStatus,
        Retro,
        WeekPartner,
        Workspace,
    )

    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    now = NOW
    try:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            ws = conn.execute(
                insert(Workspace).values(team_id="TBENCH", name="Bench", created_at=now).returning(Workspace.id)
            ).scalar_one()
            program = conn.execute(
                insert(Program)
                .values(
                    workspace_id=ws,
                    name="Bench",
                    status=ProgramStatus.ACTIVE,
                    start_date=START,
                    duration_weeks=16,
                    timezone="Europe/Berlin",
                    created_at=now,
                    updated_at=now,
                )
                .returning(Program.id)
            ).scalar_one()
            conn.execute(
                insert(Participant),
                [
                    {
                        "workspace_id": ws,
                        "slack_user_id": f"U{i:07d}",
                        "display_name": f"P{i}",
                        "tz": "Europe/Berlin",
                        "locale": "en",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(n)
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
            started = datetime(2027, 1, 1, 9, tzinfo=UTC)
            conn.execute(
                insert(Pair),
                [
                    {
                        "program_id": program,
                        "participant_a_id": a,
                        "participant_b_id": b,
                        "started_at": started,
                        "reasons": [],
                    }
                    for a, b in zip(ids[0::2], ids[1::2], strict=False)
                ],
            )
            pairs = conn.execute(
                select(Pair.id, Pair.participant_a_id, Pair.participant_b_id).where(Pair.program_id == program)
            ).all()
            weeks = [
                {
                    "pair_id": p.id,
                    "number": w + 1,
                    "day": START + timedelta(weeks=w),
                    "status": "closed",
                    "method": "",
                    "thread_at": datetime(2027, 1, 4, 8, tzinfo=UTC) + timedelta(weeks=w),
                    "handled_at": now,
                    "created_at": now,
                }
                for p in pairs
                for w in range(12)
            ]
            conn.execute(insert(PairWeek), weeks)
            week_ids = conn.execute(select(PairWeek.id, PairWeek.pair_id, PairWeek.thread_at)).all()
            partners = {p.id: (p.participant_a_id, p.participant_b_id) for p in pairs}
            conn.execute(
                insert(WeekPartner),
                [
                    {
                        "week_id": w.id,
                        "participant_id": person,
                        "prompt_at": w.thread_at,
                        "answered_at": w.thread_at + timedelta(hours=6) if rng.random() < 0.6 else None,
                    }
                    for w in week_ids
                    for person in partners[w.pair_id]
                ],
            )
            conn.execute(
                insert(Agreement),
                [{"pair_id": p.id, "locale": "en", "created_at": now, "agreed_at": now} for p in pairs],
            )
            conn.execute(
                insert(Goal),
                [
                    {
                        "pair_id": p.id,
                        "text": "A pilot",
                        "progress": 50,
                        "created_at": now,
                        "updated_at": now,
                        "done_at": now if rng.random() < 0.3 else None,
                    }
                    for p in pairs
                ],
            )
            conn.execute(
                insert(Retro),
                [
                    {
                        "pair_id": p.id,
                        "program_id": program,
                        "cycle": c,
                        "last_week": 4 * c,
                        "final": c == 3,
                        "locale": "en",
                        "opened_at": now,
                        "summary_at": now if rng.random() < 0.7 else None,
                    }
                    for p in pairs
                    for c in (1, 2, 3)
                ],
            )
            for name, reporter in (("Lead time", "host"), ("Ideas", "host"), ("Days to first test", "pair")):
                metric = conn.execute(
                    insert(Metric)
                    .values(
                        program_id=program,
                        name=name,
                        unit="days",
                        baseline=12,
                        target_high=5,
                        reporter=reporter,
                        created_by="UHOST",
                        created_at=now,
                    )
                    .returning(Metric.id)
                ).scalar_one()
                rows = (
                    [
                        {
                            "metric_id": metric,
                            "pair_id": None,
                            "value": 12 - w / 2,
                            "day": START + timedelta(weeks=w),
                            "logged_by": "UHOST",
                            "created_at": now,
                        }
                        for w in range(12)
                    ]
                    if reporter == "host"
                    else [
                        {
                            "metric_id": metric,
                            "pair_id": p.id,
                            "value": rng.uniform(5, 30),
                            "day": START + timedelta(weeks=rng.randrange(12)),
                            "logged_by": "U",
                            "created_at": now,
                        }
                        for p in pairs
                    ]
                )
                conn.execute(insert(MetricValue), rows)
        return program
    finally:
        engine.dispose()


def database(sizes: list[int], seed: int) -> None:
    from bot.db import make_engine, make_session_factory
    from bot.models import Program
    from bot.services import impact, release

    print("(b) from the database: the weekly release, kpis(), dashboard(), export_csv() and the digest's charts")
    with sample_databases("impact") as urls:
        for backend, url in urls:
            for n in sizes:
                t = time.perf_counter()
                program_id = _populate(url, n, seed)
                inserted = time.perf_counter() - t
                engine = make_engine(url)
                factory = make_session_factory(engine)
                with factory() as session:
                    program = session.get(Program, program_id)
                    assert program is not None
                    t = time.perf_counter()
                    cells = release.release(session, program, now=NOW)
                    t_release = time.perf_counter() - t
                    t = time.perf_counter()
                    kpis = impact.kpis(session, program, now=NOW)
                    t_kpis = time.perf_counter() - t
                    t = time.perf_counter()
                    board = impact.dashboard(session, program, now=NOW)
                    t_board = time.perf_counter() - t
                    t = time.perf_counter()
                    csv_text = impact.export_csv(board, day=NOW.date())
                    t_csv = time.perf_counter() - t
                    t = time.perf_counter()
                    drawn = impact.charts_for(board, "en")
                    t_charts = time.perf_counter() - t
                engine.dispose()
                print(
                    f"    {backend:<10} n={n:>6}: insert {inserted:5.1f} s"
                    f" | release {1000 * t_release:7.1f} ms ({len(cells)} cells) | kpis {1000 * t_kpis:7.1f} ms"
                    f" | dashboard {1000 * t_board:7.1f} ms | export {1000 * t_csv:5.1f} ms ({len(csv_text)} B)"
                    f" | {len(drawn)} charts {1000 * t_charts:6.1f} ms | prompts {kpis.prompts},"
                    f" response rate {kpis.response_rate or 0:.0%}"
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    charts(args.repeat)
    database([int(s) for s in args.sizes.split(",") if s], args.seed)


if __name__ == "__main__":
    main()
