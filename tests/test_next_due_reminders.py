"""When the reminders, the digest, retention, event pruning and stale invite batches next act (``bot.jobs.NEXT_DUE``),
on the database: never later than the job (it writes nothing before the moment named: ``check_next_due``), and not
earlier than needed (at that moment, or the first minute tick from it, it writes). Worlds are written straight to the
database, no Slack: the jobs only queue their messages in the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SimulatedClock
from bot.domain import retention as retention_rules
from bot.domain.agreement import SECTIONS
from bot.jobs import DUE_JOBS, NEXT_DUE
from bot.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    BatchStatus,
    Enrollment,
    EnrollmentStatus,
    InviteBatch,
    Pair,
    Participant,
    Program,
    ProgramStatus,
    SlackEvent,
    Workspace,
)
from bot.services.ticks import MINUTE, probe
from tests.helpers import START, check_next_due

# START: Monday 4 January 2027, 08:00 UTC (03:00 in New York, 13:30 in Kolkata)
DAY = timedelta(days=1)


@pytest.fixture
def world(engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    """What ``check_next_due`` needs of a stack: the database and a simulated clock at ``START``."""
    yield SimpleNamespace(engine=engine, session_factory=session_factory, clock=SimulatedClock(START))


def next_due(world: Any, name: str) -> datetime | None:
    with world.session_factory() as s:
        return NEXT_DUE[name](s, world.clock.now())


def writes(world: Any, name: str, when: datetime) -> list[str]:
    return probe(world.engine, world.session_factory, DUE_JOBS[name], when)


def tick_at(now: datetime, due: datetime) -> datetime:
    """The first minute tick from ``now`` (now, now + 1 minute, ...) at or after ``due``."""
    return now + MINUTE * max(0, -((now - due) // MINUTE))


def first_act(world: Any, name: str, *, within: timedelta, every: timedelta = timedelta(hours=1)) -> datetime:
    """The moment the job's next-due names, checked both ways: nothing written before it (each ``every``, and the
    minute tick before it), something written at the first minute tick from it. Returns that tick."""
    now = world.clock.now()
    due = check_next_due(world, name, until=now + within, every=every)
    assert due is not None and due < now + within, f"{name}: {due}"
    at = tick_at(now, due)
    if at - MINUTE > now:
        assert not writes(world, name, at - MINUTE), f"{name} acts a minute before {due}"
    assert writes(world, name, at), f"{name} does nothing at {at}, the first tick from {due}"
    return at


def run(world: Any, name: str, when: datetime) -> None:
    """The clock's tick at ``when`` for this one job (committed), and the clock there."""
    with world.session_factory() as s:
        DUE_JOBS[name](s, when)
        s.commit()
    world.clock.set(when)


# -- a small world ---------------------------------------------------------------------------------------------------
def workspace(s: Session, *, admin_channel: str | None = "C0HOSTS", checked: date | None = None) -> Workspace:
    ws = Workspace(team_id="T0TANDEM", admin_channel_id=admin_channel, people_checked_on=checked, created_at=START)
    s.add(ws)
    s.flush()
    return ws


def program(s: Session, ws: Workspace, **kw: Any) -> Program:
    kw.setdefault("status", ProgramStatus.ACTIVE)
    p = Program(workspace_id=ws.id, name=kw.pop("name", "Pilot 2027"), created_at=START, updated_at=START, **kw)
    s.add(p)
    s.flush()
    return p


def someone(s: Session, ws: Workspace, user: str, tz: str) -> Participant:
    p = Participant(
        workspace_id=ws.id, slack_user_id=user, display_name=user, tz=tz, created_at=START, updated_at=START
    )
    s.add(p)
    s.flush()
    return p


def enrolled(s: Session, prog: Program, person: Participant, status: str, *, since: datetime, **kw: Any) -> None:
    s.add(
        Enrollment(
            program_id=prog.id,
            participant_id=person.id,
            status=status,
            invited_at=since,
            last_activity_at=since,
            reminders_sent=0,
            step_message={},
            **kw,
        )
    )


# -- the reminders ---------------------------------------------------------------------------------------------------
def test_invitation_reminders_in_the_persons_daytime_then_none(world: Any) -> None:
    name = "invites.reminders"
    assert next_due(world, name) is None
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(s, ws)
        enrolled(s, pilot, someone(s, ws, "U0NY", "America/New_York"), EnrollmentStatus.INVITED, since=START)
        # never reminded: a program not running, a declined invitation, someone forgotten
        draft = program(s, ws, name="Draft", status=ProgramStatus.DRAFT)
        enrolled(s, draft, someone(s, ws, "U0DRAFT", "UTC"), EnrollmentStatus.INVITED, since=START - 9 * DAY)
        enrolled(s, pilot, someone(s, ws, "U0NO", "UTC"), EnrollmentStatus.DECLINED, since=START - 9 * DAY)
        enrolled(s, pilot, someone(s, ws, "forgotten-x", "UTC"), EnrollmentStatus.INVITED, since=START - 9 * DAY)
        s.commit()
    # two days quiet: Wednesday 03:00 in New York; the reminder waits for 09:00 there
    first = first_act(world, name, within=3 * DAY)
    assert first == START + 2 * DAY + timedelta(hours=6)
    run(world, name, first)
    # five days: Saturday in New York, no working day; the last reminder waits for Monday 09:00 there
    second = first_act(world, name, within=6 * DAY)
    assert second == START + 7 * DAY + timedelta(hours=6)
    run(world, name, second)
    assert next_due(world, name) is None


def test_interview_reminders_only_for_an_interview_under_way(world: Any) -> None:
    name = "interview.reminders"
    assert next_due(world, name) is None
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(s, ws)
        kolkata = someone(s, ws, "U0IN", "Asia/Kolkata")
        enrolled(s, pilot, kolkata, EnrollmentStatus.INTERVIEWING, since=START, interview_step="role")
        # never reminded: an interview without a step to come back to, or one already done
        for user, step in (("U0DONE", "done"), ("U0ODD", "no such step")):
            person = someone(s, ws, user, "UTC")
            enrolled(s, pilot, person, EnrollmentStatus.INTERVIEWING, since=START - 9 * DAY, interview_step=step)
        s.commit()
    first = first_act(world, name, within=3 * DAY)
    assert first == START + 2 * DAY  # 13:30 in Kolkata: at once
    run(world, name, first)
    # five days quiet is Saturday: the last reminder waits for Monday 09:00 in Kolkata (03:30 UTC)
    second = first_act(world, name, within=6 * DAY)
    assert second == START + 7 * DAY - timedelta(hours=4, minutes=30)
    run(world, name, second)
    assert next_due(world, name) is None


def accepted_by_one(s: Any, pilot: Any, accepted: Any, waiting: Any) -> None:
    """``accepted`` and ``waiting`` paired since START, with an agreement of that moment only ``accepted`` accepted."""
    pair = Pair(program_id=pilot.id, participant_a_id=accepted.id, participant_b_id=waiting.id, started_at=START)
    s.add(pair)
    s.flush()
    agreement = Agreement(pair_id=pair.id, created_at=START)
    s.add(agreement)
    s.flush()
    version = AgreementVersion(agreement_id=agreement.id, number=1, sections={k: k for k in SECTIONS}, created_at=START)
    s.add(version)
    s.flush()
    s.add(AgreementAcceptance(version_id=version.id, participant_id=accepted.id, accepted_at=START))


def test_agreement_reminders_for_who_has_not_accepted_on_a_workday(world: Any) -> None:
    name = "agreement.reminders"
    assert next_due(world, name) is None
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(s, ws)
        berlin, new_york = someone(s, ws, "U0BER", "Europe/Berlin"), someone(s, ws, "U0NY", "America/New_York")
        accepted_by_one(s, pilot, berlin, new_york)
        s.commit()
    # not until the agreement is two days old; then Wednesday 09:00 in New York
    first = first_act(world, name, within=3 * DAY)
    assert first == START + 2 * DAY + timedelta(hours=6)
    run(world, name, first)
    second = first_act(world, name, within=6 * DAY)  # five days: Saturday, so Monday 09:00 in New York
    assert second == START + 7 * DAY + timedelta(hours=6)
    run(world, name, second)
    assert next_due(world, name) is None


def test_reminders_keep_to_a_persons_own_working_days(world: Any) -> None:
    # someone in New York who works at the weekend only, in a Monday-to-Friday program: the invitation's and the
    # agreement's reminders, due on Wednesday, wait for Saturday 09:00 there (14:00 UTC)
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(s, ws)
        weekend = someone(s, ws, "U0WE", "America/New_York")
        weekend.working_days = [5, 6]
        enrolled(s, pilot, weekend, EnrollmentStatus.INVITED, since=START)
        berlin = someone(s, ws, "U0BER", "Europe/Berlin")
        accepted_by_one(s, pilot, berlin, weekend)
        s.commit()
    for name in ("invites.reminders", "agreement.reminders"):
        assert first_act(world, name, within=6 * DAY) == START + 5 * DAY + timedelta(hours=6), name


def test_agreement_reminders_end_with_the_window(world: Any) -> None:
    """An agreement two weeks old gets no more reminders: none is named at or after its 14th day."""
    name = "agreement.reminders"
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(s, ws)
        a, b = someone(s, ws, "U0A", "Pacific/Kiritimati"), someone(s, ws, "U0B", "Pacific/Kiritimati")
        pair = Pair(program_id=pilot.id, participant_a_id=a.id, participant_b_id=b.id, started_at=START)
        s.add(pair)
        s.flush()
        # created on a Friday 13 days ago, both reminders still to come, the last one sent a moment ago
        agreement = Agreement(
            pair_id=pair.id, created_at=START - 13 * DAY - timedelta(hours=8), reminders_a=1, reminded_a_at=START
        )
        s.add(agreement)
        s.flush()
        s.add(AgreementVersion(agreement_id=agreement.id, number=1, sections={}, created_at=START))
        s.commit()
    # b's first: Tuesday 09:00 in Kiritimati (it is Monday 22:00 there), five hours before the window closes
    first = first_act(world, name, within=DAY)
    assert first == START + timedelta(hours=11)
    run(world, name, first)
    assert next_due(world, name) is None  # a's last one, and b's, would be due only after the window


# -- the digest ------------------------------------------------------------------------------------------------------
def test_the_digest_at_nine_in_the_programs_zone_once_a_day(world: Any) -> None:
    name = "digest.daily"
    with world.session_factory() as s:
        ws = workspace(s)
        program(s, ws, timezone="Asia/Kolkata", last_digest_on=date(2027, 1, 4))  # today's is done
        program(s, ws, name="Draft", status=ProgramStatus.DRAFT, timezone="Pacific/Kiritimati")
        s.commit()
    first = first_act(world, name, within=2 * DAY, every=timedelta(minutes=30))
    assert first == datetime(2027, 1, 5, 3, 30, tzinfo=UTC)  # Tuesday 09:00 in Kolkata
    run(world, name, first)
    assert first_act(world, name, within=2 * DAY) == first + DAY


def test_no_digest_without_an_admin_channel(world: Any) -> None:
    with world.session_factory() as s:
        program(s, workspace(s, admin_channel=None))
        s.commit()
    assert next_due(world, "digest.daily") is None


# -- retention -------------------------------------------------------------------------------------------------------
def test_retention_warns_a_week_before_and_deletes_at_three_in_the_programs_zone(world: Any) -> None:
    name = "retention.daily"
    with world.session_factory() as s:
        ws = workspace(s)
        pilot = program(
            s, ws, start_date=date(2026, 12, 2), duration_weeks=4, retention_months=1, timezone="Asia/Kolkata"
        )
        program(s, ws, name="Running", start_date=None)  # no end: never
        plan = retention_rules.of(pilot)
        s.commit()
    assert plan is not None and plan.due_on == date(2027, 1, 30)
    world.clock.set(plan.notice_at - DAY)
    # the job commits what it does, the probe's too: the heads-up is sent, then the data deleted
    assert first_act(world, name, within=2 * DAY) == plan.notice_at  # Saturday 23 January, 09:00 in Kolkata
    world.clock.set(plan.due_at - DAY)
    assert first_act(world, name, within=2 * DAY) == plan.due_at  # 30 January, 03:00 in Kolkata
    assert next_due(world, name) is None


def test_retention_without_hosts_to_warn_only_deletes(world: Any) -> None:
    with world.session_factory() as s:
        ws = workspace(s, admin_channel=None)
        pilot = program(s, ws, start_date=date(2026, 12, 2), duration_weeks=4, retention_months=1)
        plan = retention_rules.of(pilot)
        s.commit()
    assert plan is not None
    world.clock.set(plan.notice_at - DAY)
    assert next_due(world, "retention.daily") == plan.due_at


def test_the_daily_look_for_strangers_at_half_past_three_utc(world: Any) -> None:
    name = "retention.people"
    assert next_due(world, name) is None
    with world.session_factory() as s:
        workspace(s, checked=START.date())  # today's look is done
        s.commit()
    assert first_act(world, name, within=2 * DAY) == datetime(2027, 1, 5, 3, 30, tzinfo=UTC)


# -- the housekeeping ------------------------------------------------------------------------------------------------
def test_events_are_pruned_when_two_days_old(world: Any) -> None:
    name = "events.prune"
    assert next_due(world, name) is None
    with world.session_factory() as s:
        s.add(SlackEvent(event_id="Ev1", team_id="T0TANDEM", received_at=START - timedelta(hours=1)))
        s.add(SlackEvent(event_id="Ev2", team_id="T0TANDEM", received_at=START + timedelta(hours=1)))
        s.commit()
    # deleted once older than two days: the first tick after 07:00 on Wednesday
    assert first_act(world, name, within=3 * DAY) == START + 2 * DAY - timedelta(minutes=59)


def test_a_stale_invite_batch_is_given_back_after_ten_minutes(world: Any) -> None:
    name = "invites.release_stale_batches"
    with world.session_factory() as s:
        pilot = program(s, workspace(s))
        s.add(InviteBatch(program_id=pilot.id, requested_by="U0HOST", status=BatchStatus.PENDING, created_at=START))
        s.commit()
    assert next_due(world, name) is None  # nobody works on it yet
    with world.session_factory() as s:
        s.add(
            InviteBatch(
                program_id=pilot.id,
                requested_by="U0HOST",
                status=BatchStatus.PROCESSING,
                created_at=START,
                claimed_at=START - timedelta(minutes=4),
            )
        )
        s.commit()
    assert first_act(world, name, within=DAY, every=MINUTE) == START + timedelta(minutes=7)
