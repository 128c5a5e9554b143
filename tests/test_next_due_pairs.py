"""Each due job and its next-due (``bot.jobs.NEXT_DUE``), on the database: the moment it names is a bound (the job,
run and rolled back at moments before it, writes nothing: ``check_next_due``) and tight (run at the first minute
tick at or after it, the job writes). Worlds are written straight to the database: a program, people and a pair,
then the rows each step needs; the jobs run at the clock's moments without Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from bot.jobs import DUE_JOBS, NEXT_DUE
from bot.models import (
    Cancellation,
    Enrollment,
    EnrollmentStatus,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    PollRound,
    Program,
    ProgramStatus,
    Retro,
    TrialCheck,
    WeekPartner,
    Workspace,
)
from bot.sandbox.stack import LocalStack
from bot.services.ticks import MINUTE, probe
from tests.helpers import START, check_next_due

SIX_HOURS = timedelta(hours=6)
PROGRAM_START = date(2027, 1, 11)  # a Monday, a week after START


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _world(
    stack: LocalStack,
    *,
    zones: tuple[str, ...] = ("Europe/Berlin", "Asia/Singapore"),
    admin: str | None = "C0ADMIN",
    **program: Any,
) -> dict[str, Any]:
    """A workspace, an active program starting on ``PROGRAM_START`` (Mondays 09:00 Berlin, 8 weeks, no trial, no
    pulse, a retro every 4 weeks unless ``program`` says otherwise), people in ``zones`` onboarded in it, paired two
    by two at the clock's now. Returns the ids."""
    now = stack.clock.now()
    with stack.session_factory() as s:
        workspace = Workspace(team_id="T0NEXT", admin_channel_id=admin, created_at=now)
        s.add(workspace)
        s.flush()
        values = {
            "name": "Pilot 2027",
            "status": ProgramStatus.ACTIVE,
            "start_date": PROGRAM_START,
            "duration_weeks": 8,
            "timezone": "Europe/Berlin",
            "trial_weeks": 0,
            "poll_every_weeks": 0,
            "retro_every_weeks": 4,
            **program,
        }
        prog = Program(workspace_id=workspace.id, created_at=now, updated_at=now, **values)
        s.add(prog)
        s.flush()
        people = []
        for i, tz in enumerate(zones):
            person = Participant(
                workspace_id=workspace.id,
                slack_user_id=f"U0NEXT{i:03d}",
                display_name=f"Person {i}",
                tz=tz,
                created_at=now,
                updated_at=now,
            )
            s.add(person)
            s.flush()
            s.add(
                Enrollment(
                    program_id=prog.id,
                    participant_id=person.id,
                    status=EnrollmentStatus.ONBOARDED,
                    invited_at=now,
                    completed_at=now,
                    last_activity_at=now,
                )
            )
            people.append(person.id)
        pairs = []
        for a, b in zip(people[::2], people[1::2], strict=True):
            pair = Pair(program_id=prog.id, participant_a_id=a, participant_b_id=b, started_at=now, reasons=[])
            s.add(pair)
            s.flush()
            pairs.append(pair.id)
        s.commit()
        return {"workspace": workspace.id, "program": prog.id, "people": people, "pairs": pairs}


def _at(stack: LocalStack, when: datetime) -> None:
    stack.clock.set(when)  # type: ignore[attr-defined]


def _run(stack: LocalStack, name: str) -> int:
    """The job ``name`` at the clock's now, committed (nothing is sent: the worker does not run)."""
    with stack.session_factory() as s:
        done = DUE_JOBS[name](s, stack.clock.now())
        s.commit()
    return done


def _tick_at_or_after(moment: datetime) -> datetime:
    """The first whole minute at or after ``moment`` (where a clock ticking each minute meets it)."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + MINUTE


def _writes_at(stack: LocalStack, name: str, when: datetime) -> list[str]:
    """``probe``, in a transaction begun at once. On SQLite, Python's driver begins one only at a write statement, so
    a job whose first write is a SAVEPOINT (``outbox.enqueue``) would commit at its RELEASE, rollback or not."""

    def begun() -> Session:
        session = stack.session_factory()
        if stack.engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN")
        return session

    return probe(stack.engine, begun, DUE_JOBS[name], when)


def _bound_and_tight(stack: LocalStack, name: str, *, until: datetime, every: timedelta = SIX_HOURS) -> datetime:
    """``NEXT_DUE[name]`` is a bound (nothing written before it: every ``every``, and in its last minute) and tight
    (the job writes at the first tick at or after it). Returns the moment."""
    now = stack.clock.now()
    due = check_next_due(stack, name, until=until, every=every)
    assert due is not None and due < until, f"{name}: {due}"
    for before in (due - MINUTE, due - timedelta(microseconds=1)):
        if before > now:
            assert not _writes_at(stack, name, before), f"{name} at {before}"
    assert _writes_at(stack, name, max(now, _tick_at_or_after(due))), name
    return due


def _next(stack: LocalStack, name: str) -> datetime | None:
    with stack.session_factory() as s:
        return NEXT_DUE[name](s, stack.clock.now())


def _quiet_until(stack: LocalStack, name: str, until: datetime, every: timedelta = timedelta(days=1)) -> None:
    """``NEXT_DUE[name]`` names nothing, and the job writes nothing up to ``until``."""
    assert check_next_due(stack, name, until=until, every=every) is None


# -- rhythm.weekly ------------------------------------------------------------------------------------------------
def test_rhythm_next_week_nudge_stale_nudge_and_midweek(stack: LocalStack) -> None:
    world = _world(stack)
    # week 1, Monday 11 January: the thread at 09:00 in Singapore (01:00 UTC); Berlin's nudge at 09:00 there
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 12)) == utc(2027, 1, 11, 1)
    _at(stack, utc(2027, 1, 11, 1))
    assert _run(stack, "rhythm.weekly") == 1
    # the prompt is not out (nothing was sent): the nudge is due at 08:00 but waits; at 20:00 it is stale, dropped
    assert _next(stack, "rhythm.weekly") == utc(2027, 1, 11, 8)
    assert check_next_due(stack, "rhythm.weekly", until=utc(2027, 1, 12), every=timedelta(hours=1)) == utc(
        2027, 1, 11, 8
    )
    _at(stack, utc(2027, 1, 11, 8))
    assert not _writes_at(stack, "rhythm.weekly", utc(2027, 1, 11, 8))
    stale = _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 12), every=timedelta(hours=1))
    assert stale == utc(2027, 1, 11, 20, 0, 0, 1)
    # the prompt went out (its thread is known): the nudge goes at 08:00
    with stack.session_factory() as s:
        s.execute(update(PairWeek).values(thread_ts="1786410000.000100", channel_id="G0PAIR"))
        s.commit()
    assert _next(stack, "rhythm.weekly") == utc(2027, 1, 11, 8)
    assert _run(stack, "rhythm.weekly") == 1  # the nudge
    # then the mid-week nudges of both (neither answered), the earlier first
    with stack.session_factory() as s:
        midweek = min(at for at in s.scalars(select(WeekPartner.midweek_at)) if at is not None)
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 18, 2)) == midweek
    # a pair that ended: its partners' mid-week nudges are dropped when they come; no more weeks
    with stack.session_factory() as s:
        s.execute(update(Pair).where(Pair.id == world["pairs"][0]).values(status=PairStatus.ENDED))
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 18, 2)) == midweek
    _at(stack, utc(2027, 1, 17))
    assert _next(stack, "rhythm.weekly") == utc(2027, 1, 17)  # both due, both dropped now
    assert _run(stack, "rhythm.weekly") == 0
    _quiet_until(stack, "rhythm.weekly", utc(2027, 3, 20))


def _weeks(stack: LocalStack) -> dict[int, tuple[str, dict[int, datetime]]]:
    """Each week the clock dealt with: number -> (status, participant id -> their prompt moment)."""
    with stack.session_factory() as s:
        rows = s.execute(select(PairWeek.id, PairWeek.number, PairWeek.status)).all()
        return {
            number: (
                status,
                dict(
                    s.execute(
                        select(WeekPartner.participant_id, WeekPartner.prompt_at).where(WeekPartner.week_id == week_id)
                    )
                    .tuples()
                    .all()
                ),
            )
            for week_id, number, status in rows
        }


def test_rhythm_a_week_on_a_regional_holiday_reaches_that_partner_the_next_working_morning(stack: LocalStack) -> None:
    # Wednesdays 09:00, from Wednesday 6 January 2027: Epiphany, a public holiday in Bavaria, not in Berlin
    world = _world(stack, zones=("Europe/Berlin", "Europe/Berlin"), prompt_weekday=2, start_date=date(2027, 1, 6))
    bavaria, berlin = world["people"]
    with stack.session_factory() as s:
        s.execute(update(Participant).where(Participant.id == bavaria).values(region="BY"))
        s.execute(update(Participant).where(Participant.id == berlin).values(region="BE"))
        s.commit()
    # the thread at 09:00 in Berlin; the Bavarian partner's moment (a DM nudge) is Thursday 09:00
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 7)) == utc(2027, 1, 6, 8)
    _at(stack, utc(2027, 1, 6, 8))
    assert _run(stack, "rhythm.weekly") == 1
    assert _weeks(stack) == {1: ("open", {berlin: utc(2027, 1, 6, 8), bavaria: utc(2027, 1, 7, 8)})}
    with stack.session_factory() as s:
        nudges = dict(s.execute(select(WeekPartner.participant_id, WeekPartner.nudge_at)).tuples().all())
    assert nudges == {berlin: None, bavaria: utc(2027, 1, 7, 8)}
    # week 2, Wednesday 13 January, is a working day for both
    _at(stack, utc(2027, 1, 12))
    with stack.session_factory() as s:  # the nudge is not this test's business: drop it
        s.execute(update(WeekPartner).values(nudge_at=None, midweek_at=None))
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 14)) == utc(2027, 1, 13, 8)


def test_rhythm_a_week_due_on_a_weekend_goes_on_monday_and_still_counts(stack: LocalStack) -> None:
    # Saturdays 09:00 from 9 January 2027, a program working Monday to Thursday: every week's moment is Monday 09:00
    # (Berlin 08:00 UTC, New York 14:00 UTC), and the weeks keep their numbers
    _world(
        stack,
        zones=("Europe/Berlin", "America/New_York"),
        prompt_weekday=5,
        start_date=date(2027, 1, 9),
        working_days=[0, 1, 2, 3],
    )
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 12)) == utc(2027, 1, 11, 8)
    _at(stack, utc(2027, 1, 11, 8))
    assert _run(stack, "rhythm.weekly") == 1
    with stack.session_factory() as s:  # the nudges are not this test's business: drop them
        s.execute(update(WeekPartner).values(nudge_at=None, midweek_at=None))
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 19)) == utc(2027, 1, 18, 8)
    _at(stack, utc(2027, 1, 18, 8))
    assert _run(stack, "rhythm.weekly") == 1
    weeks = _weeks(stack)
    assert {n: status for n, (status, _) in weeks.items()} == {1: "open", 2: "open"}
    assert sorted(weeks[2][1].values()) == [utc(2027, 1, 18, 8), utc(2027, 1, 18, 14)]
    with stack.session_factory() as s:
        days = dict(s.execute(select(PairWeek.number, PairWeek.day)).tuples().all())
    assert days == {1: date(2027, 1, 9), 2: date(2027, 1, 16)}  # the week's day is the schedule's


def test_rhythm_a_person_working_tuesday_to_saturday_gets_the_prompt_on_saturday_not_on_monday(
    stack: LocalStack,
) -> None:
    # Saturdays 09:00 from 9 January 2027 in a Monday-to-Friday program, both partners in Berlin; one of them works
    # Tuesday to Saturday (their own days, from the interview): the week reaches them on Saturday, the other on Monday
    world = _world(stack, zones=("Europe/Berlin", "Europe/Berlin"), prompt_weekday=5, start_date=date(2027, 1, 9))
    tue_sat, mon_fri = world["people"]
    with stack.session_factory() as s:
        s.execute(update(Participant).where(Participant.id == tue_sat).values(working_days=[1, 2, 3, 4, 5]))
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 12)) == utc(2027, 1, 9, 8)
    _at(stack, utc(2027, 1, 9, 8))
    assert _run(stack, "rhythm.weekly") == 1
    assert _weeks(stack) == {1: ("open", {tue_sat: utc(2027, 1, 9, 8), mon_fri: utc(2027, 1, 11, 8)})}
    # week 2 moved to Monday 18 January: Monday reaches the other partner, them only on Tuesday
    with stack.session_factory() as s:
        s.execute(update(WeekPartner).values(nudge_at=None, midweek_at=None))  # not this test's business
        s.add(
            PairWeek(
                pair_id=world["pairs"][0],
                number=2,
                day=date(2027, 1, 16),
                moved_to=date(2027, 1, 18),
                status="scheduled",
                created_at=START,
            )
        )
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 19)) == utc(2027, 1, 18, 8)
    _at(stack, utc(2027, 1, 18, 8))
    assert _run(stack, "rhythm.weekly") == 1
    assert _weeks(stack)[2] == ("open", {mon_fri: utc(2027, 1, 18, 8), tue_sat: utc(2027, 1, 19, 8)})


def test_rhythm_moved_week_and_paused_program(stack: LocalStack) -> None:
    world = _world(stack, zones=("Europe/Berlin", "America/New_York"))
    # week 1 moved to Wednesday 13 January: 09:00 in Berlin (08:00 UTC)
    with stack.session_factory() as s:
        s.add(
            PairWeek(
                pair_id=world["pairs"][0],
                number=1,
                day=PROGRAM_START,
                moved_to=date(2027, 1, 13),
                status="scheduled",
                created_at=START,
            )
        )
        s.commit()
    assert _bound_and_tight(stack, "rhythm.weekly", until=utc(2027, 1, 14)) == utc(2027, 1, 13, 8)
    with stack.session_factory() as s:  # a program not running: its pairs have no weeks
        s.execute(update(Program).values(status=ProgramStatus.PAUSED))
        s.commit()
    _quiet_until(stack, "rhythm.weekly", utc(2027, 3, 20))


# -- trial.check_in -----------------------------------------------------------------------------------------------
def test_trial_ask_then_resolve(stack: LocalStack) -> None:
    _world(stack, trial_weeks=4)
    asked = START + timedelta(weeks=4)
    assert _bound_and_tight(stack, "trial.check_in", until=asked + timedelta(days=1), every=timedelta(days=1)) == asked
    _at(stack, asked)
    assert _run(stack, "trial.check_in") == 1
    with stack.session_factory() as s:
        closes = s.scalars(select(TrialCheck.closes_at)).one()
    assert _bound_and_tight(stack, "trial.check_in", until=closes + timedelta(days=1)) == closes
    with stack.session_factory() as s:  # a paused program's questions wait for it to resume
        s.execute(update(Program).values(status=ProgramStatus.PAUSED))
        s.commit()
    _quiet_until(stack, "trial.check_in", closes + timedelta(days=14))


# -- escalations.late_pattern -------------------------------------------------------------------------------------
def _cancel(stack: LocalStack, world: dict[str, Any], *at: datetime) -> None:
    with stack.session_factory() as s:
        for i, when in enumerate(at):
            s.add(
                Cancellation(
                    pair_id=world["pairs"][0],
                    participant_id=world["people"][0],
                    week_number=i + 1,
                    late=True,
                    created_at=when,
                )
            )
        s.commit()


@pytest.mark.parametrize("admin", ["C0ADMIN", None])
def test_late_pattern_now_or_once_there_are_hosts(stack: LocalStack, admin: str | None) -> None:
    world = _world(stack, admin=admin)
    _cancel(stack, world, START - timedelta(days=3), START - timedelta(hours=1))
    if not admin:  # no hosts to tell: the pattern waits, and nothing changes while its cancellations leave the window
        _quiet_until(stack, "escalations.late_pattern", START + timedelta(weeks=7))
        with stack.session_factory() as s:
            s.execute(update(Workspace).values(admin_channel_id="C0ADMIN"))
            s.commit()
    assert _bound_and_tight(stack, "escalations.late_pattern", until=START + timedelta(days=1)) == START
    _run(stack, "escalations.late_pattern")
    _quiet_until(stack, "escalations.late_pattern", START + timedelta(weeks=7))


def test_late_pattern_forms_when_a_second_cancellation_comes(stack: LocalStack) -> None:
    world = _world(stack)
    _cancel(stack, world, START - timedelta(days=3), START + timedelta(days=5))
    assert _bound_and_tight(stack, "escalations.late_pattern", until=START + timedelta(days=6)) == START + timedelta(
        days=5
    )


# -- polls.due ----------------------------------------------------------------------------------------------------
def test_polls_open_then_close(stack: LocalStack) -> None:
    _world(stack, poll_every_weeks=2)
    opens = utc(2027, 1, 25, 8)  # two weeks after the start, 09:00 in Berlin
    assert _bound_and_tight(stack, "polls.due", until=opens + timedelta(days=1)) == opens
    _at(stack, opens)
    assert _run(stack, "polls.due") == 1
    closes = utc(2027, 1, 30, 8)  # five days later, 09:00 in Berlin
    assert _bound_and_tight(stack, "polls.due", until=closes + timedelta(days=1)) == closes


def test_polls_round_due_with_everyone_on_a_break(stack: LocalStack) -> None:
    world = _world(stack, poll_every_weeks=2, zones=("Europe/Berlin", "America/New_York"))
    with stack.session_factory() as s:
        s.execute(
            update(Participant).where(Participant.id == world["people"][0]).values(paused_until=date(2027, 1, 27))
        )
        s.execute(
            update(Participant).where(Participant.id == world["people"][1]).values(paused_until=date(2027, 1, 26))
        )
        s.commit()
    opens = utc(2027, 1, 25, 8)
    assert _next(stack, "polls.due") == opens
    _at(stack, opens)
    # nobody to ask: the round waits for the first break to end, at midnight in New York (05:00 UTC)
    resumes = utc(2027, 1, 27, 5)
    assert _bound_and_tight(stack, "polls.due", until=resumes + timedelta(days=1), every=timedelta(hours=2)) == resumes


# -- impact.weekly_digest -----------------------------------------------------------------------------------------
def test_weekly_release_each_monday_after_the_start(stack: LocalStack) -> None:
    _world(stack, admin=None)  # no admin channel: the release and its snapshot, no digest
    first = utc(2027, 1, 18, 8)  # the first Monday after the start, 09:00 in Berlin
    assert _bound_and_tight(stack, "impact.weekly_digest", until=first + timedelta(days=1)) == first
    _at(stack, first + timedelta(hours=3))
    assert _run(stack, "impact.weekly_digest") == 1
    second = utc(2027, 1, 25, 8)
    assert _bound_and_tight(stack, "impact.weekly_digest", until=second + timedelta(days=1)) == second


# -- retro.due ----------------------------------------------------------------------------------------------------
def test_retro_opens_after_a_cycle_and_the_program_retro_after_the_end(stack: LocalStack) -> None:
    world = _world(stack)
    # cycle 1 ends with week 4 (Monday 1 February): Thursday 10:00 for the later partner (Berlin, 09:00 UTC)
    opens = utc(2027, 2, 4, 9)
    assert _bound_and_tight(stack, "retro.due", until=opens + timedelta(days=1)) == opens
    with stack.session_factory() as s:  # both cycles' retros opened
        for cycle, last in ((1, 4), (2, 8)):
            s.add(
                Retro(
                    pair_id=world["pairs"][0],
                    program_id=world["program"],
                    cycle=cycle,
                    last_week=last,
                    final=cycle == 2,
                    opened_at=START,
                )
            )
        s.commit()
    report = utc(2027, 3, 15, 8)  # a week after the end (Monday 8 March), 09:00 in Berlin
    assert _bound_and_tight(stack, "retro.due", until=report + timedelta(days=1), every=timedelta(days=1)) == report
    _at(stack, report)
    assert _run(stack, "retro.due") == 1
    _quiet_until(stack, "retro.due", utc(2027, 6, 1))


def test_poll_rounds_close_whatever_their_program(stack: LocalStack) -> None:
    world = _world(stack)
    with stack.session_factory() as s:
        s.add(
            PollRound(
                program_id=world["program"],
                number=1,
                opens_on=date(2027, 1, 4),
                closes_on=date(2027, 1, 9),
                threshold=3,
                questions=[],
            )
        )
        s.execute(update(Program).values(status=ProgramStatus.CLOSED))
        s.commit()
    assert _bound_and_tight(stack, "polls.due", until=utc(2027, 1, 10)) == utc(2027, 1, 9, 8)


def _statements(stack: LocalStack, name: str) -> int:
    """How many statements the job ``name`` runs at the clock's now."""
    count = 0

    def seen(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(stack.engine, "before_cursor_execute", seen)
    try:
        _run(stack, name)
    finally:
        event.remove(stack.engine, "before_cursor_execute", seen)
    return count


def test_rhythm_a_quiet_minute_costs_the_same_for_one_pair_as_for_three(stack: LocalStack) -> None:
    """The clock asks every active tandem's working times each minute: read with the tandems (own working days too),
    not one person at a time."""
    _world(stack, zones=("Europe/Berlin", "Asia/Singapore", "Europe/Vienna", "America/New_York", "UTC", "Asia/Tokyo"))
    _at(stack, utc(2027, 1, 13, 12, 1))  # a Wednesday of the first week
    _run(stack, "rhythm.weekly")  # what is due by now (the first week's prompts)
    stack.clock.advance(MINUTE)  # type: ignore[attr-defined]
    three = _statements(stack, "rhythm.weekly")
    with stack.session_factory() as s:
        s.execute(update(Pair).where(Pair.id != s.scalar(select(func.min(Pair.id)))).values(status=PairStatus.ENDED))
        s.commit()
    assert _statements(stack, "rhythm.weekly") == three
