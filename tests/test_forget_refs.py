"""Forget-me finds every stored Slack call about a person by what it is about, never by searching its text: a
person with a short name ("Qyx Li") and short words (under 8 characters) named in a matching preview, an
introduction, their partner's data export that Slack refused (parked), and their own exports (one sent, one still
queued) leaves nothing in any table once forgotten, the outbox's payloads included. A sent call keeps no payload;
a parked one keeps it a day (a private one, a data export, not at all). Every call queued on the way says whom
it names: the test checks each against the people its payload mentions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.domain.delivery import Decision, Outcome
from bot.ids import ID
from bot.models import OutboxMessage, OutboxStatus, OutboxSubject, Pair, Participant, Workspace
from bot.sandbox.stack import LocalStack
from bot.services import installs, outbox, privacy
from tests.conftest import backends
from tests.helpers import admin_channel, create_program, onboard, persona

# short on purpose: a string search for 8 or more characters never finds them
QYX = ("digital", "en-GB", "Europe/Berlin", "Qyx Li", "Dq7", ["Zqvid"], ["Qbudg"], ["trust"])
PEOPLE = {
    "Qyx": QYX,
    "Karl": ("context", "de-DE", "Europe/Berlin", "Karlheinz Quappe", "Risk", ["budgeting"], ["video"], ["trust"]),
    "Lea": ("digital", "en-GB", "Europe/Berlin", "Leandra Murmel", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jon": (
        "context",
        "en-GB",
        "Europe/Berlin",
        "Jonathan Wibble",
        "Finance",
        ["governance"],
        ["podcasts"],
        ["growth"],
    ),
}
SHORT = ["Qyx Li", "Dq7", "Zqvid", "Qbudg", "Ok q7", "Hi Qyx"]  # her name, words, a note, her self-description


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, dict[str, Any], outbox.About]]]:
    """Every call queued, with its payload as queued and what its producer said it is about."""
    calls: list[tuple[int, dict[str, Any], outbox.About]] = []
    original = outbox._add_subjects

    def record(session: Any, messages: Any) -> None:
        calls.extend((m.workspace_id, json.loads(json.dumps(m.payload)), about) for m, about in messages)
        original(session, messages)

    monkeypatch.setattr(outbox, "_add_subjects", record)
    yield calls


def _unnamed(engine: Engine, calls: list[tuple[int, dict[str, Any], outbox.About]]) -> list[str]:
    """Calls whose payload mentions a participant (Slack id or name) that the call does not say it is about."""
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        people = s.execute(select(Participant.id, Participant.slack_user_id, Participant.display_name)).all()
        pairs = {p.id: {p.participant_a_id, p.participant_b_id} for p in s.scalars(select(Pair))}
    missing = []
    for _, payload, about in calls:
        text = json.dumps(payload, ensure_ascii=False)
        named = set(about.people) | pairs.get(about.pair_id or 0, set())
        for pid, user, name in people:
            mentioned = user in text or (len(name) > 2 and name in text)
            if mentioned and pid not in named and user not in about.users:
                missing.append(f"{name} in {text[:120]}")
    return missing


def test_forget_me_finds_every_call_about_her_by_reference(
    stack: LocalStack, engine: Engine, recorded: list[tuple[int, dict[str, Any], outbox.About]]
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, PEOPLE)
    qyx = people["Qyx"]
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == qyx.id)).one()
        me.self_description = "Hi Qyx"
        s.commit()
    # the matching preview names her and her words; the introduction too
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]
    assert "Qyx Li" in json.dumps(preview, ensure_ascii=False)
    hanna.click(ID.MATCH_APPROVE, message=preview)
    stack.settle()
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == qyx.id)).one()
        pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
        partner_id = pair.participant_b_id if pair.participant_a_id == me.id else pair.participant_a_id
        partner = next(p for p in people.values() if p.id == s.get(Participant, partner_id).slack_user_id)
    assert qyx.slash("note Ok q7").ok  # a short note to the pair
    stack.settle()
    # her partner's export names her and holds her note: Slack refuses it for good, it is parked
    stack.sandbox.inject("files.getUploadURLExternal", status=500, times=8)
    assert partner.slash("export-my-data").ok
    stack.advance(timedelta(minutes=6))  # eight tries with backoff, then parked
    # her own exports: one sent, one still queued
    assert qyx.slash("export-my-data").ok
    stack.settle()
    stack.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert qyx.slash("export-my-data").ok
    with stack.session_factory() as s:
        exports = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("my-data:%"))).all()
        statuses = sorted(str(m.status) for m in exports)
        parked = [m for m in exports if m.status == OutboxStatus.PARKED]
    assert statuses == ["parked", "pending", "sent"]
    # what a sent or parked export said is not kept (a parked one could still be read otherwise, red notes and all)
    assert all(m.payload == {} for m in exports if m.status != OutboxStatus.PENDING) and len(parked) == 1
    # every call queued so far says whom it names
    assert recorded and _unnamed(engine, recorded) == []
    assert [t for t in privacy.traces(engine, SHORT) if t[0] == "outbox"], "the queued export still holds her words"

    assert qyx.slash("forget-me").ok
    assert qyx.click(ID.PRIVACY_FORGET, message=qyx.ephemeral_messages()[-1]).ok
    stack.settle()
    # every table, every column (the outbox's payloads too): not her id, not her name, not one of her words
    assert privacy.traces(engine, [qyx.id, stack.sandbox.dm_channel(qyx.id), *SHORT]) == []
    # the calls about others stay: the preview, the partner's parked export (emptied), without a link to her
    with stack.session_factory() as s:
        tomb = s.scalars(select(Participant).where(Participant.slack_user_id.like("forgotten-%"))).one()
        links = select(func.count()).select_from(OutboxSubject).where(OutboxSubject.participant_id == tomb.id)
        assert s.scalar(links) == 0
        assert s.scalar(select(func.count()).where(OutboxMessage.dedupe_key.like("match-preview:%"))) == 1
    assert _unnamed(engine, recorded) == []  # the partner's notice included


NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _park(session: Any, message: OutboxMessage, now: datetime) -> None:
    message.status = OutboxStatus.SENDING
    session.commit()
    outbox.record(session, message.id, decision=Decision(Outcome.PARK, reason="invalid_blocks"), now=now)


def test_a_parked_call_keeps_what_it_says_a_day_and_a_parked_export_not_at_all(session: Any) -> None:
    ws = Workspace(team_id="T1", bot_user_id="UB", created_at=NOW)
    session.add(ws)
    session.flush()
    export = outbox.upload_to_dm(
        session,
        workspace_id=ws.id,
        user_id="U1",
        files=[{"content": "zq-red-note-of-the-partner", "filename": "me.md", "title": "me"}],
        comment="your data",
        now=NOW,
        about=outbox.NOBODY,
        dedupe_key="export",
        scrub=True,
    )
    post = outbox.post(
        session, workspace_id=ws.id, channel="C1", message={"text": "zq-preview"}, now=NOW, about=outbox.NOBODY
    )
    session.commit()
    _park(session, export, NOW)
    _park(session, post, NOW)
    session.refresh(export)
    session.refresh(post)
    assert export.payload == {} and export.emptied_at == NOW  # a data export: not a moment longer
    assert post.payload["text"] == "zq-preview" and post.emptied_at is None  # to see why Slack refused it
    assert outbox.empty_parked(session, NOW + outbox.PARKED_KEEP - timedelta(minutes=1)) == 0
    assert outbox.empty_parked(session, NOW + outbox.PARKED_KEEP) == 1
    session.commit()
    session.refresh(post)
    assert post.payload == {} and post.result is None and post.dedupe_key is None
    # parked because the workspace uninstalled Tandem: a queued export is emptied at once too
    again = outbox.upload_to_dm(
        session,
        workspace_id=ws.id,
        user_id="U1",
        files=[{"content": "zq-again", "filename": "me.md", "title": "me"}],
        comment="your data",
        now=NOW,
        about=outbox.NOBODY,
        dedupe_key="export-2",
        scrub=True,
    )
    session.commit()
    assert installs.uninstalled(session, team_id="T1", now=NOW) == 1
    session.refresh(again)
    assert again.status == OutboxStatus.PARKED and again.payload == {}


def test_a_sent_call_keeps_its_key_and_slacks_answer_not_what_it_said(session: Any) -> None:
    ws = Workspace(team_id="T1", bot_user_id="UB", created_at=NOW)
    session.add(ws)
    session.flush()
    message = outbox.post(
        session, workspace_id=ws.id, channel="U1", message={"text": "zq-dm"}, now=NOW, about=outbox.NOBODY,
        dedupe_key="dm-1",
    )  # fmt: skip
    message.status = OutboxStatus.SENDING
    session.commit()
    outbox.record(session, message.id, decision=Decision(Outcome.SENT), now=NOW, result={"channel": "D1", "ts": "1.2"})
    session.refresh(message)
    assert message.payload == {} and message.emptied_at == NOW
    assert (message.dedupe_key, message.channel_key, message.result) == ("dm-1", "U1", {"channel": "D1", "ts": "1.2"})


@pytest.mark.parametrize("backend", backends())
def test_the_migration_empties_what_sent_calls_said(backend: str, scratch: Any) -> None:
    """A database from before 0021: its sent calls lose their payloads (and a group DM's key naming people), a
    queued one keeps what it has to send."""
    from sqlalchemy import text

    from bot.db import make_engine, upgrade

    url = scratch.new(backend)
    upgrade(url, "0016")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workspace (team_id, name, created_at) VALUES ('T9', 'x', '2027-01-01')"))
            for key, channel, status in (("a", "U1,U2", "sent"), ("b", "U3", "sent"), ("c", "U1,U2", "pending")):
                conn.execute(
                    text(
                        "INSERT INTO outbox (workspace_id, method, channel_key, payload, dedupe_key, status, attempts,"
                        " not_before, sent_at, result, in_doubt, created_at) SELECT id, 'chat.postMessage', :channel,"
                        " :payload, :key, :status, 1, '2027-01-01', '2027-01-01', NULL, false, '2027-01-01'"
                        " FROM workspace"
                    ),
                    {
                        "channel": channel,
                        "payload": json.dumps({"text": f"zq-{key} Qyx Li"}),
                        "key": key,
                        "status": status,
                    },
                )
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT dedupe_key, channel_key, payload FROM outbox ORDER BY dedupe_key")).all()
    finally:
        engine.dispose()
    found = [
        (key, channel, payload if isinstance(payload, dict) else json.loads(payload)) for key, channel, payload in rows
    ]
    assert found == [("a", None, {}), ("b", "U3", {}), ("c", "U1,U2", {"text": "zq-c Qyx Li"})]
