"""App Home shows the same blocks for the same data: a world with most of what Home can show (two active pairs and an
ended one, agreements waiting for either partner and agreed, goals, weeks prompted, answered, moved and cancelled,
notes of every visibility and share state, a red topic, learning cards, a pair metric, invitations in live, paused
and closed programs, an interview under way, a break, a waiting list, a host and the hosting paused) rendered for each
of its people, against ``tests/data/home_snapshot.json``.

The snapshot was written by the code before App Home read its data in batches (the statements that read it changed,
what it shows did not). Should what Home shows change on purpose, write it again::

    TANDEM_WRITE_HOME_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_home_snapshot.py

Each backend's database is a fresh copy at head (``scratch.migrated``): the ids in button values are the same every
run.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.blocks.home import home_view
from bot.db import make_engine, make_session_factory
from bot.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Enrollment,
    EnrollmentStatus,
    Goal,
    HostRoleRow,
    LearningCard,
    Metric,
    Note,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ProgramStatus,
    RedTopic,
    WeekPartner,
    WeekStatus,
    Workspace,
)
from bot.services.home import home_state
from tests.conftest import backends

SNAPSHOT = Path(__file__).parent / "data" / "home_snapshot.json"
WRITE = "TANDEM_WRITE_HOME_SNAPSHOT"

NOW = datetime(2027, 2, 10, 10, 30, tzinfo=UTC)  # a Wednesday, week 6 of the pilot
START = date(2027, 1, 4)  # a Monday
HOST = "U0000HOST"


def at(day: int, hour: int = 10) -> datetime:
    """``day`` days after START, at ``hour`` UTC."""
    return datetime(START.year, START.month, START.day, hour, tzinfo=UTC) + timedelta(days=day)


def _world(s: Session) -> dict[str, Participant]:
    ws = Workspace(
        team_id="T0HOME",
        bot_user_id="U0BOT",
        admin_channel_id="C0HOSTS",
        admin_members=[HOST, "U0BOT"],
        admin_members_fetched_at=NOW - timedelta(seconds=5),
        created_at=at(-30),
    )
    s.add(ws)
    s.flush()
    # the host is a Tandem admin (migration 0024 makes every host of before one)
    s.add(HostRoleRow(workspace_id=ws.id, slack_user_id=HOST, role="admin", granted_at=at(-30)))

    def program(name: str, status: str, **kw: Any) -> Program:
        values: dict[str, Any] = {"duration_weeks": 8, "prompt_weekday": 0, "timezone": "Europe/Berlin", **kw}
        p = Program(
            workspace_id=ws.id,
            name=name,
            status=status,
            start_date=START,
            created_at=at(-20),
            updated_at=at(-20),
            **values,
        )
        s.add(p)
        s.flush()
        return p

    pilot = program("Pilot", ProgramStatus.ACTIVE)
    second = program("Second wave", ProgramStatus.ACTIVE, prompt_weekday=2, prompt_hour=14)
    paused = program("On hold", ProgramStatus.PAUSED)
    closed = program("Last year", ProgramStatus.CLOSED)
    invite = program("Spring", ProgramStatus.ACTIVE)
    interview = program("Summer", ProgramStatus.ACTIVE)

    def person(key: str, **kw: Any) -> Participant:
        values: dict[str, Any] = {"tz": "Europe/Berlin", "locale": "en", **kw}
        p = Participant(
            workspace_id=ws.id,
            slack_user_id=values.pop("slack_user_id", f"U0{key.upper():0>7}"),
            display_name=key.capitalize(),
            created_at=at(-10),
            updated_at=at(-10),
            **values,
        )
        s.add(p)
        s.flush()
        return p

    ana = person(
        "ana",
        slack_user_id=HOST,
        locale="de",
        role="digital",
        self_description="Builds *things* & <breaks> them",
        department="Platform",
        curiosity=["ai", "teams"],
        can_teach=["sql"],
        want_to_learn=["sales", "leading"],
        paused_until=date(2027, 2, 14),
        waitlisted_at=at(30),
    )
    ben = person("ben", tz="America/New_York")
    cleo = person("cleo", locale="de", tz="Asia/Tokyo", paused_until=date(2027, 2, 20))
    dan = person("dan")
    eve = person("eve")  # in no program at all

    def enroll(who: Participant, where: Program, status: str) -> None:
        s.add(
            Enrollment(
                program_id=where.id,
                participant_id=who.id,
                status=status,
                invited_at=at(-5 + where.id),
                last_activity_at=at(-5),
            )
        )

    for where, status in (
        (pilot, EnrollmentStatus.ONBOARDED),
        (second, EnrollmentStatus.ONBOARDED),
        (paused, EnrollmentStatus.INVITED),
        (closed, EnrollmentStatus.ONBOARDED),
        (invite, EnrollmentStatus.INVITED),
        (interview, EnrollmentStatus.INTERVIEWING),
    ):
        enroll(ana, where, status)
    enroll(ben, pilot, EnrollmentStatus.ONBOARDED)
    enroll(cleo, second, EnrollmentStatus.ONBOARDED)
    enroll(dan, closed, EnrollmentStatus.ONBOARDED)
    s.flush()

    def pair(where: Program, a: Participant, b: Participant, started: datetime, **kw: Any) -> Pair:
        p = Pair(program_id=where.id, participant_a_id=a.id, participant_b_id=b.id, started_at=started, **kw)
        s.add(p)
        s.flush()
        return p

    p1 = pair(pilot, ana, ben, at(0, 8))
    p2 = pair(second, cleo, ana, at(9, 8))  # ana is the pair's second partner
    pair(closed, dan, ana, at(-40), status=PairStatus.ENDED, ended_at=at(-3))

    # agreements: p1 agreed, then a new version only ben accepted (ana's turn); p2's first version, accepted by ana
    a1 = Agreement(pair_id=p1.id, locale="en", created_at=at(1), agreed_at=at(2))
    a2 = Agreement(pair_id=p2.id, locale="de", created_at=at(10))
    s.add_all([a1, a2])
    s.flush()
    v1 = AgreementVersion(agreement_id=a1.id, number=1, created_at=at(1), agreed_at=at(2), sections={"how": "async"})
    v2 = AgreementVersion(agreement_id=a1.id, number=2, created_at=at(20), proposed_by=ben.id, sections={"how": "x"})
    v3 = AgreementVersion(agreement_id=a2.id, number=1, created_at=at(10), proposed_by=cleo.id)
    s.add_all([v1, v2, v3])
    s.flush()
    s.add_all(
        [
            AgreementAcceptance(version_id=v1.id, participant_id=ana.id, accepted_at=at(1)),
            AgreementAcceptance(version_id=v1.id, participant_id=ben.id, accepted_at=at(2)),
            AgreementAcceptance(version_id=v2.id, participant_id=ben.id, accepted_at=at(20)),
            AgreementAcceptance(version_id=v3.id, participant_id=ana.id, accepted_at=at(11)),
        ]
    )
    for position, (text, progress, done) in enumerate(
        (("Ship a pilot", 50, None), ("Read two books", 100, at(25)), ("Present *results*", 0, None))
    ):
        s.add(
            Goal(
                pair_id=p1.id,
                position=2 - position,
                text=text,
                due_on=date(2027, 3, 1 + position),
                progress=progress,
                done_at=done,
                accepted_at=at(3),
                created_at=at(3),
                updated_at=at(3),
            )
        )

    # p1's weeks: 1-3 prompted (1 and 3 answered, 2 not), 4 skipped, 5 prompted and answered, 6 open, 7 moved, 8
    # cancelled ahead of time; p2's first week answered
    def week(p: Pair, number: int, status: str, *, prompted: bool = True, **kw: Any) -> PairWeek:
        day = START + timedelta(weeks=number - 1)
        w = PairWeek(
            pair_id=p.id,
            number=number,
            day=day,
            status=status,
            thread_at=at(7 * (number - 1), 8) if prompted else None,
            handled_at=at(7 * (number - 1), 8) if prompted else None,
            created_at=at(7 * (number - 1) - 1),
            **kw,
        )
        s.add(w)
        s.flush()
        return w

    def answered(w: PairWeek, who: Participant, when: datetime | None) -> None:
        s.add(WeekPartner(week_id=w.id, participant_id=who.id, prompt_at=w.thread_at, answered_at=when))

    w1 = week(p1, 1, WeekStatus.CLOSED)
    answered(w1, ana, at(1))
    answered(w1, ben, None)
    answered(week(p1, 2, WeekStatus.CLOSED), ben, None)
    w3 = week(p1, 3, WeekStatus.CLOSED)
    answered(w3, ben, at(15))
    week(p1, 4, WeekStatus.SKIPPED)
    w5 = week(p1, 5, WeekStatus.CLOSED)
    answered(w5, ana, at(29))
    answered(w5, ben, at(30))
    w6 = week(p1, 6, WeekStatus.OPEN)
    answered(w6, ana, NOW + timedelta(hours=1))  # after now: not yet
    week(p1, 7, WeekStatus.SCHEDULED, prompted=False, moved_to=date(2027, 2, 17))
    week(p1, 8, WeekStatus.CANCELLED, prompted=False)
    w21 = PairWeek(
        pair_id=p2.id, number=1, day=date(2027, 1, 20), status=WeekStatus.OPEN, thread_at=at(16, 13), created_at=at(15)
    )
    s.add(w21)
    s.flush()
    answered(w21, cleo, at(16, 20))

    # notes: what each reader may see differs (private, pair, hosts asked and agreed, program declined, red)
    def note(p: Pair, author: Participant, text: str, day: int, **kw: Any) -> None:
        s.add(Note(pair_id=p.id, program_id=p.program_id, author_id=author.id, text=text, created_at=at(day), **kw))

    for day in range(1, 5):
        note(p1, ben if day % 2 else ana, f"Week note {day}", day)
    note(p1, ben, "For everyone, declined", 10, visibility="program", share_state="declined")
    note(p1, ben, "For the hosts, asked", 11, visibility="hosts", share_state="asked", topic="Process")
    note(p1, ana, "For the hosts, agreed", 12, visibility="hosts", share_state="agreed", topic="process")
    note(p1, ben, "Tried *pairing* on <the> bug", 13, links=["https://example.com/a"])
    note(p1, ben, "Under a red topic", 14, topic="Salary", topic_key="salary")
    note(p1, ana, "Red on its own", 15, red=True, red_by=ana.id)
    note(p1, ana, "Only for me", 16, visibility="private")  # the newest three differ for Ana and Ben
    note(p2, cleo, "Hallo aus Tokio", 12, source="modal")
    s.add(RedTopic(pair_id=p1.id, topic_key="salary", topic="Salary", created_by=ben.id, created_at=at(9)))
    s.add(RedTopic(pair_id=p1.id, topic_key="budget", topic="budget", created_by=ana.id, created_at=at(9)))

    s.add_all(
        [
            LearningCard(
                program_id=pilot.id,
                participant_id=ana.id,
                title="What pairing taught me",
                text="A *lot*",
                created_at=at(20),
                updated_at=at(21),
                published_at=at(21),
                channel_id="C0PILOT",
            ),
            LearningCard(
                program_id=second.id,
                participant_id=ana.id,
                title="Draft <one>",
                text="Not yet",
                show_name=False,
                created_at=at(22),
                updated_at=at(22),
            ),
            LearningCard(
                program_id=closed.id,
                participant_id=dan.id,
                title="Dan's",
                text="x",
                created_at=at(-5),
                updated_at=at(-5),
            ),
        ]
    )
    s.add(
        Metric(
            program_id=pilot.id,
            name="Days to first test",
            unit="days",
            baseline=30.0,
            target_high=14.0,
            reporter="pair",
            created_by=HOST,
            created_at=at(0),
        )
    )
    s.commit()
    return {p.display_name.lower(): p for p in (ana, ben, cleo, dan, eve)}


def _homes(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        with factory() as s:
            people = _world(s)
            ids = {key: p.id for key, p in people.items()}
        homes: dict[str, Any] = {}
        for key, participant_id in ids.items():  # each in a session of its own, as a request reads it
            with factory() as s:
                participant = s.get(Participant, participant_id)
                assert participant is not None
                homes[key] = home_view(home_state(s, participant=participant, now=NOW))
        with factory() as s:  # the admin channel turned public: Ana sees why hosting paused, not her programs
            ws = s.get(Workspace, people["ana"].workspace_id)
            assert ws is not None
            ws.admin_channel_problems = "public"
            s.commit()
            ana = s.get(Participant, ids["ana"])
            assert ana is not None
            homes["ana, hosting paused"] = home_view(home_state(s, participant=ana, now=NOW))
        return homes
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_home_shows_what_it_showed(backend: str, scratch: Any) -> None:
    homes = _homes(scratch.migrated(backend))
    if os.environ.get(WRITE):
        SNAPSHOT.write_text(json.dumps(homes, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert sorted(homes) == sorted(expected)
    for key in expected:
        assert homes[key] == expected[key], f"{key}'s Home changed"
