"""The clock's cost per stop benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/ticks.py [--database-url URL] [--rounds 20]

What a simulated clock pays at each stop (``bot.sandbox.stack.LocalStack.advance``) and what production's clock pays
each minute, on a lived-in world: the demo's database after its whole script (``tandem demo --database-url URL``; a
fresh one is made when no URL is given, which takes the demo's time). At moments spread over the demo's weeks:

- ``next_due``: every job's ``bot.jobs.NEXT_DUE`` (what the clock asks before each jump), in total and per job;
- a tick's due jobs (``bot.jobs.DUE_JOBS``), each run and rolled back, in total and per job;
- ``outbox.next_due`` and ``outbox.claim_due`` (rolled back): the worker's side.

Times are the median over the moments, in milliseconds of wall time on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine


def _demo_database() -> str:
    from bot.db import memory_dir

    folder = Path(tempfile.mkdtemp(prefix="tandem-bench-ticks-", dir=memory_dir()))
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    print(f"running the demo into {url} (once) ...", flush=True)
    command = [sys.executable, "-m", "bot.cli", "demo", "--quiet", "--database-url", url]
    subprocess.run([*command, "--transcript", str(folder / "transcript.txt")], check=True, stdout=subprocess.DEVNULL)
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="a database the demo ran on (default: run the demo once)")
    parser.add_argument("--rounds", type=int, default=20, help="moments to measure at")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from bot.db import make_engine, make_session_factory
    from bot.jobs import DUE_JOBS, NEXT_DUE
    from bot.models import ClockTick
    from bot.services import outbox

    url = args.database_url or _demo_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        first, last = s.execute(select(func.min(ClockTick.minute), func.max(ClockTick.minute))).one()
    if first is None:
        sys.exit("no clock ticks in that database: run the demo on it first")
    from datetime import UTC

    first, last = first.replace(tzinfo=UTC), last.replace(tzinfo=UTC)
    span = (last - first) / max(1, args.rounds - 1)
    moments = [first + span * k + timedelta(minutes=7) for k in range(args.rounds)]

    per_next: dict[str, list[float]] = {name: [] for name in NEXT_DUE}
    per_job: dict[str, list[float]] = {name: [] for name in DUE_JOBS}
    totals: dict[str, list[float]] = {
        "next_due (all jobs)": [],
        "tick (all jobs)": [],
        "outbox.next_due": [],
        "outbox.claim_due": [],
    }
    for when in moments:
        with factory() as s:
            start = time.perf_counter()
            for name, next_ in NEXT_DUE.items():
                t0 = time.perf_counter()
                next_(s, when)
                per_next[name].append(time.perf_counter() - t0)
            totals["next_due (all jobs)"].append(time.perf_counter() - start)
            s.rollback()
        with factory() as s:
            start = time.perf_counter()
            for name, job in DUE_JOBS.items():
                t0 = time.perf_counter()
                job(s, when)
                s.flush()
                per_job[name].append(time.perf_counter() - t0)
            totals["tick (all jobs)"].append(time.perf_counter() - start)
            s.rollback()
        with factory() as s:
            t0 = time.perf_counter()
            outbox.next_due(s, when)
            totals["outbox.next_due"].append(time.perf_counter() - t0)
            s.rollback()
        with factory() as s:
            s.commit = s.flush  # type: ignore[method-assign]  # claim, then roll the claim back
            t0 = time.perf_counter()
            outbox.claim_due(s, now=when, worker_id="bench")
            totals["outbox.claim_due"].append(time.perf_counter() - t0)
            s.rollback()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:7.2f}"

    print(f"ticks benchmark: {machine()}")
    print(f"database: {url}; {len(moments)} moments from {first:%Y-%m-%d} to {last:%Y-%m-%d}; median ms")
    for name, values in totals.items():
        print(f"  {name:32} {ms(values)}")
    print("  next_due per job:")
    for name, values in sorted(per_next.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {name:30} {ms(values)}")
    print("  due job per job (rolled back):")
    for name, values in sorted(per_job.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {name:30} {ms(values)}")


if __name__ == "__main__":
    main()
