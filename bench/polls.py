"""Pulse benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/polls.py [--answers 1000,10000] [--submits 200] [--backends sqlite,postgresql]
                                    [--pg-url URL] [--seed 7]

For each size N of ``--answers``: one program of N people in active pairs (bench/delivery.py's seed, no weeks yet),
bulk-inserted into a fresh SQLite file and into a PostgreSQL database created for the run and dropped after. The
clock opens pulse round 1 (``ticks.tick`` with the ``polls.due`` job: N receipts and N pulse DMs); then everyone
answers: N - ``--submits`` sealed ballots are bulk-inserted as ``polls.submit`` would write them (each sealed with
``polls.seal_ballot``, comments of random length up to the maximum), and the last ``--submits`` people answer one by
one through ``polls.submit`` (one transaction each, as the pulse modal does): the time of one submit. Then the
clock's tick at the round's close: opening N ballots, shuffling them, writing N responses and deleting the ballots
(one transaction), and the results message: its time, and apart the CPU of opening N ballots alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, headline, listed, pct, pg_url_default
from bench.delivery import seed

OPENS = datetime(2027, 2, 15, 8, 0, tzinfo=UTC)  # two weeks after PROGRAM_START, 09:00 in Berlin
CLOSES = datetime(2027, 2, 20, 8, 0, tzinfo=UTC)
WORDS = ("the", "pairing", "works", "well", "but", "we", "need", "more", "time", "for", "video", "less", "status")


def _comment(rng: random.Random, most: int) -> str | None:
    """None for a third of the answers; else a comment of random length, some of them the longest allowed."""
    if rng.random() < 1 / 3:
        return None
    if rng.random() < 0.05:
        return "ü" * most
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60)))
    return text[:most]


def pulse_round(backend: str, url: str, answers: int, submits: int, seed_value: int) -> None:
    from sqlalchemy import func, insert, select, update

    from bot import crypto
    from bot.db import make_engine, make_session_factory, upgrade
    from bot.domain import polls as rules
    from bot.jobs import DUE_JOBS
    from bot.models import Participant, PollBallot, PollReceipt, PollResponse, PollRound
    from bot.services import polls, ticks

    rng = random.Random(seed_value)
    ring = crypto.keyring()
    job = {"polls.due": DUE_JOBS["polls.due"]}
    upgrade(url)
    engine = make_engine(url)
    try:
        t = time.perf_counter()
        with engine.begin() as conn:
            seed(conn, pairs=answers // 2, weeks_done=0, seed_value=seed_value)
        seeded = time.perf_counter() - t
        factory = make_session_factory(engine)
        with factory() as session:
            t = time.perf_counter()
            ticks.tick(session, now=OPENS, jobs=job)
            opened = time.perf_counter() - t
        with factory() as session:
            poll = session.scalars(select(PollRound)).one()
            asked = list(session.scalars(select(PollReceipt.participant_id).where(PollReceipt.round_id == poll.id)))
            questions = list(poll.questions or [])
        rng.shuffle(asked)
        bulk, one_by_one = asked[: len(asked) - submits], asked[len(asked) - submits :]

        def pulse() -> rules.Pulse:
            return rules.Pulse(
                mood=rng.randint(1, 5),
                answers={q: rng.randint(1, 5) for q in questions},
                comment=_comment(rng, rules.COMMENT_MAX),
            )

        t = time.perf_counter()
        rows = [
            {"id": polls.new_key(), "round_id": poll.id, "sealed": polls.seal_ballot(ring, round_id=poll.id, pulse=p)}
            for p in (pulse() for _ in bulk)
        ]
        sealing = time.perf_counter() - t
        with factory() as session, session.begin():
            for start in range(0, len(rows), 1000):
                session.execute(insert(PollBallot.__table__), rows[start : start + 1000])
            session.execute(
                update(PollReceipt.__table__)
                .where(PollReceipt.round_id == poll.id, PollReceipt.participant_id.in_(bulk))
                .values(answered=True)
            )
        times = []
        at = OPENS.replace(hour=12)
        for pid in one_by_one:
            answer = pulse()
            with factory() as session:
                person = session.get(Participant, pid)
                t = time.perf_counter()
                result = polls.submit(session, participant=person, round_id=poll.id, pulse=answer, now=at)
                times.append(time.perf_counter() - t)
            assert result == polls.SAVED, result
        with factory() as session:
            sealed = list(session.scalars(select(PollBallot.sealed)))
        cpu = time.process_time()
        for ballot in sealed:
            polls.open_ballot(ring, ballot, round_id=poll.id)
        opening = time.process_time() - cpu
        with factory() as session:
            cpu, t = time.process_time(), time.perf_counter()
            summary = ticks.tick(session, now=CLOSES, jobs=job)
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        with factory() as session:
            responses = session.scalar(select(func.count()).select_from(PollResponse))
            left = session.scalar(select(func.count()).select_from(PollBallot))
        ms = sorted(x * 1000 for x in times)
        p99 = pct(ms, 0.99)
        print(
            f"    {backend:<10} {answers:>6} answers: seed {seeded:5.1f} s, open the round {opened:5.2f} s,"
            f" seal {len(rows)} ballots {sealing:5.2f} s (not counted)"
        )
        print(
            f"               one submit (receipt + sealed ballot, one transaction; {len(ms)} in a row):"
            f" mean {statistics.fmean(ms):6.2f} ms, p50 {statistics.median(ms):6.2f} ms, p99 {p99:6.2f} ms"
        )
        print(
            f"               close: {seconds:6.2f} s wall, {cpu:6.2f} s CPU of this process"
            f" (opening the {len(sealed)} ballots alone: {opening:5.2f} s CPU); {responses} responses written,"
            f" {left} ballots left; job said {summary}"
        )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", default="1000,10000", help="round sizes (everyone asked answers)")
    parser.add_argument("--submits", type=int, default=200, help="answers given one by one through polls.submit")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=pg_url_default(),
        help="PostgreSQL server to create (and drop) the benchmark's own database on",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    from bot import crypto

    crypto.ensure()  # the configured key, else one for this run
    chosen = listed(args.backends)
    sizes = [int(s) for s in args.answers.split(",") if s.strip()]
    print(headline("pulse", chosen, args.pg_url))
    print(f"closing a pulse round (ticks.tick polls.due at {CLOSES}) and one submit")
    for size in sizes:
        for name, database in backends(chosen, args.pg_url, "polls"):
            with database() as url:
                pulse_round(name, url, size, min(args.submits, size), args.seed)


if __name__ == "__main__":
    main()
