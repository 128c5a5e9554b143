"""Live sessions on the database, no Slack (both backends): a proposal replaces the previous one's open slots; the
accept's guarded update lets one click win; the reminders' job acts exactly when its NEXT_DUE says, once per
occurrence (a second tick in the same minute changes nothing), and in the reminder's place says when a partner is
on a break; a cancellation less than 24 hours ahead is late; forget-me deletes the pair's sessions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SimulatedClock
from bot.domain import live as rules
from bot.jobs import DUE_JOBS
from bot.models import (
    Cancellation,
    LiveSession,
    LiveStatus,
    OutboxMessage,
    Pair,
    Participant,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import live, privacy
from bot.services.rhythm import tandem_of
from bot.services.ticks import probe
from tests.helpers import START, check_next_due

JOB = "live.reminders"


@pytest.fixture
def world(engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    """A Berlin–Singapore pair in a program of 8 weeks from Monday 4 January 2027 (START: 08:00 UTC)."""
    with session_factory() as s:
        ws = Workspace(team_id="T0TANDEM", created_at=START)
        s.add(ws)
        s.flush()
        program = Program(
            workspace_id=ws.id,
            name="Pilot 2027",
            status=ProgramStatus.ACTIVE,
            start_date=date(2027, 1, 4),
            duration_weeks=8,
            timezone="Europe/Berlin",
            created_at=START,
            updated_at=START,
        )
        people = [
            Participant(workspace_id=ws.id, slack_user_id=u, display_name=u, tz=tz, locale=loc, created_at=START,
                        updated_at=START)
            for u, tz, loc in (("U0ANA", "Europe/Berlin", "de"), ("U0WEI", "Asia/Singapore", "en"))
        ]  # fmt: skip
        s.add_all([program, *people])
        s.flush()
        pair = Pair(
            program_id=program.id,
            participant_a_id=people[0].id,
            participant_b_id=people[1].id,
            channel_id="G0PAIR",
            started_at=START,
        )
        s.add(pair)
        s.commit()
        ids = SimpleNamespace(pair=pair.id, ana=people[0].id, wei=people[1].id)
    yield SimpleNamespace(engine=engine, session_factory=session_factory, clock=SimulatedClock(START), ids=ids)


def _propose(world: Any, now: datetime) -> list[int]:
    with world.session_factory() as s:
        found = live.propose(s, tandem=tandem_of(s, s.get(Pair, world.ids.pair)), now=now)
        assert isinstance(found, list)
        return [r.id for r in found]


def _outbox(world: Any, prefix: str) -> list[OutboxMessage]:
    with world.session_factory() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix))))


def test_propose_accept_once_remind_and_cancel_late(world: Any) -> None:
    first = _propose(world, START)
    slots = _propose(world, START + timedelta(minutes=1))  # a second proposal: the first one's slots are dropped
    with world.session_factory() as s:
        statuses = dict(s.execute(select(LiveSession.id, LiveSession.status)).tuples().all())
        assert {statuses[i] for i in first} == {LiveStatus.DROPPED} and {statuses[i] for i in slots} == {"proposed"}
        # Monday 4 Jan, 09:00 Berlin is now: the next half hour on, then Tuesday and Wednesday
        starts = [s.get(LiveSession, i).starts_at for i in slots]  # type: ignore[union-attr]
        assert starts == [
            datetime(2027, 1, 4, 8, 30, tzinfo=UTC),
            *(datetime(2027, 1, d, 8, 0, tzinfo=UTC) for d in (5, 6)),
        ]

        ana, wei = s.get(Participant, world.ids.ana), s.get(Participant, world.ids.wei)
        stale = live.accept(s, participant=wei, session_id=first[0], weekly=False, now=START)
        assert stale.refusal == "gone"
        done = live.accept(s, participant=wei, session_id=slots[1], weekly=True, now=START)
        assert done.message is not None and done.refusal is None
        taken = live.accept(s, participant=ana, session_id=slots[2], weekly=False, now=START)
        assert (taken.refusal, taken.by) == ("taken", "U0WEI")
        rows = {r.id: r for r in s.scalars(select(LiveSession).where(LiveSession.id.in_(slots)))}
        assert [rows[i].status for i in slots] == [LiveStatus.DROPPED, LiveStatus.ACCEPTED, LiveStatus.DROPPED]
        series = rows[slots[1]]
        assert series.weekly and series.until == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # midnight after 28 Feb
        assert series.accepted_by == world.ids.wei and series.remind_at == datetime(2027, 1, 5, 7, 0, tzinfo=UTC)
    assert len(_outbox(world, "live:ics:")) == 1

    # the reminder: exactly when NEXT_DUE says, to both, once
    due = check_next_due(world, JOB, until=START + timedelta(days=2), every=timedelta(hours=2))
    assert due == datetime(2027, 1, 5, 7, 0, tzinfo=UTC)
    assert not probe(world.engine, world.session_factory, DUE_JOBS[JOB], due - timedelta(minutes=1))
    for _ in range(2):  # a second tick in the same minute changes nothing
        with world.session_factory() as s:
            DUE_JOBS[JOB](s, due)
            s.commit()
    reminders = _outbox(world, "live:remind:")
    assert sorted(m.payload["channel"] for m in reminders) == ["U0ANA", "U0WEI"]
    assert "In einer Stunde" in next(m.payload["text"] for m in reminders if m.payload["channel"] == "U0ANA")

    # Ana is on a break next week: the reminder's place says the session is skipped, and when the next one is
    with world.session_factory() as s:
        s.get(Participant, world.ids.ana).paused_until = date(2027, 1, 13)  # type: ignore[union-attr]
        s.commit()
        DUE_JOBS[JOB](s, datetime(2027, 1, 12, 7, 0, tzinfo=UTC))
        s.commit()
    skipped = [m for m in _outbox(world, "live:remind:") if "2027-01-12" in (m.dedupe_key or "")]
    assert len(skipped) == 2 and all("break" in m.payload["text"] or "Pause" in m.payload["text"] for m in skipped)
    # no session, no exception: each note waits for its reader's working time (at once in Singapore, where it is
    # 15:00; at 09:00 in Berlin)
    assert sorted(m.not_before for m in skipped) == [
        datetime(2027, 1, 12, 7, 0, tzinfo=UTC),
        datetime(2027, 1, 12, 8, 0, tzinfo=UTC),
    ]

    # cancelled on Monday 18 Jan at 10:00 UTC, 22 hours before the next one: late, SEQUENCE 1, no reminder left
    with world.session_factory() as s:
        ana = s.get(Participant, world.ids.ana)
        out = live.cancel(s, participant=ana, session_id=slots[1], now=datetime(2027, 1, 18, 10, 0, tzinfo=UTC))
        assert out.message is not None
        again = live.cancel(s, participant=ana, session_id=slots[1], now=datetime(2027, 1, 18, 10, 1, tzinfo=UTC))
        assert again.refusal == "cancelled"
        row = s.get(LiveSession, slots[1])
        assert row is not None and (row.status, row.sequence, row.remind_at) == (LiveStatus.CANCELLED, 1, None)
        assert [c.late for c in s.scalars(select(Cancellation))] == [True]
    assert len(_outbox(world, "live:ics:")) == 2
    with world.session_factory() as s:
        assert live.next_reminder(s, START) is None

    # forget-me of either partner deletes the pair's sessions
    with world.session_factory() as s:
        privacy.forget(s, participant=s.get(Participant, world.ids.wei), now=START, end_pair=lambda *a, **k: None)
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_a_pair_without_a_common_hour_is_told_why_and_nothing_is_stored(world: Any) -> None:
    with world.session_factory() as s:
        s.get(Participant, world.ids.wei).tz = "Pacific/Auckland"  # type: ignore[union-attr]  # 12 hours from Berlin
        s.commit()
        found = live.propose(s, tandem=tandem_of(s, s.get(Pair, world.ids.pair)), now=START)
        assert found == rules.NoSlot(rules.NO_COMMON_HOUR)
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_two_partners_accepting_two_slots_at_once_get_one_session(world: Any) -> None:
    """PostgreSQL, where two requests run at once: Wei's accept waits for the pair while Ana's holds it, then finds
    the proposal taken (without the pair's lock both would be accepted)."""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing runs at once")
    slots = _propose(world, START)
    outcome: dict[str, Any] = {}

    def wei_clicks() -> None:
        with world.session_factory() as s:
            wei = s.get(Participant, world.ids.wei)
            outcome["wei"] = live.accept(s, participant=wei, session_id=slots[1], weekly=False, now=START)

    with world.session_factory() as s:
        s.execute(select(Pair.id).where(Pair.id == world.ids.pair).with_for_update())  # Ana's request is under way
        other = threading.Thread(target=wei_clicks)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()  # Wei's waits
        ana = s.get(Participant, world.ids.ana)
        assert live.accept(s, participant=ana, session_id=slots[0], weekly=False, now=START).message is not None
    other.join(timeout=10)
    assert (outcome["wei"].refusal, outcome["wei"].by) == ("taken", "U0ANA")
    with world.session_factory() as s:
        accepted = s.scalars(select(LiveSession.id).where(LiveSession.status == LiveStatus.ACCEPTED)).all()
        assert accepted == [slots[0]]
