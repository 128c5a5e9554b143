"""The works council's switches (issue 18, ``bot.domain.monitoring``): each one off leaves hosts counts only, or
participants without a streak. Service and block level; the program modal's round trip is in test_e2e_admin."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import impact as impact_blocks
from bot.domain.rhythm import WeekStatus
from bot.flows import escalation as escalation_flow
from bot.flows import rhythm as rhythm_flow
from bot.models import Escalation, OutboxMessage, Pair, PairWeek, Participant, Program, Workspace
from bot.services import escalations, impact, rhythm
from bot.services.impact import PairImpact

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


# -- streaks ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("streaks", [True, False])
def test_home_items_count_a_streak_only_when_the_program_has_streaks_on(session: Session, streaks: bool) -> None:
    program = Program(id=1, name="Pilot", streaks=streaks)
    pair = Pair(id=1, program_id=1)
    weeks = [
        PairWeek(id=10 + n, pair_id=1, number=n, status=WeekStatus.CLOSED, thread_at=NOW - timedelta(weeks=3 - n))
        for n in (1, 2, 3)
    ]
    [item] = impact.home_items(
        session, [pair], programs_by_id={1: program}, weeks={1: weeks}, answered={11, 12, 13}, now=NOW
    )
    assert item.streak == (3 if streaks else None)


def _home_text(items: list[PairImpact]) -> str:
    return "\n".join(b["text"]["text"] for b in impact_blocks.home_section("en", items, []) if b.get("text"))


def test_app_home_shows_no_streak_for_a_program_with_streaks_off() -> None:
    on = PairImpact(pair_id=1, program="Pilot", streak=3, metrics=[])
    off = PairImpact(pair_id=2, program="Quiet", streak=None, metrics=[])
    assert "Your streak: *3* weeks" in _home_text([on])
    assert impact_blocks.home_section("en", [off], []) == []  # nothing to show, nothing shown
    assert impact_blocks.home_section("de", [off], []) == []
    # with pair metrics, *Log a value* stays, without a streak
    [section] = impact_blocks.home_section("en", [PairImpact(2, "Quiet", None, ["Reach"])], [])
    assert "streak" not in section["text"]["text"].lower() and "*Quiet*" in section["text"]["text"]
    assert section["accessory"]["text"]["text"] == "Log a value"


# -- named silence flags -------------------------------------------------------------------------------------------
def _world(session: Session, **switches: bool) -> tuple[Workspace, Program, list[Participant]]:
    ws = Workspace(team_id="T1", bot_user_id="UB", admin_channel_id="CHOSTS", created_at=NOW)
    session.add(ws)
    session.flush()
    program = Program(workspace_id=ws.id, name="Pilot", created_at=NOW, updated_at=NOW, **switches)
    people = [
        Participant(workspace_id=ws.id, slack_user_id=f"U00000{i}", created_at=NOW, updated_at=NOW) for i in range(1, 5)
    ]
    session.add_all([program, *people])
    session.flush()
    return ws, program, people


def _to_hosts(session: Session) -> list[str]:
    return [
        json.dumps(m.payload, ensure_ascii=False)
        for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if m.payload.get("channel") == "CHOSTS"
    ]


@pytest.mark.parametrize("named", [True, False])
def test_silent_pairs_reach_the_hosts_by_name_only_when_the_program_names_them(
    session: Session, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    _ws, program, (a, b, c, d) = _world(session, named_silence=named)
    found = [rhythm.SilentPair(program, a, b, (2, 3), 101), rhythm.SilentPair(program, c, d, (1, 2, 3), 102)]
    monkeypatch.setattr(rhythm_flow.rhythm, "due", lambda session, now: rhythm.Tick(handled=2, silent=found))
    assert rhythm_flow.due(session, NOW) == 4
    sent = _to_hosts(session)
    if named:
        assert len(sent) == 2 and "<@U000001>" in sent[0] and "<@U000002>" in sent[0] and "<@U000003>" in sent[1]
    else:
        [count] = sent
        assert "2 tandems have just gone quiet" in count and "at least 2 weeks" in count and "Pilot" in count
        assert not any(f"U00000{i}" in count for i in range(1, 5))


# -- the late-cancellation log --------------------------------------------------------------------------------------
def _dms(session: Session, user: str) -> list[str]:
    return [
        json.dumps(m.payload, ensure_ascii=False)
        for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if m.payload.get("channel") == user
    ]


@pytest.mark.parametrize("logged", [True, False])
def test_late_cancellation_patterns_reach_the_hosts_as_requests_only_when_the_program_logs_them(
    session: Session, monkeypatch: pytest.MonkeyPatch, logged: bool
) -> None:
    ws, program, (a, b, c, d) = _world(session, late_cancel_log=logged)
    pairs = [
        Pair(program_id=program.id, participant_a_id=x.id, participant_b_id=y.id, started_at=NOW)
        for x, y in ((a, b), (c, d))
    ]
    session.add_all(pairs)
    session.flush()
    found = [
        escalations.LatePattern(a, pairs[0], program, ws, [1, 2]),
        escalations.LatePattern(c, pairs[1], program, ws, [3, 4, 5]),
    ]
    monkeypatch.setattr(escalation_flow.escalations, "late_patterns", lambda session, now: found)
    assert escalation_flow.late_patterns(session, NOW) == 2
    sent = _to_hosts(session)
    requests = session.scalars(select(Escalation)).all()
    if logged:  # one request per person, each with *Answer* (to write to that person)
        assert len(requests) == 2 and len(sent) == 2 and all("escalation.answer" in m for m in sent)
    else:  # one count, no request, nothing to answer
        assert requests == []
        [count] = sent
        assert "2 participants cancelled or moved 2 or more sessions" in count and "Pilot" in count
        assert "escalation.answer" not in count and "U000001" not in count and "U000003" not in count
    # the people themselves hear it either way; without the log, that the hosts cannot write to them about it
    [to_a] = _dms(session, "U000001")
    assert "2 sessions were cancelled or moved" in to_a
    assert ("cannot write to you" in to_a) is not logged
    assert len(_dms(session, "U000003")) == 1 and _dms(session, "U000002") == []
