"""When each clock job may next act (``bot.jobs.NEXT_DUE``), on small worlds written straight to the database: the job
writes nothing at the minutes before the moment its NextDue names (``check_next_due``) and writes at the first
minute tick at or after it. And when the outbox worker may next have something to do (``outbox.next_due``)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SimulatedClock
from bot.domain.delivery import STALE_CLAIM
from bot.jobs import DUE_JOBS, NEXT_DUE, every_minute
from bot.models import (
    BatchStatus,
    InviteBatch,
    OutboxMessage,
    OutboxStatus,
    Program,
    ProgramStatus,
    SpeedRound,
    SpeedStatus,
    Workspace,
)
from bot.services import delivery_alerts, outbox
from bot.services.ticks import MINUTE, next_tick, probe
from tests.helpers import START, check_next_due

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
NAMES = itertools.count(1)


@pytest.fixture
def world(engine: Engine, session_factory: sessionmaker[Session]) -> Any:
    """What ``check_next_due`` needs of a stack (a simulated clock, the engine, sessions), without Slack: one
    workspace (id in ``world.workspace``), no admin channel."""
    with session_factory() as s:
        workspace = Workspace(team_id="T0NEXT", created_at=START)
        s.add(workspace)
        s.commit()
        workspace_id = workspace.id
    return SimpleNamespace(
        clock=SimulatedClock(START), engine=engine, session_factory=session_factory, workspace=workspace_id
    )


def _next(world: Any, name: str, *, until: timedelta, every: timedelta = timedelta(minutes=20)) -> datetime | None:
    """``check_next_due`` (quiet before the moment, checked every ``every`` and at the last minute before it); when
    it names a moment, the job writes at the first minute tick at or after it. Returns the moment."""
    now = world.clock.now()
    due = check_next_due(world, name, until=now + until, every=every)
    if due is None:
        return None
    tick = now if due <= now else next_tick(now, until=due + MINUTE, due=due)
    if tick - MINUTE > now:
        assert not probe(world.engine, world.session_factory, DUE_JOBS[name], tick - MINUTE), f"{name} early"
    assert probe(world.engine, world.session_factory, DUE_JOBS[name], tick), f"{name} idle at {tick}"
    return due


def _program(world: Any, **values: Any) -> int:
    with world.session_factory() as s:
        program = Program(
            workspace_id=world.workspace,
            name=values.pop("name", "Pilot"),
            status=ProgramStatus.ACTIVE,
            created_at=START,
            updated_at=START,
            **values,
        )
        s.add(program)
        s.commit()
        return program.id


def _round(world: Any, **values: Any) -> int:
    program_id = _program(world, name=f"Speed {next(NAMES)}")
    with world.session_factory() as s:
        round_ = SpeedRound(program_id=program_id, created_by=None, stats={}, **values)
        s.add(round_)
        s.commit()
        return round_.id


def _message(world: Any, channel: str = "U0CLEO", **values: Any) -> int:
    with world.session_factory() as s:
        message = outbox.post(
            s,
            workspace_id=values.pop("workspace_id", world.workspace),
            channel=channel,
            message={"text": "hi"},
            now=values.pop("now", world.clock.now()),
            about=outbox.NOBODY,
        )
        s.flush()
        for key, value in values.items():
            setattr(message, key, value)
        s.commit()
        return message.id


def _at(world: Any, when: datetime) -> None:
    world.clock = SimulatedClock(when)


# -- speed dating ------------------------------------------------------------------------------------------------------
def test_every_clock_job_says_when_it_may_next_act() -> None:
    # the same names in the same order, and none left at "the next minute" (which would make the clock tick each one)
    assert list(NEXT_DUE) == list(DUE_JOBS)
    assert [name for name, next_ in NEXT_DUE.items() if next_ is every_minute] == []


def test_the_ticks_stay_on_the_minutes_from_where_the_clock_started() -> None:
    origin = START
    until = origin + timedelta(hours=1)
    later = origin + timedelta(seconds=2)  # the clock stopped for a send between ticks
    assert next_tick(later, until=until, due=None, origin=origin) == until
    assert next_tick(later, until=until, due=later, origin=origin) == origin + MINUTE
    just_after_five = origin + 5 * MINUTE + timedelta(seconds=1)
    assert next_tick(later, until=until, due=just_after_five, origin=origin) == origin + 6 * MINUTE
    assert next_tick(origin + MINUTE, until=until, due=origin, origin=origin) == origin + 2 * MINUTE
    assert next_tick(origin, until=until, due=until + MINUTE, origin=origin) == until


@pytest.mark.parametrize(
    ("mode", "now", "target", "probed"),
    [
        # after a stop for a send (10:00:30), the jump to the tick at 10:05 skips the ticks 10:01 to 10:04
        ("edge", "10:00:30", "10:05", ["10:04"]),
        ("full", "10:00:30", "10:05", ["10:01", "10:02", "10:04"]),
        # from a send to the next tick, or one tick to the next: nothing skipped
        ("full", "10:00:30", "10:01", []),
        ("full", "10:00", "10:01", []),
        # to a send between ticks: the last tick skipped is before it, on the minute
        ("edge", "10:00", "10:04:30", ["10:04"]),
        # a long jump: also one probe every three hours from the first skipped tick
        ("full", "10:00", "16:30", ["10:01", "10:02", "13:01", "16:01", "16:29"]),
    ],
)
def test_a_jump_is_checked_at_the_ticks_it_skips(
    monkeypatch: pytest.MonkeyPatch, mode: str, now: str, target: str, probed: list[str]
) -> None:
    from bot.sandbox import stack as stack_module

    def at(text: str) -> datetime:
        return datetime.fromisoformat(f"2027-01-04T{text}+00:00")

    seen: list[datetime] = []
    monkeypatch.setattr(stack_module, "probe", lambda _e, _f, _job, when: seen.append(when) or [])
    fake = SimpleNamespace(verify_jumps=mode, engine=None, session_factory=None)
    stack_module.LocalStack._verify_quiet(fake, at(now), at(target), at("10:00"))  # type: ignore[arg-type]
    assert sorted(set(seen)) == [at(p) for p in probed]
    assert len(seen) == len(probed) * len(DUE_JOBS)


def test_speed_prepare_acts_while_a_round_waits(world: Any) -> None:
    assert _next(world, "speed.prepare", until=DAY) is None
    _round(world, status=SpeedStatus.PREPARING, created_at=START, closes_at=START + 3 * DAY)
    assert _next(world, "speed.prepare", until=DAY) == START


def test_speed_reminder_a_day_before_closing_or_twelve_hours_in(world: Any) -> None:
    closes = datetime(2027, 1, 7, 17, 0, tzinfo=UTC)  # Thursday 18:00 in Berlin
    first = _round(world, status=SpeedStatus.OPEN, created_at=START, closes_at=closes)
    assert _next(world, "speed.reminders", until=4 * DAY) == closes - 24 * HOUR
    # a short round: no sooner than 12 hours after it started
    short = _round(world, status=SpeedStatus.OPEN, created_at=START, closes_at=START + 20 * HOUR)
    assert _next(world, "speed.reminders", until=DAY) == START + 12 * HOUR
    with world.session_factory() as s:
        s.get(SpeedRound, short).reminded_at = START + 12 * HOUR
        s.get(SpeedRound, first).reminded_at = START + 12 * HOUR
        s.commit()
    assert _next(world, "speed.reminders", until=4 * DAY, every=2 * HOUR) is None


def test_speed_reminder_inside_its_window_is_now_and_past_the_deadline_never(world: Any) -> None:
    _round(world, status=SpeedStatus.OPEN, created_at=START - 2 * DAY, closes_at=START + 2 * HOUR)
    assert _next(world, "speed.reminders", until=DAY) == START
    _at(world, START + 3 * HOUR)  # closed by its deadline (speed.close): no reminder any more
    assert _next(world, "speed.reminders", until=DAY) is None


def test_speed_close_at_the_earliest_deadline(world: Any) -> None:
    assert _next(world, "speed.close", until=DAY) is None
    _round(world, status=SpeedStatus.OPEN, created_at=START, closes_at=START + 3 * DAY + 9 * HOUR)
    later = _round(world, status=SpeedStatus.OPEN, created_at=START, closes_at=START + 5 * DAY)
    _round(world, status=SpeedStatus.CLOSED, created_at=START, closes_at=START + DAY)
    assert _next(world, "speed.close", until=4 * DAY) == START + 3 * DAY + 9 * HOUR
    with world.session_factory() as s:
        s.get(SpeedRound, later).closes_at = START - HOUR  # past: it closes now
        s.commit()
    assert _next(world, "speed.close", until=DAY) == START - HOUR


# -- scheduled matching ------------------------------------------------------------------------------------------------
def test_scheduled_matching_at_nine_in_the_programs_zone(world: Any) -> None:
    assert _next(world, "matching.scheduled", until=DAY) is None
    program = _program(world, timezone="America/New_York", match_on=date(2027, 1, 6))
    assert _next(world, "matching.scheduled", until=3 * DAY) == datetime(2027, 1, 6, 14, 0, tzinfo=UTC)
    with world.session_factory() as s:
        s.get(Program, program).match_ran_on = date(2027, 1, 6)  # handled
        s.commit()
    assert _next(world, "matching.scheduled", until=3 * DAY, every=HOUR) is None


def test_scheduled_matching_after_the_switch_to_summer_time_and_a_day_missed(world: Any) -> None:
    # Berlin moves to summer time on Sunday 28 March 2027: 09:00 on the 29th is 07:00 UTC
    _at(world, datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    program = _program(world, timezone="Europe/Berlin", match_on=date(2027, 3, 29))
    assert _next(world, "matching.scheduled", until=3 * DAY) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    # the day passed unhandled (the clock was down): 09:00 on the next day, or now when that has come
    _at(world, datetime(2027, 3, 30, 5, 0, tzinfo=UTC))
    assert _next(world, "matching.scheduled", until=DAY) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    _at(world, datetime(2027, 3, 30, 8, 0, tzinfo=UTC))
    assert _next(world, "matching.scheduled", until=DAY) == world.clock.now()
    with world.session_factory() as s:
        s.get(Program, program).status = ProgramStatus.PAUSED
        s.commit()
    assert _next(world, "matching.scheduled", until=DAY) is None


# -- the outbox's clock jobs ---------------------------------------------------------------------------------------
def test_stale_claims_are_released_just_after_five_minutes(world: Any) -> None:
    assert _next(world, "outbox.release_stale_claims", until=HOUR) is None
    _message(world)
    with world.session_factory() as s:
        assert len(outbox.claim_due(s, now=START + timedelta(seconds=30), worker_id="gone")) == 1
    due = _next(world, "outbox.release_stale_claims", until=HOUR, every=MINUTE)
    assert due == START + timedelta(seconds=30) + STALE_CLAIM + timedelta(microseconds=1)


def test_a_claim_made_on_the_minute_is_released_the_minute_after(world: Any) -> None:
    _message(world)
    with world.session_factory() as s:
        outbox.claim_due(s, now=START, worker_id="gone")
    assert _next(world, "outbox.release_stale_claims", until=HOUR, every=MINUTE) > START + STALE_CLAIM
    assert not probe(world.engine, world.session_factory, DUE_JOBS["outbox.release_stale_claims"], START + STALE_CLAIM)


def test_parked_messages_are_emptied_a_day_after(world: Any) -> None:
    assert _next(world, "outbox.empty_parked", until=DAY) is None
    _message(world, status=OutboxStatus.PARKED, parked_at=START - HOUR, last_error="channel_not_found")
    _message(world, status=OutboxStatus.PARKED, parked_at=START + HOUR, last_error="channel_not_found")
    assert _next(world, "outbox.empty_parked", until=DAY) == START - HOUR + outbox.PARKED_KEEP


def _parked(world: Any, at: datetime, **values: Any) -> int:
    return _message(world, status=OutboxStatus.PARKED, parked_at=at, last_error="channel_not_found", **values)


def test_parked_alerts_at_the_end_of_the_hour_of_the_first_parked_message(world: Any) -> None:
    _parked(world, START + timedelta(minutes=5))
    _at(world, START + timedelta(minutes=10))
    # no admin channel: nobody to tell until there is one
    assert _next(world, "outbox.parked_alerts", until=3 * HOUR, every=10 * MINUTE) is None
    with world.session_factory() as s:
        s.get(Workspace, world.workspace).admin_channel_id = "C0HOSTS"
        s.commit()
    assert _next(world, "outbox.parked_alerts", until=3 * HOUR, every=10 * MINUTE) == START + HOUR
    # the hour's alert is queued; a message parked later in the next hour is told at its end
    with world.session_factory() as s:
        assert delivery_alerts.due(s, START + HOUR) == 1
        s.commit()
    _parked(world, START + HOUR + timedelta(minutes=40))
    _at(world, START + HOUR + timedelta(minutes=50))
    assert _next(world, "outbox.parked_alerts", until=3 * HOUR, every=10 * MINUTE) == START + 2 * HOUR


def test_parked_alerts_now_for_an_hour_not_told_yet_and_never_for_the_alerts_themselves(world: Any) -> None:
    with world.session_factory() as s:
        s.get(Workspace, world.workspace).admin_channel_id = "C0HOSTS"
        s.commit()
    _parked(world, START - timedelta(minutes=30))
    assert _next(world, "outbox.parked_alerts", until=3 * HOUR) == START
    with world.session_factory() as s:
        assert delivery_alerts.due(s, START) == 1
        alert = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(delivery_alerts.KEY))).one()
        alert.status, alert.parked_at = OutboxStatus.PARKED, START  # the alert itself could not be delivered
        s.commit()
    assert _next(world, "outbox.parked_alerts", until=3 * HOUR, every=10 * MINUTE) is None


def test_messages_of_an_uninstalled_workspace_are_parked_now(world: Any) -> None:
    with world.session_factory() as s:
        s.get(Workspace, world.workspace).uninstalled_at = START - DAY
        s.commit()
    assert _next(world, "installs.park_uninstalled", until=HOUR) is None
    _message(world, not_before=START + DAY)  # waiting for later or not: parked at once
    assert _next(world, "installs.park_uninstalled", until=HOUR) == START


# -- the worker's next send ----------------------------------------------------------------------------------------
def _worker_next(world: Any) -> datetime | None:
    with world.session_factory() as s:
        return outbox.next_due(s, world.clock.now())


def _claimable(world: Any, when: datetime) -> bool:
    with world.session_factory() as s:
        claimed = outbox.claim_due(s, now=when, worker_id="probe")
        s.rollback()
        for message in claimed:
            outbox.release(s, message.id)
        return bool(claimed)


def test_the_worker_waits_for_a_failed_message_and_what_it_holds_back(world: Any) -> None:
    assert _worker_next(world) is None
    retry = START + 10 * MINUTE
    _message(world, not_before=retry, last_error="http_503", attempts=3)
    _message(world)  # due now, but the failed one to the same person goes first
    _message(world, channel="U0LATER", not_before=START + HOUR)
    assert _worker_next(world) == retry
    assert not _claimable(world, retry - timedelta(microseconds=1)) and _claimable(world, retry)


def test_the_worker_acts_now_on_an_invitation_request_or_a_claim(world: Any) -> None:
    _message(world, not_before=START + HOUR)
    assert _worker_next(world) == START + HOUR
    program = _program(world)
    with world.session_factory() as s:
        batch = InviteBatch(program_id=program, requested_by="U0HOST", user_ids=["U0A"], created_at=START)
        s.add(batch)
        s.commit()
        assert _worker_next(world) == START
        batch.status = BatchStatus.DONE
        s.commit()
    assert _worker_next(world) == START + HOUR
    _message(world, channel="U0NOW")
    with world.session_factory() as s:
        outbox.claim_due(s, now=START, worker_id="gone")
    assert _worker_next(world) == START
