"""Forget-me benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/forget.py [--pairs 500] [--weeks 12] [--calls 20000] [--backends sqlite,postgresql]
                                     [--pg-url URL] [--seed 7]

A workspace whose outbox holds ``--calls`` stored Slack calls: one program of ``--pairs`` pairs that ran ``--weeks``
weeks with everything it stores (bench/retention.py's seed: introductions, prompts, nudges, retros, pulse DMs, each
recording what it is about), topped up with other calls of the workspace to ``--calls``. Then
``bot.services.privacy.forget`` for one person of the program (their pair ends, their partner is told): its time,
and how many of the stored calls it found about them (by reference: the person, their pairs, their DMs). Then
the whole path a person triggers, for two other people of the program, as the handlers run it (a session per
request): ``/tandem forget-me`` (who they are, the question with their active pairs) and the confirm button
(``bot.flows.privacy.forget``: forget-me, the partner's notice queued, the answer, the commit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, headline, listed, pg_url_default
from bench.delivery import seed
from bench.retention import extra


def run(backend: str, url: str, *, pairs: int, weeks: int, calls: int, seed_value: int) -> None:
    from sqlalchemy import func, select

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.flows import privacy as privacy_flow
    from bot.models import OutboxMessage, Pair, Participant, Program, ProgramStatus, Workspace
    from bot.services import outbox, people, privacy

    upgrade(url)
    engine = make_engine(url)
    try:
        t = time.perf_counter()
        with engine.begin() as conn:
            ids = seed(conn, pairs=pairs, weeks_done=weeks, seed_value=seed_value, notes_per_pair=4)
            extra(conn, program=ids["program"], workspace=ids["workspace"], weeks=weeks, other=0, seed_value=seed_value)
            have = int(conn.execute(select(func.count()).select_from(OutboxMessage)).scalar_one())
        if have < calls:
            with engine.begin() as conn:
                extra_calls(conn, workspace=ids["workspace"], count=calls - have)
        seeded = time.perf_counter() - t
        factory = make_session_factory(engine)
        with factory() as session:
            stored = int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
            program = session.get(Program, ids["program"])
            assert program is not None and program.status == ProgramStatus.ACTIVE
            pair = session.scalars(select(Pair).where(Pair.program_id == program.id).order_by(Pair.id)).first()
            assert pair is not None
            person = session.get(Participant, pair.participant_a_id)
            assert person is not None
            told: list[int] = []

            def end_pair(session: Any, *, pair: Any, partner: Any, program: Any, now: Any) -> None:
                told.append(partner.id)  # the flow queues the partner's notice; its time is not forget-me's

            now = program.created_at
            by_reference = outbox.forget_people
            spent = [0.0]

            def timed(*args: Any, **kwargs: Any) -> int:
                t0 = time.perf_counter()
                try:
                    return by_reference(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - t0

            outbox.forget_people = timed  # type: ignore[assignment]
            try:
                t = time.perf_counter()
                done = privacy.forget(session, participant=person, now=now, end_pair=end_pair)
                seconds = time.perf_counter() - t
            finally:
                outbox.forget_people = by_reference  # type: ignore[assignment]
            left = int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
            others = session.scalars(select(Pair).where(Pair.program_id == program.id).order_by(Pair.id)).all()[1:3]
            team_id = session.get(Workspace, program.workspace_id).team_id  # type: ignore[union-attr]
            users = [session.get(Participant, p.participant_a_id).slack_user_id for p in others]  # type: ignore[union-attr]
        print(
            f"  {backend:10s} seeded in {seeded:5.1f} s; forget-me of one person among {stored:,} stored calls: "
            f"{seconds * 1000:7.1f} ms, of which {spent[0] * 1000:5.1f} ms finding and deleting the "
            f"{done.messages_deleted} calls about them by reference ({stored - left} fewer rows; {done.notes} notes, "
            f"{done.pairs_ended} pair ended, partner told: {bool(told)})"
        )
        # What a person triggers, as the handlers run it (a session per request): `/tandem forget-me` (who they
        # are, the question with their active pairs) and then the confirm button (the flow: forget, the partner's
        # notice queued, the answer), each in a session of its own.
        for label, user_id in zip(("first in this process", "then"), users, strict=True):
            with factory() as session:
                t = time.perf_counter()
                person = people.find_participant(session, team_id=team_id, user_id=user_id)
                assert person is not None
                question = privacy_flow.forget_question(session, participant=person)
                asked = time.perf_counter() - t
            with factory() as session:
                t = time.perf_counter()
                answer = privacy_flow.forget(session, team_id=team_id, user_id=user_id, now=now)
                clicked = time.perf_counter() - t
            with factory() as session:
                gone = people.find_participant(session, team_id=team_id, user_id=user_id) is None
            print(
                f"  {'':10s} the user's path ({label}): /tandem forget-me {asked * 1000:7.1f} ms"
                f" ({len(question.get('blocks', []))} blocks), the confirm button {clicked * 1000:7.1f} ms"
                f" ({len(answer.get('blocks', []))} blocks; the person is gone: {gone})"
            )
    finally:
        engine.dispose()


def extra_calls(conn: Any, *, workspace: int, count: int) -> None:
    """Other calls of the workspace (welcome DMs and the hosts' messages), sent, about nobody of the program."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from bot.models import OutboxMessage

    at = datetime(2027, 1, 4, tzinfo=UTC)
    rows = [
        {
            "workspace_id": workspace,
            "method": "chat.postMessage",
            "channel_key": f"U8{i % 5000:07d}",
            "payload": {},
            "dedupe_key": f"welcome:TBENCH:U8{i:07d}",
            "status": "sent",
            "attempts": 1,
            "not_before": at,
            "sent_at": at,
            "emptied_at": at,
            "result": {"ok": True, "channel": f"D8{i % 5000:07d}", "ts": f"{i}.000100"},
            "created_at": at,
        }
        for i in range(count)
    ]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(OutboxMessage), rows[start : start + 5000])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--calls", type=int, default=20_000, help="stored calls in the workspace's outbox")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=pg_url_default())
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    chosen = listed(args.backends)
    print(headline("forget-me", chosen, args.pg_url))
    print(f"one person of a program of {args.pairs} pairs and {args.weeks} weeks, {args.calls:,} stored calls")
    for name, database in backends(chosen, args.pg_url, "forget"):
        with database() as url:
            run(name, url, pairs=args.pairs, weeks=args.weeks, calls=args.calls, seed_value=args.seed)


if __name__ == "__main__":
    main()
