"""Retention benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/retention.py [--pairs 1000] [--weeks 12] [--other 20000] [--backends sqlite,postgresql]
                                        [--pg-url URL] [--forget bulk|one-by-one] [--seed 7]

One program of ``--pairs`` pairs that ran ``--weeks`` weeks (bench/delivery.py's seed: onboarded people, accepted
agreements, goals, prompted weeks with both partners' sides, "what we agreed", 4 notes a pair) plus what a program
adds over its life: each partner's answers in the weeks they answered, a retro every 4 weeks with both answers and a
quote, a cancellation per pair, a pair-reported metric value per pair, a pulse every 2 weeks (receipts, anonymous
answers with comments), a KPI snapshot a week, and the stored Slack calls: the introduction, each week's prompt
and DM nudges, each retro's opening, each pulse's DMs (about 18 per pair for 12 weeks), sent (payload emptied) and
recording what each is about, as the outbox does. ``--other`` more stored calls belong to another program of the
workspace (kept). Bulk-inserted into a fresh SQLite file
and into a PostgreSQL database created for the run and dropped after.

Then ``bot.services.retention.expire_due`` at the program's due moment: its time in total, the part spent in
forgetting the people no other program keeps (``retention.forget_many``; ``--forget one-by-one`` uses
``bot.services.privacy.forget`` per person instead), the rows it deleted, and the hosts' counts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, headline, listed, pg_url_default
from bench.delivery import PROGRAM_START, seed


def extra(conn: Any, *, program: int, workspace: int, weeks: int, other: int, seed_value: int) -> None:
    """What :func:`bench.delivery.seed` leaves out: answers, retros, cancellations, metric values, pulses,
    KPI snapshots and the outbox."""
    from sqlalchemy import func, insert, select

    from bot.models import (
        Cancellation,
        KpiSnapshot,
        Metric,
        MetricValue,
        OutboxMessage,
        OutboxSubject,
        Pair,
        PairWeek,
        Participant,
        PollReceipt,
        PollResponse,
        PollRound,
        Retro,
        RetroAnswer,
        WeekAnswer,
        WeekPartner,
    )

    rng = random.Random(seed_value)
    at = datetime.combine(PROGRAM_START, datetime.min.time(), tzinfo=UTC)
    pairs = conn.execute(
        select(Pair.id, Pair.participant_a_id, Pair.participant_b_id, Pair.channel_id).where(Pair.program_id == program)
    ).all()
    slack = dict(conn.execute(select(Participant.id, Participant.slack_user_id)).all())
    sides = conn.execute(
        select(
            WeekPartner.id, WeekPartner.week_id, WeekPartner.participant_id, WeekPartner.answered_at, PairWeek.pair_id
        )
        .join(PairWeek, PairWeek.id == WeekPartner.week_id)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.program_id == program)
    ).all()
    conn.execute(
        insert(WeekAnswer),
        [
            {
                "week_id": s.week_id,
                "participant_id": s.participant_id,
                "text": "We tried a storyboard for the town hall video and it worked better than expected.",
                "slack_ts": f"{s.id}.000200",
                "source": "thread",
                "created_at": s.answered_at,
            }
            for s in sides
            if s.answered_at is not None
        ],
    )
    retros = [
        {
            "pair_id": p.id,
            "program_id": program,
            "cycle": c,
            "last_week": 4 * c,
            "locale": "en",
            "opened_at": at,
            "channel_id": p.channel_id,
            "thread_ts": f"{p.id}.{c:06d}",
            "summary_at": at,
        }
        for p in pairs
        for c in range(1, weeks // 4 + 1)
    ]
    if retros:
        conn.execute(insert(Retro), retros)
        rows = conn.execute(
            select(Retro.id, Retro.pair_id).join(Pair, Pair.id == Retro.pair_id).where(Pair.program_id == program)
        ).all()
        people = {p.id: (p.participant_a_id, p.participant_b_id) for p in pairs}
        conn.execute(
            insert(RetroAnswer),
            [
                {
                    "retro_id": r.id,
                    "participant_id": person,
                    "went_well": "Honest feedback",
                    "learned": "Short is hard",
                    "change": "Meet earlier",
                    "talk_share": 4,
                    "quote": "I learned to ask before I judge.",
                    "author_consent_at": at,
                    "partner_consent_at": at,
                    "created_at": at,
                    "updated_at": at,
                }
                for r in rows
                for person in people[r.pair_id]
            ],
        )
    conn.execute(
        insert(Cancellation),
        [
            {
                "pair_id": p.id,
                "participant_id": p.participant_a_id,
                "week_number": 3,
                "kind": "cancel",
                "late": rng.random() < 0.3,
                "created_at": at,
            }
            for p in pairs
        ],
    )
    metric = conn.execute(
        insert(Metric)
        .values(
            program_id=program,
            name="Days to a first test",
            unit="days",
            reporter="pair",
            created_by="UHOST",
            created_at=at,
        )
        .returning(Metric.id)
    ).scalar_one()
    conn.execute(
        insert(MetricValue),
        [
            {
                "metric_id": metric,
                "pair_id": p.id,
                "value": rng.randint(5, 40),
                "day": PROGRAM_START,
                "logged_by": slack[p.participant_a_id],
                "created_at": at,
            }
            for p in pairs
        ],
    )
    polls = []
    for number in range(1, weeks // 2 + 1):
        opens = PROGRAM_START + timedelta(weeks=2 * number)
        polls.append(
            conn.execute(
                insert(PollRound)
                .values(
                    program_id=program,
                    number=number,
                    opens_on=opens,
                    closes_on=opens + timedelta(days=5),
                    threshold=5,
                    questions=["belonging", "climate"],
                    closed=True,
                )
                .returning(PollRound.id)
            ).scalar_one()
        )
    everyone = [person for p in pairs for person in (p.participant_a_id, p.participant_b_id)]
    for poll in polls:
        conn.execute(
            insert(PollReceipt), [{"round_id": poll, "participant_id": person, "answered": True} for person in everyone]
        )
        conn.execute(
            insert(PollResponse),
            [
                {
                    "id": f"{poll:04d}{i:012d}",
                    "round_id": poll,
                    "mood": rng.randint(1, 5),
                    "answers": {"belonging": 4, "climate": 3},
                    "comment": "More time, please." if i % 5 == 0 else None,
                }
                for i in range(len(everyone))
            ],
        )
    conn.execute(
        insert(KpiSnapshot),
        [
            {
                "program_id": program,
                "taken_on": PROGRAM_START + timedelta(weeks=w),
                "data": {"matched": 2 * len(pairs)},
                "created_at": at,
            }
            for w in range(weeks)
        ],
    )

    first_id = int(conn.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar_one()) + 1
    subjects: list[dict[str, int]] = []

    def call(
        key: str | None,
        channel: str,
        text: str,
        *,
        program_id: int | None = program,
        pair: int | None = None,
        people: tuple[int, ...] = (),
    ) -> dict[str, Any]:
        """A sent call as the outbox stores it: payload emptied, what it is about recorded (as producers do)."""
        row_id = first_id + len(calls)
        subjects.extend({"outbox_id": row_id, "participant_id": p} for p in people)
        return {
            "id": row_id,
            "workspace_id": workspace,
            "method": "chat.postMessage",
            "channel_key": channel,
            "payload": {},
            "dedupe_key": key,
            "status": "sent",
            "attempts": 1,
            "not_before": at,
            "sent_at": at,
            "emptied_at": at,
            "result": {"ok": True, "channel": channel},
            "created_at": at,
            "program_id": program_id,
            "pair_id": pair,
        }

    calls: list[dict[str, Any]] = []
    for p in pairs:
        calls.append(call(f"pair-intro:{p.id}", p.channel_id, "Meet your tandem partner", pair=p.id))
    weeks_of = conn.execute(
        select(PairWeek.id, PairWeek.channel_id, PairWeek.pair_id)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.program_id == program)
    ).all()
    for w in weeks_of:
        calls.append(call(f"rhythm:prompt:{w.id}", w.channel_id, "What moves us forward?", pair=w.pair_id))
    for s in sides:
        if s.answered_at is None:
            key = f"rhythm:midweek:{s.id}"
            calls.append(call(key, slack[s.participant_id], "A nudge", pair=s.pair_id, people=(s.participant_id,)))
    for r in conn.execute(select(Retro.id, Retro.channel_id, Retro.pair_id).where(Retro.program_id == program)):
        calls.append(call(f"retro:open:{r.id}", r.channel_id, "Retro time", pair=r.pair_id))
    for poll in polls:
        for person in everyone:
            calls.append(call(f"poll:{poll}:ask:{person}", slack[person], "How was your week?", people=(person,)))
    for i in range(other):  # another program's calls (an id no program of the workspace has here)
        calls.append(call(f"other:{i}", f"U9{i % 5000:07d}", "Another program's message", program_id=program + 10_000))
    for start in range(0, len(calls), 5000):
        conn.execute(insert(OutboxMessage), calls[start : start + 5000])
    for start in range(0, len(subjects), 5000):
        conn.execute(insert(OutboxSubject), subjects[start : start + 5000])
    if conn.dialect.name == "postgresql":  # the ids were given: the sequence goes on after them
        from sqlalchemy import text

        conn.execute(text("SELECT setval(pg_get_serial_sequence('outbox', 'id'), (SELECT max(id) FROM outbox))"))


def run(backend: str, url: str, *, pairs: int, weeks: int, other: int, one_by_one: bool, seed_value: int) -> None:
    from sqlalchemy import MetaData, func, select

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.domain import retention as rules
    from bot.models import OutboxMessage, Pair, Program
    from bot.services import retention

    upgrade(url)
    engine = make_engine(url)
    try:
        t = time.perf_counter()
        with engine.begin() as conn:
            ids = seed(conn, pairs=pairs, weeks_done=weeks, seed_value=seed_value, notes_per_pair=4)
            extra(
                conn,
                program=ids["program"],
                workspace=ids["workspace"],
                weeks=weeks,
                other=other,
                seed_value=seed_value,
            )
        seeded = time.perf_counter() - t
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            before = {
                tb.name: conn.execute(select(func.count()).select_from(tb)).scalar_one() for tb in meta.sorted_tables
            }
        factory = make_session_factory(engine)
        spent = {"forget": 0.0, "people": 0}
        bulk = retention.forget_many
        one = retention.default_forget()

        def timed_bulk(session: Any, people: Any, **kw: Any) -> int:
            t0 = time.perf_counter()
            try:
                return bulk(session, people, **kw)
            finally:
                spent["forget"] += time.perf_counter() - t0
                spent["people"] += len(people)

        def timed_one(session: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return one(session, **kw) if one else None
            finally:
                spent["forget"] += time.perf_counter() - t0
                spent["people"] += 1

        retention.forget_many = timed_bulk  # type: ignore[assignment]
        with factory() as session:
            program = session.get(Program, ids["program"])
            plan = rules.of(program)
            assert plan is not None
            session.rollback()
            t = time.perf_counter()
            report = retention.expire_due(session, now=plan.due_at, forget=timed_one if one_by_one else None)
            seconds = time.perf_counter() - t
        with engine.connect() as conn:
            after = {
                tb.name: conn.execute(select(func.count()).select_from(tb)).scalar_one() for tb in meta.sorted_tables
            }
            left = conn.execute(
                select(func.count()).select_from(Pair).where(Pair.program_id == ids["program"])
            ).scalar()
            calls = conn.execute(select(func.count()).select_from(OutboxMessage)).scalar()
        deleted = sum(before[n] - after[n] for n in before)
        [done] = report.expired
        forgot = " one by one with privacy.forget" if one_by_one else " at once (retention.forget_many)"
        print(
            f"  {backend:10s} seeded in {seeded:5.1f} s; expire_due {seconds:6.2f} s total, of which "
            f"{seconds - spent['forget']:5.2f} s the program's data ({deleted:,} rows deleted, {left} pairs left, "
            f"{calls:,} stored calls kept) and {spent['forget']:6.2f} s forgetting {spent['people']} people{forgot}"
        )
        print(f"  {'':10s} the hosts' counts: {', '.join(f'{k} {v:,}' for k, v in done.counts.items() if v)}")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--other", type=int, default=20_000, help="stored calls of another program")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=pg_url_default())
    parser.add_argument("--forget", choices=("bulk", "one-by-one"), default="bulk")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    chosen = listed(args.backends)
    print(headline("retention", chosen, args.pg_url))
    print(f"expire_due for a program of {args.pairs} pairs and {args.weeks} weeks, {args.other} other stored calls")
    for name, database in backends(chosen, args.pg_url, "retention"):
        with database() as url:
            run(
                name,
                url,
                pairs=args.pairs,
                weeks=args.weeks,
                other=args.other,
                one_by_one=args.forget == "one-by-one",
                seed_value=args.seed,
            )


if __name__ == "__main__":
    main()
