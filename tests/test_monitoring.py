"""The works council's switches (issue 18, ``bot.domain.monitoring``): each one off leaves hosts counts only, or
participants without a streak. Service and block level; the program modal's round trip is in test_e2e_admin."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import admin as admin_blocks
from bot.blocks import impact as impact_blocks
from bot.domain.rhythm import WeekStatus
from bot.flows import escalation as escalation_flow
from bot.flows import rhythm as rhythm_flow
from bot.models import (
    Cancellation,
    Escalation,
    KpiSnapshot,
    OutboxMessage,
    Pair,
    PairWeek,
    Participant,
    Program,
    Retro,
    Workspace,
)
from bot.services import escalations, impact, playbook, rhythm
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
    else:  # nothing at the moment a pair's week opens: its count comes with the weekly release (below)
        assert sent == []


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
    else:  # no request, nothing to answer, and nothing for the hosts now: the count comes with the weekly release
        assert requests == [] and sent == []
    # the people themselves hear it either way; without the log, that the hosts cannot write to them about it
    [to_a] = _dms(session, "U000001")
    assert "2 sessions were cancelled or moved" in to_a
    assert ("cannot write to you" in to_a) is not logged
    assert len(_dms(session, "U000003")) == 1 and _dms(session, "U000002") == []


# -- counts only: once a week, with the release -----------------------------------------------------------------------
def _release_world(session: Session) -> tuple[Workspace, Program, list[Pair]]:
    ws, program, people = _world(session, named_silence=False, late_cancel_log=False)
    more = [Participant(workspace_id=ws.id, slack_user_id=f"U00000{i}", created_at=NOW, updated_at=NOW) for i in (5, 6)]
    session.add_all(more)
    session.flush()
    people += more
    pairs = [
        Pair(program_id=program.id, participant_a_id=x.id, participant_b_id=y.id, started_at=NOW - timedelta(weeks=6))
        for x, y in zip(people[::2], people[1::2], strict=True)
    ]
    session.add_all(pairs)
    session.flush()
    return ws, program, pairs


def _flag(session: Session, pair: Pair, number: int, at: datetime) -> None:
    week = PairWeek(pair_id=pair.id, number=number, day=at.date(), status=WeekStatus.CLOSED, created_at=at)
    week.silence_flagged_at = at
    session.add(week)
    session.flush()


def test_with_the_switches_off_hosts_get_counts_once_a_week_from_the_release_never_at_the_moment(
    session: Session,
) -> None:
    """A host of a program with named silence flags and the late-cancellation log off watches the admin channel and
    the dashboard: told at the minute a pair's week opened (each at its own local time), "1 tandem went quiet" would
    name the pair by its time zone. So the counts come with the weekly release, for the week since the last one, and
    the dashboard's quiet pairs stay as counted then however often the host looks."""
    ws, program, (p1, p2, p3) = _release_world(session)
    last = NOW - timedelta(weeks=1)
    session.add(KpiSnapshot(program_id=program.id, taken_on=last.date(), data={}, created_at=last))
    _flag(session, p1, 2, last - timedelta(days=2))  # flagged before the last release: counted then, not again
    _flag(session, p2, 4, NOW - timedelta(days=3, hours=5))  # Tokyo's Monday morning
    _flag(session, p3, 4, NOW - timedelta(days=2, hours=17))  # São Paulo's, hours later
    late = [
        Cancellation(pair_id=p2.id, participant_id=p2.participant_a_id, week_number=n, late=True, created_at=NOW)
        for n in (3, 4)
    ]
    late.append(  # a pattern counted before the last release
        Cancellation(
            pair_id=p1.id,
            participant_id=p1.participant_b_id,
            week_number=2,
            late=True,
            created_at=last,
            escalated_at=last - timedelta(hours=1),
        )
    )
    for c in late[:2]:
        c.escalated_at = NOW - timedelta(days=1)
    session.add_all(late)
    session.flush()
    # between releases the dashboard shows the count of the last release, whatever was flagged since
    before = impact.attention(session, program, now=NOW)
    assert before.silent == 1 and before.silent_as_of == last
    text = impact_blocks._attention("en", SimpleNamespace(attention=before, program=program))
    assert "Silent for 2 weeks: 1 (as of the weekly release of" in text
    [week] = playbook.this_week(session, workspace_id=ws.id, now=NOW, only=program)
    assert "1 pair quiet for 2 weeks (as of the weekly release of" in admin_blocks._playbook_program("en", week)
    # the release: one message each, counting only what happened since the last one; names nobody
    impact.counts_only(session, program, ws, since=last, now=NOW)
    sent = _to_hosts(session)
    assert len(sent) == 2
    assert "2 tandems went quiet since the last weekly release" in sent[0] and "2 weeks or more" in sent[0]
    assert "since the last weekly release, 1 participant reached 2 or more sessions" in sent[1]
    assert not any(f"U00000{i}" in m for m in sent for i in range(1, 7))
    # a first release counts from the program's creation
    program.created_at = NOW - timedelta(weeks=7)
    impact.counts_only(session, program, ws, since=None, now=NOW - timedelta(days=1))
    first = _to_hosts(session)[2:]
    assert len(first) == 2 and "3 tandems went quiet" in first[0] and ", 2 participants reached" in first[1]
    # the same release again (a retried tick) adds nothing; a release with nothing new says nothing
    impact.counts_only(session, program, ws, since=last, now=NOW)
    impact.counts_only(session, program, ws, since=NOW, now=NOW + timedelta(weeks=1))
    assert len(_to_hosts(session)) == 4
    # once released, the dashboard counts the pairs flagged in the two weeks before that release (p1's too)
    session.add(KpiSnapshot(program_id=program.id, taken_on=NOW.date(), data={}, created_at=NOW))
    session.flush()
    after = impact.attention(session, program, now=NOW + timedelta(days=3))
    assert after.silent == 3 and after.silent_as_of == NOW


def test_with_named_silence_flags_on_the_dashboard_counts_live_and_the_release_adds_no_count(session: Session) -> None:
    ws, program, (p1, p2, _p3) = _release_world(session)
    program.named_silence = program.late_cancel_log = True
    _flag(session, p1, 4, NOW - timedelta(hours=1))
    session.add(  # a pattern: with the log on, the hosts got a request for it at the time (above), no count
        Cancellation(
            pair_id=p2.id,
            participant_id=p2.participant_a_id,
            week_number=3,
            late=True,
            created_at=NOW - timedelta(days=1),
            escalated_at=NOW - timedelta(days=1),
        )
    )
    live = impact.attention(session, program, now=NOW)
    assert live.silent == 1 and live.silent_as_of is None
    impact.counts_only(session, program, ws, since=NOW - timedelta(weeks=1), now=NOW)
    assert _to_hosts(session) == []


def test_the_playbooks_retro_count_moves_with_the_clock_never_with_who_filled_one_in(session: Session) -> None:
    """ "N retros under way" dropped by one the moment a pair's second partner filled theirs in: a host who knows when
    each pair's retro opened could name the pair that finished (or didn't). It now counts the retros opened in the
    last two weeks, filled in or not; how many both filled in comes with the weekly release."""
    ws, program, (p1, p2, _p3) = _release_world(session)
    program.status = "active"
    retros = [
        Retro(pair_id=pair.id, program_id=program.id, cycle=1, last_week=4, opened_at=NOW - timedelta(days=days))
        for pair, days in ((p1, 3), (p2, 10))
    ]
    session.add_all(retros)
    session.flush()

    def shown() -> int:
        [week] = playbook.this_week(session, workspace_id=ws.id, now=NOW, only=program)
        return week.retros_open

    assert shown() == 2
    retros[0].summary_at = NOW - timedelta(hours=1)  # both partners of the first pair filled theirs in
    session.flush()
    assert shown() == 2
    [week] = playbook.this_week(session, workspace_id=ws.id, now=NOW + timedelta(days=5), only=program)
    assert week.retros_open == 1  # two weeks after it opened, the second one no longer counts
