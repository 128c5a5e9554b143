"""The daily look for people who never joined a program: prints numbers, asserts no time.

    .venv/bin/python bench/people.py [--people 10000] [--calls 20000] [--backends sqlite,postgresql] [--pg-url URL]

One workspace, one running program and ``--people`` people in it: half onboarded, a quarter who said "Not now" 40 days
ago (due to be forgotten), a quarter invited 10 days ago and not answered yet (kept); each with the stored invitation
DM, plus ``--calls`` more stored calls to the admin channel. Bulk-inserted into a fresh SQLite file and into a
PostgreSQL database created for the run and dropped after. Then ``bot.services.retention.people_due`` (the clock's
``retention.people`` job) at 03:30 UTC: the first day (a quarter of the people forgotten), and the next day (nobody
due: what the job costs every day).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, headline, listed, pg_url_default

NOW = datetime(2027, 3, 15, 3, 30, tzinfo=UTC)


def seed(conn: Any, *, people: int, calls: int) -> None:
    from sqlalchemy import insert

    from bot.models import Enrollment, EnrollmentStatus, OutboxMessage, Participant, Program, Workspace

    long_ago = NOW - timedelta(days=100)
    workspace = conn.execute(
        insert(Workspace).values(team_id="T0BENCH", admin_channel_id="C0ADMIN", created_at=long_ago)
    ).inserted_primary_key[0]
    program = conn.execute(
        insert(Program).values(
            workspace_id=workspace,
            name="Bench",
            status="active",
            start_date=date(2027, 2, 1),
            created_at=long_ago,
            updated_at=long_ago,
        )
    ).inserted_primary_key[0]
    kinds = []
    for i in range(people):
        if i % 4 in (0, 1):
            kinds.append((EnrollmentStatus.ONBOARDED, long_ago))
        elif i % 4 == 2:
            kinds.append((EnrollmentStatus.DECLINED, NOW - timedelta(days=40)))
        else:
            kinds.append((EnrollmentStatus.INVITED, NOW - timedelta(days=10)))
    conn.execute(
        insert(Participant),
        [
            {
                "workspace_id": workspace,
                "slack_user_id": f"U{i:08d}",
                "display_name": f"Person {i}",
                "created_at": at,
                "updated_at": at,
            }
            for i, (_, at) in enumerate(kinds)
        ],
    )
    ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM participant ORDER BY id")]
    conn.execute(
        insert(Enrollment),
        [
            {
                "program_id": program,
                "participant_id": pid,
                "status": status,
                "source": "list",
                "invited_at": at,
                "responded_at": None if status == EnrollmentStatus.INVITED else at,
                "completed_at": at if status == EnrollmentStatus.ONBOARDED else None,
                "last_activity_at": at,
                "reminders_sent": 2,
                "step_message": {},
            }
            for pid, (status, at) in zip(ids, kinds, strict=True)
        ],
    )
    rows = [
        {
            "workspace_id": workspace,
            "method": "chat.postMessage",
            "channel_key": f"U{i:08d}",
            "payload": {"channel": f"U{i:08d}", "text": f"Hi Person {i}, you're invited to Bench"},
            "dedupe_key": f"invite:{i + 1}",
            "status": "sent",
            "attempts": 1,
            "not_before": at,
            "sent_at": at,
            "result": {"channel": f"D{i:08d}", "ts": f"{i}.000100"},
            "created_at": at,
        }
        for i, (_, at) in enumerate(kinds)
    ]
    rows += [
        {
            "workspace_id": workspace,
            "method": "chat.postMessage",
            "channel_key": "C0ADMIN",
            "payload": {"channel": "C0ADMIN", "text": f"digest {i}"},
            "dedupe_key": f"digest:{program}:{i}",
            "status": "sent",
            "attempts": 1,
            "not_before": long_ago,
            "sent_at": long_ago,
            "result": {"channel": "C0ADMIN", "ts": f"{i}.000200"},
            "created_at": long_ago,
        }
        for i in range(calls)
    ]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(OutboxMessage), rows[start : start + 5000])


def run(backend: str, url: str, people: int, calls: int) -> None:
    from sqlalchemy import func, select

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.models import Participant
    from bot.services import retention

    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            seed(conn, people=people, calls=calls)
        seeded = time.perf_counter() - started
        factory = make_session_factory(engine)
        with factory() as session:
            started = time.perf_counter()
            forgotten = retention.people_due(session, NOW)
            session.commit()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = retention.people_due(session, NOW + timedelta(days=1))
            session.commit()
            second = time.perf_counter() - started
            left = session.scalar(
                select(func.count()).select_from(Participant).where(~Participant.slack_user_id.startswith("forgotten-"))
            )
        print(
            f"{backend}: {people} people, {calls} other stored calls (seeded in {seeded:.1f} s)\n"
            f"  day 1: {forgotten} forgotten in {first:.2f} s\n"
            f"  day 2: {again} forgotten in {second:.3f} s (the daily cost when nobody is due)\n"
            f"  people still stored: {left}"
        )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=pg_url_default())
    args = parser.parse_args(argv)
    chosen = listed(args.backends)
    print(headline("people", chosen, args.pg_url))
    for backend, database in backends(chosen, args.pg_url, "people"):
        with database() as url:
            run(backend, url, args.people, args.calls)


if __name__ == "__main__":
    main()
