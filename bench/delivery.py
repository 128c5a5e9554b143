"""Delivery benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/delivery.py [--participants 10000] [--messages 2000] [--backends sqlite,postgresql]
                                       [--pg-url URL] [--profile] [--seed 7]

(i) the weekly prompt round: ``--participants`` people in active pairs of one program, four weeks in (prompted
    weeks with answers, "what we agreed", goals, accepted working agreements; one partner of each pair in Berlin,
    the other in Berlin, Lisbon, London or New York), bulk-inserted into a fresh SQLite file and into a PostgreSQL
    database created for the run and dropped after (also on failure); then the clock's own job
    (``bot.jobs.DUE_JOBS["rhythm.weekly"]`` through ``ticks.tick``, which commits) at the minute week 5
    is due for every pair: its time (target: under 10 s for 10,000 people), the outbox rows it wrote and rows/s.
    Seeding is timed apart. Then, with the prompts marked sent as the worker would, the next hour's tick: the DM
    nudges to the partners in Lisbon and London. ``--profile`` adds the top of a cProfile of the round.
(ii) the outbox worker: ``--messages`` chat.postMessage calls (weekly-prompt-sized blocks, to ``--messages / 10``
    people's DMs) queued with ``outbox.post``, sent by ``bot.slack.sender.Worker(...).drain()`` (no options: the
    defaults, no pacing) to the sandbox (no faults injected; in a subprocess, so its CPU is not counted): the
    draining thread's CPU per sent message (``time.thread_time``), this process's CPU per message (the same unless
    the worker starts threads), and messages/s wall; the sandbox's own CPU per message is printed apart.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, headline, listed, pg_url_default

PROGRAM_START = date(2027, 2, 1)  # a Monday; weeks 1-4 on 1, 8, 15 and 22 February
ROUND_AT = datetime(2027, 3, 1, 8, 5, tzinfo=UTC)  # Monday of week 5, 09:05 in Berlin
# Every pair has a partner in Berlin (so week 5's thread is due at 08:00 UTC for all of them); the other partner's
# zone decides whether they get a DM nudge later that day.
PARTNER_ZONES = (("Europe/Berlin", 0.5), ("Europe/Lisbon", 0.2), ("Europe/London", 0.15), ("America/New_York", 0.15))


# -- seeding ------------------------------------------------------------------------------------------------
def seed(
    conn: Any,
    *,
    pairs: int,
    weeks_done: int,
    seed_value: int,
    user_ids: Sequence[str] | None = None,
    team_id: str = "TBENCH",
    bot_user_id: str = "UBENCHBOT",
    admin_channel_id: str | None = "CBENCHADMIN",
    notes_per_pair: int = 0,
    zones: Sequence[tuple[str, float]] = PARTNER_ZONES,
) -> dict[str, int]:
    """Bulk-insert (SQLAlchemy core) one workspace with one active weekly program (Mondays 09:00, from
    ``PROGRAM_START``) and ``2 * pairs`` onboarded participants in active pairs with a group DM, an accepted
    working agreement, 1-3 goals, ``weeks_done`` prompted weeks (60 % of partners answered each, half of the pairs
    that spoke recorded "what we agreed", nudges sent) and ``notes_per_pair`` notes. ``user_ids``: the people's
    Slack ids (default ``U0000000``...). Returns ids: workspace, program."""
    from sqlalchemy import insert, select

    from bot.domain import rhythm as rules
    from bot.models import (
        Agreement,
        AgreementAcceptance,
        AgreementVersion,
        Enrollment,
        EnrollmentStatus,
        Goal,
        Note,
        Pair,
        PairWeek,
        Participant,
        Program,
        ProgramStatus,
        WeekPartner,
        WeekStatus,
        Workspace,
    )

    rng = random.Random(seed_value)
    n = 2 * pairs
    ids = list(user_ids) if user_ids is not None else [f"U{i:07d}" for i in range(n)]
    assert len(ids) >= n, "not enough user ids for the pairs"
    started = datetime.combine(PROGRAM_START - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
    ws = conn.execute(
        insert(Workspace)
        .values(
            team_id=team_id,
            name="Bench",
            bot_user_id=bot_user_id,
            admin_channel_id=admin_channel_id,
            admin_members=[],
            created_at=started,
        )
        .returning(Workspace.id)
    ).scalar_one()
    program = conn.execute(
        insert(Program)
        .values(
            workspace_id=ws,
            name="Bench 2027",
            status=ProgramStatus.ACTIVE,
            start_date=PROGRAM_START,
            duration_weeks=12,
            rhythm="weekly",
            prompt_weekday=0,
            prompt_hour=9,
            trial_weeks=0,
            timezone="Europe/Berlin",
            learning_fields=["short video", "stakeholder management"],
            created_at=started,
            updated_at=started,
        )
        .returning(Program.id)
    ).scalar_one()
    names, weights = zip(*zones, strict=True)
    people = []
    for i in range(n):
        tz = "Europe/Berlin" if i % 2 == 0 else rng.choices(names, weights)[0]
        people.append(
            {
                "workspace_id": ws,
                "slack_user_id": ids[i],
                "display_name": f"Person {i}",
                "tz": tz,
                "locale": "de" if tz == "Europe/Berlin" and rng.random() < 0.5 else "en",
                "role": "digital" if i % 2 == 0 else "context",
                "self_description": "I like to learn by doing.",
                "can_teach": ["short video"] if i % 2 == 0 else ["stakeholder management"],
                "want_to_learn": ["stakeholder management"] if i % 2 == 0 else ["short video"],
                "values": ["curiosity"],
                "department": f"Dept {i % 15}",
                "consented_at": started,
                "settings_confirmed": True,
                "welcomed_at": started,
                "created_at": started,
                "updated_at": started,
            }
        )
    conn.execute(insert(Participant), people)
    by_slack = dict(
        conn.execute(select(Participant.slack_user_id, Participant.id).where(Participant.workspace_id == ws)).all()
    )
    pids = [by_slack[ids[i]] for i in range(n)]
    zone_of = {pids[i]: people[i]["tz"] for i in range(n)}
    conn.execute(
        insert(Enrollment),
        [
            {
                "program_id": program,
                "participant_id": pid,
                "status": EnrollmentStatus.ONBOARDED,
                "invited_at": started,
                "responded_at": started,
                "completed_at": started,
                "last_activity_at": started,
            }
            for pid in pids
        ],
    )
    conn.execute(
        insert(Pair),
        [
            {
                "program_id": program,
                "participant_a_id": pids[2 * k],
                "participant_b_id": pids[2 * k + 1],
                "status": "active",
                "channel_id": f"G{k:09d}",
                "thread_ts": f"{int(started.timestamp()) + k}.000100" if weeks_done else None,
                "score": 70.0,
                "reasons": [],
                "started_at": started,
            }
            for k in range(pairs)
        ],
    )
    pair_rows = conn.execute(
        select(Pair.id, Pair.participant_a_id, Pair.participant_b_id, Pair.channel_id)
        .where(Pair.program_id == program)
        .order_by(Pair.id)
    ).all()
    conn.execute(
        insert(Agreement),
        [{"pair_id": p.id, "locale": "en", "created_at": started, "agreed_at": started} for p in pair_rows],
    )
    agreements = dict(conn.execute(select(Agreement.pair_id, Agreement.id)).all())
    conn.execute(
        insert(AgreementVersion),
        [
            {"agreement_id": agreements[p.id], "number": 1, "sections": {}, "created_at": started, "agreed_at": started}
            for p in pair_rows
        ],
    )
    versions = dict(conn.execute(select(AgreementVersion.agreement_id, AgreementVersion.id)).all())
    conn.execute(
        insert(AgreementAcceptance),
        [
            {"version_id": versions[agreements[p.id]], "participant_id": person, "accepted_at": started}
            for p in pair_rows
            for person in (p.participant_a_id, p.participant_b_id)
        ],
    )
    conn.execute(
        insert(Goal),
        [
            {
                "pair_id": p.id,
                "position": g,
                "text": f"Bold goal {g + 1}: a pilot with the team",
                "due_on": PROGRAM_START + timedelta(weeks=8),
                "progress": rng.choice((0, 25, 50, 75)),
                "done_at": None,
                "created_by": p.participant_a_id,
                "created_at": started,
                "updated_at": started,
            }
            for p in pair_rows
            for g in range(rng.randint(1, 3))
        ],
    )
    if notes_per_pair:
        conn.execute(
            insert(Note),
            [
                {
                    "pair_id": p.id,
                    "program_id": program,
                    "author_id": p.participant_a_id if j % 2 == 0 else p.participant_b_id,
                    "text": f"Note {j}: what we tried this week and what we learned",
                    "links": [],
                    "topic": "video" if j % 3 == 0 else None,
                    "topic_key": "video" if j % 3 == 0 else None,
                    "visibility": "pair" if j % 4 else "private",
                    "red": False,
                    "source": "command",
                    "created_at": started + timedelta(days=j),
                }
                for p in pair_rows
                for j in range(notes_per_pair)
            ],
        )
    if weeks_done:
        sched = rules.schedule(
            weekday=0,
            hour=9,
            rhythm="weekly",
            duration_weeks=12,
            program_start=PROGRAM_START,
            started_on=started.date(),
        )
        weeks, partners = [], []
        for p in pair_rows:
            zones_of_pair = {person: zone_of[person] for person in (p.participant_a_id, p.participant_b_id)}
            for number in range(1, weeks_done + 1):
                plan = rules.plan(number, sched.day(number), 9, zones_of_pair)
                answered = {person: rng.random() < 0.6 for person in zones_of_pair}
                agreed = any(answered.values()) and rng.random() < 0.5
                weeks.append(
                    {
                        "pair_id": p.id,
                        "number": number,
                        "day": plan.day,
                        "status": WeekStatus.CLOSED if agreed else WeekStatus.OPEN,
                        "method": rules.method_card(number),
                        "thread_at": plan.thread_at,
                        "handled_at": plan.thread_at,
                        "channel_id": p.channel_id,
                        "thread_ts": f"{int(plan.thread_at.timestamp())}.{p.id:06d}",
                        "agreed_homework": "Try one short video" if agreed else None,
                        "agreed_next_step": "Storyboard on Tuesday" if agreed else None,
                        "agreed_by": p.participant_a_id if agreed else None,
                        "agreed_at": plan.thread_at + timedelta(days=2) if agreed else None,
                        "created_at": plan.thread_at,
                    }
                )
                for person, at in plan.at.items():
                    partners.append(
                        {
                            "key": (p.id, number),
                            "participant_id": person,
                            "prompt_at": at,
                            "nudge_at": at if person in plan.nudged else None,
                            "nudge_sent_at": at if person in plan.nudged else None,
                            "midweek_at": at + timedelta(days=3),
                            "midweek_sent_at": at + timedelta(days=3),
                            "answered_at": at + timedelta(hours=5) if answered[person] else None,
                        }
                    )
        conn.execute(insert(PairWeek), weeks)
        week_ids = {
            (pair_id, number): wid
            for wid, pair_id, number in conn.execute(
                select(PairWeek.id, PairWeek.pair_id, PairWeek.number).join(Pair).where(Pair.program_id == program)
            )
        }
        for row in partners:
            row["week_id"] = week_ids[row.pop("key")]
        conn.execute(insert(WeekPartner), partners)
    return {"workspace": ws, "program": program}


# -- (i) the weekly round -----------------------------------------------------------------------------------
def weekly_round(backend: str, url: str, participants: int, seed_value: int, profile: bool) -> None:
    from sqlalchemy import func, select, update

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.jobs import DUE_JOBS
    from bot.models import OutboxMessage, OutboxStatus, PairWeek, WeekPartner
    from bot.services import ticks

    t = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter() - t
    engine = make_engine(url)
    try:
        t = time.perf_counter()
        with engine.begin() as conn:
            seed(conn, pairs=participants // 2, weeks_done=4, seed_value=seed_value)
        seeded = time.perf_counter() - t
        factory = make_session_factory(engine)
        job = {"rhythm.weekly": DUE_JOBS["rhythm.weekly"]}
        with factory() as session:
            before = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
            session.rollback()
            profiler = cProfile.Profile() if profile else None
            cpu, t = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            summary = ticks.tick(session, now=ROUND_AT, jobs=job)  # what the clock runs each minute (commits)
            if profiler:
                profiler.disable()
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        with factory() as session:
            keys = session.scalars(select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id).offset(before)).all()
            kinds = Counter(":".join((k or "-").split(":")[:2]) for k in keys)
            opened = session.scalar(select(func.count()).select_from(PairWeek).where(PairWeek.number == 5)) or 0
            sides = session.scalar(
                select(func.count()).select_from(WeekPartner).join(PairWeek).where(PairWeek.number == 5)
            )
        written = len(keys)
        verdict = "under" if seconds < 10 else "OVER"
        print(
            f"    {backend:<10} {participants} participants ({participants // 2} pairs): migrate {migrated:4.1f} s,"
            f" seed {seeded:5.1f} s (not counted)"
        )
        print(
            f"               round: {seconds:6.2f} s wall ({verdict} the 10 s target),"
            f" {cpu:6.2f} s CPU of this process; job said {summary}"
        )
        print(
            f"               {written} outbox rows ({written / seconds:,.0f} rows/s): {dict(sorted(kinds.items()))};"
            f" week 5 opened for {opened} pairs, {sides} partner rows"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print("\n".join("               " + line for line in out.getvalue().splitlines()[:60]))
        # An hour later the partners in Lisbon and London get their DM nudge, once the prompts are out: mark them
        # sent as the worker would (channel and ts), then the same job's next tick.
        with factory() as session, session.begin():
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.payload).where(OutboxMessage.status == OutboxStatus.PENDING)
            ).all()
            session.execute(  # an ORM bulk UPDATE by primary key
                update(OutboxMessage),
                [
                    {
                        "id": mid,
                        "status": OutboxStatus.SENT,
                        "sent_at": ROUND_AT,
                        "result": {"channel": payload.get("channel"), "ts": f"1803888000.{mid:06d}"},
                    }
                    for mid, payload in rows
                ],
            )
        later = ROUND_AT + timedelta(hours=1)
        with factory() as session:
            t = time.perf_counter()
            summary = ticks.tick(session, now=later, jobs=job)
            seconds = time.perf_counter() - t
            nudges = session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        print(
            f"               an hour later (prompts marked sent): the DM nudges {seconds:6.2f} s wall,"
            f" {nudges} outbox rows; job said {summary}"
        )
    finally:
        engine.dispose()


# -- (ii) the worker ----------------------------------------------------------------------------------------
def worker_cpu(backend: str, url: str, messages: int) -> None:
    from sqlalchemy import func, insert, select

    from bench.common import cpu_seconds
    from bench.serve import sandbox_process
    from bot.blocks import rhythm as blocks
    from bot.blocks.agreement import goals_section
    from bot.clock import SystemClock
    from bot.db import make_engine, make_session_factory, upgrade
    from bot.models import OutboxMessage, OutboxStatus, Workspace
    from bot.services import outbox
    from bot.slack.client import outbox_client
    from bot.slack.sender import Worker

    people = max(1, messages // 10)
    upgrade(url)
    engine = make_engine(url)
    try:
        with sandbox_process(users=people) as box:
            clock = SystemClock()
            now = clock.now()
            with engine.begin() as conn:
                ws = conn.execute(
                    insert(Workspace)
                    .values(team_id=box["team_id"], name="Bench", bot_user_id=box["bot_user_id"], created_at=now)
                    .returning(Workspace.id)
                ).scalar_one()
            goal = {"id": 1, "text": "A pilot", "due": None, "progress": 50, "done": False, "done_on": None}
            goals = goals_section("en", [goal])
            factory = make_session_factory(engine)
            t = time.perf_counter()
            with factory() as session:
                for i in range(messages):
                    message = blocks.prompt(
                        "en" if i % 2 else "de",
                        week_id=i + 1,
                        number=5,
                        program="Bench 2027",
                        question=None,
                        card="storytelling",
                        agreed={"number": 4, "homework": "Try one short video", "next_step": "Storyboard"},
                        goals=goals,
                    )
                    outbox.post(
                        session,
                        workspace_id=ws,
                        channel=box["users"][i % people],
                        message=message,
                        now=now,
                        dedupe_key=f"bench:{i}",
                        about=outbox.NOBODY,
                    )
                session.commit()
            queued = time.perf_counter() - t
            client = outbox_client(token=box["bot_token"], base_url=box["api_url"])
            worker = Worker(factory, lambda _team: client, clock)  # no options: the defaults
            cpu_sandbox = cpu_seconds(box["pid"])
            cpu_thread, cpu_process, t = time.thread_time(), time.process_time(), time.perf_counter()
            counts = worker.drain()
            wall = time.perf_counter() - t
            cpu_thread = time.thread_time() - cpu_thread
            cpu_process = time.process_time() - cpu_process
            cpu_sandbox = cpu_seconds(box["pid"]) - cpu_sandbox
            with factory() as session:
                statuses = dict(
                    session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
                )
        sent = statuses.get(OutboxStatus.SENT, 0)
        per = sent or 1
        print(
            f"    {backend:<10} {messages} messages to {people} DMs (queued in {queued:4.1f} s, not counted):"
            f" drained in {wall:6.2f} s = {sent / wall:6.1f} messages/s wall; outcomes {dict(counts)};"
            f" rows {statuses}"
        )
        print(
            f"               worker thread CPU {cpu_thread:6.2f} s = {1000 * cpu_thread / per:5.2f} ms"
            f" per sent message;"
            f" process CPU {cpu_process:6.2f} s = {1000 * cpu_process / per:5.2f} ms per message"
            f" (not counted: the sandbox's process, {1000 * cpu_sandbox / per:5.2f} ms per message)"
        )
    finally:
        engine.dispose()


# -- main ---------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=10_000, help="people in the weekly round (i)")
    parser.add_argument("--messages", type=int, default=2000, help="messages the worker sends (ii)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=pg_url_default(),
        help="PostgreSQL server to create (and drop) the benchmark's own database on",
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the round")
    parser.add_argument("--skip", default="", help="'round' or 'worker' to leave a part out")
    parser.add_argument("--seed", type=int, default=7, help="for the seeded answers, zones and goals")
    args = parser.parse_args(argv)
    chosen = listed(args.backends)
    print(headline("delivery", chosen, args.pg_url))
    if args.skip != "round":
        print(
            f"(i) the weekly prompt round for {args.participants} participants: ticks.tick(rhythm.weekly) at {ROUND_AT}"
        )
        for name, database in backends(chosen, args.pg_url, "delivery"):
            with database() as url:
                weekly_round(name, url, args.participants, args.seed, args.profile)
    if args.skip != "worker":
        print(f"(ii) the outbox worker: {args.messages} chat.postMessage to the sandbox (no faults), Worker.drain()")
        for name, database in backends(chosen, args.pg_url, "delivery"):
            with database() as url:
                worker_cpu(name, url, args.messages)


if __name__ == "__main__":
    main()
