"""Outbox and clock services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, insert, select

from bot.domain.delivery import STALE_CLAIM, Decision, Outcome
from bot.jobs import DUE_JOBS
from bot.models import ClockTick, OutboxMessage, OutboxStatus
from bot.services import outbox, people
from bot.services.ticks import tick

NOW = datetime(2027, 1, 4, 8, 0, 30, tzinfo=UTC)


def _workspace(session):
    ws = people.get_or_create_workspace(session, team_id="T1", bot_user_id="UBOT", now=NOW)
    session.commit()
    return ws


def test_enqueue_with_the_same_key_twice_queues_once(session) -> None:
    ws = _workspace(session)
    a = outbox.post(
        session, workspace_id=ws.id, channel="U1", message={"text": "a"}, now=NOW, dedupe_key="k1", about=outbox.NOBODY
    )
    b = outbox.post(
        session, workspace_id=ws.id, channel="U1", message={"text": "b"}, now=NOW, dedupe_key="k1", about=outbox.NOBODY
    )
    session.commit()
    assert a.id == b.id
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_rows_round_trip_as_aware_utc(session) -> None:
    ws = _workspace(session)
    outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "ü"}, now=NOW, about=outbox.NOBODY)
    session.commit()
    session.expire_all()
    row = session.scalars(select(OutboxMessage)).one()
    assert row.not_before == NOW and row.not_before.tzinfo is not None
    assert row.payload == {"channel": "U1", "text": "ü"}


def test_claim_takes_only_due_rows_and_each_only_once(session) -> None:
    ws = _workspace(session)
    outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "now"}, now=NOW, about=outbox.NOBODY)
    outbox.post(
        session,
        workspace_id=ws.id,
        channel="U1",
        message={"text": "later"},
        now=NOW,
        not_before=NOW + timedelta(hours=1),
        about=outbox.NOBODY,
    )
    session.commit()
    first = outbox.claim_due(session, now=NOW, worker_id="w1")
    second = outbox.claim_due(session, now=NOW, worker_id="w2")
    assert [m.payload["text"] for m in first] == ["now"]
    assert second == []
    assert outbox.depth(session, now=NOW + timedelta(hours=2)) == 1


def test_retry_reschedules_and_park_stops(session) -> None:
    ws = _workspace(session)
    m = outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "x"}, now=NOW, about=outbox.NOBODY)
    session.commit()
    outbox.claim_due(session, now=NOW, worker_id="w")
    outbox.record(session, m.id, decision=Decision(Outcome.RETRY, timedelta(seconds=30), "internal_error"), now=NOW)
    session.refresh(m)
    assert (m.status, m.attempts, m.not_before) == (OutboxStatus.PENDING, 1, NOW + timedelta(seconds=30))
    assert outbox.claim_due(session, now=NOW, worker_id="w") == []
    outbox.claim_due(session, now=NOW + timedelta(seconds=30), worker_id="w")
    outbox.record(session, m.id, decision=Decision(Outcome.PARK, reason="channel_not_found"), now=NOW)
    session.refresh(m)
    assert (m.status, m.last_error) == (OutboxStatus.PARKED, "channel_not_found")


def test_tick_releases_stale_claims_and_is_idempotent_per_minute(session) -> None:
    ws = _workspace(session)
    m = outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "x"}, now=NOW, about=outbox.NOBODY)
    session.commit()
    outbox.claim_due(session, now=NOW, worker_id="dead-worker")
    later = NOW + STALE_CLAIM + timedelta(minutes=1)

    first = tick(session, now=later, jobs=DUE_JOBS)
    assert first is not None and first["outbox.release_stale_claims"] == 1
    snapshot = _snapshot(session)
    # the same minute again (a restarted clock, a standby that woke up): nothing changes
    assert tick(session, now=later + timedelta(seconds=20), jobs=DUE_JOBS) is None
    assert _snapshot(session) == snapshot
    session.refresh(m)
    assert m.status == OutboxStatus.PENDING and m.claimed_by is None
    # the next minute runs again and finds nothing to do
    again = tick(session, now=later + timedelta(minutes=1), jobs=DUE_JOBS)
    assert again is not None and again["outbox.release_stale_claims"] == 0
    assert session.scalar(select(func.count()).select_from(ClockTick)) == 2


def _snapshot(session) -> list[tuple]:
    session.expire_all()
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    ticks = session.scalars(select(ClockTick).order_by(ClockTick.minute)).all()
    return [(r.id, r.status, r.attempts, r.not_before, r.claimed_by) for r in rows] + [
        (t.minute, t.ran_at, tuple(sorted(t.summary.items()))) for t in ticks
    ]


def test_get_or_register_looks_up_once_and_a_guest_is_never_stored(session) -> None:
    lookups: list[str] = []

    def lookup(uid: str) -> people.SlackProfile:
        lookups.append(uid)
        return people.SlackProfile(name="Jörg", tz="Europe/Berlin", slack_locale="de-DE")

    p1 = people.get_or_register(session, team_id="T1", user_id="U1", bot_user_id="UBOT", lookup=lookup, now=NOW)
    p2 = people.get_or_register(session, team_id="T1", user_id="U1", bot_user_id="UBOT", lookup=lookup, now=NOW)
    assert p1.id == p2.id and lookups == ["U1"]
    assert (p1.locale, p1.tz, p1.display_name) == ("de", "Europe/Berlin", "Jörg")
    assert session.scalars(select(OutboxMessage)).all() == []  # no welcome through the outbox: it would keep it
    # someone Tandem does not store is asked of Slack each time and written nowhere
    guest = people.person(session, team_id="T1", user_id="U9", bot_user_id="UBOT", lookup=lookup, now=NOW)
    assert people.is_guest(guest) and (guest.locale, guest.display_name) == ("de", "Jörg")
    assert people.find_participant(session, team_id="T1", user_id="U9") is None
    stored = people.person(session, team_id="T1", user_id="U1", bot_user_id="UBOT", lookup=lookup, now=NOW)
    assert stored.id == p1.id


def test_unknown_time_zone_falls_back_to_utc(session) -> None:
    p = people.get_or_register(
        session,
        team_id="T1",
        user_id="U2",
        bot_user_id=None,
        now=NOW,
        lookup=lambda uid: people.SlackProfile(name="X", tz="Mars/Olympus", slack_locale=None),
    )
    assert (p.tz, p.locale) == ("UTC", "en")


def test_a_deferred_message_holds_back_later_ones_to_the_same_conversation(session) -> None:
    ws = _workspace(session)
    first = outbox.post(
        session, workspace_id=ws.id, channel="U1", message={"text": "first"}, now=NOW, about=outbox.NOBODY
    )
    outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "second"}, now=NOW, about=outbox.NOBODY)
    outbox.post(session, workspace_id=ws.id, channel="U2", message={"text": "other"}, now=NOW, about=outbox.NOBODY)
    session.commit()
    claimed = outbox.claim_due(session, now=NOW, worker_id="w")
    assert sorted(m.payload["text"] for m in claimed) == ["first", "other"]
    outbox.record(
        session,
        first.id,
        decision=Decision(Outcome.RETRY, timedelta(seconds=30), "ratelimited"),
        now=NOW,
        rate_limited=True,
    )
    # "second" may not overtake "first" while first waits for Retry-After
    assert outbox.claim_due(session, now=NOW + timedelta(seconds=10), worker_id="w") == []
    again = outbox.claim_due(session, now=NOW + timedelta(seconds=30), worker_id="w")
    assert [m.payload["text"] for m in again] == ["first"]
    assert first.attempts == 0  # a 429 is not the message's fault


def test_a_message_scheduled_for_later_holds_nothing_back(session) -> None:
    ws = _workspace(session)
    outbox.post(
        session,
        workspace_id=ws.id,
        channel="U1",
        message={"text": "next week"},
        now=NOW,
        not_before=NOW + timedelta(days=7),
        about=outbox.NOBODY,
    )
    outbox.post(session, workspace_id=ws.id, channel="U1", message={"text": "now"}, now=NOW, about=outbox.NOBODY)
    session.commit()
    assert [m.payload["text"] for m in outbox.claim_due(session, now=NOW, worker_id="w")] == ["now"]


def _item(ws, key, channel="C1", **payload):
    return {
        "workspace_id": ws.id,
        "method": "chat.postMessage",
        "payload": {"channel": channel, **payload},
        "about": outbox.NOBODY,
        "dedupe_key": key,
    }


def test_enqueue_many_skips_known_keys_and_keeps_the_first_of_a_batch_in_order(session) -> None:
    ws = _workspace(session)
    known = outbox.post(
        session,
        workspace_id=ws.id,
        channel="C1",
        message={"text": "old"},
        now=NOW,
        dedupe_key="k1",
        about=outbox.NOBODY,
    )
    session.commit()
    later = NOW + timedelta(hours=1)
    items = [
        _item(ws, "k2", text="first"),
        _item(ws, "k1", text="again"),  # known: the earlier message
        {"workspace_id": ws.id, "method": "conversations.open", "payload": {"users": "U1,U2"}, "about": outbox.NOBODY},
        _item(ws, "k2", text="second"),  # a duplicate within the batch: the first wins
        {**_item(ws, "k3", channel="", text="open"), "payload": {"__open": ["U1", "U2"], "text": "x"}},
        {**_item(ws, "k4", channel="C" * 80), "not_before": later},
    ]
    got = outbox.enqueue_many(session, items, now=NOW)
    session.commit()
    assert got[1] is known and got[3] is got[0]
    assert [m.payload.get("text") for m in got] == ["first", "old", None, "first", "x", None]
    assert [m.channel_key for m in got] == ["C1", "C1", "U1,U2", "C1", "U1,U2", "C" * 64]
    assert [m.not_before for m in got] == [NOW, NOW, NOW, NOW, NOW, later]
    new = [got[0], got[2], got[4], got[5]]
    assert [m.id for m in new] == sorted(m.id for m in new) and new[0].id > known.id  # ids in item order
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.dedupe_key for r in rows] == ["k1", "k2", None, "k3", "k4"]
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 0 and r.created_at == NOW for r in rows)
    # the same batch again queues nothing new
    again = outbox.enqueue_many(session, items, now=NOW)
    session.commit()
    assert [m.id for m in again if m.dedupe_key] == [m.id for m in got if m.dedupe_key]
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 6  # one more keyless call


def test_enqueue_many_falls_back_to_enqueue_when_a_key_turns_up_meanwhile(session, monkeypatch) -> None:
    ws = _workspace(session)
    original = session.begin_nested
    calls = []

    def begin_nested():
        if not calls:  # between the SELECT and the flush, "someone else" writes k2
            session.execute(
                insert(OutboxMessage).values(
                    workspace_id=ws.id,
                    method="chat.postMessage",
                    payload={"channel": "C1", "text": "theirs"},
                    channel_key="C1",
                    dedupe_key="k2",
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    not_before=NOW,
                    created_at=NOW,
                )
            )
        calls.append(1)
        return original()

    monkeypatch.setattr(session, "begin_nested", begin_nested)
    got = outbox.enqueue_many(session, [_item(ws, "k1", text="a"), _item(ws, "k2", text="b")], now=NOW)
    session.commit()
    assert [m.payload["text"] for m in got] == ["a", "theirs"]
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.dedupe_key, r.payload["text"]) for r in rows] == [("k2", "theirs"), ("k1", "a")]


def test_enqueue_many_reads_the_workspace_once_however_many_calls_it_queues(session) -> None:
    """The weekly round queues thousands of posts about people in one batch: each is checked for being a post to the
    admin channel (outbox._for_hosts), and that check must not read the workspace again for every post (5,000
    prompts were 5,000 SELECTs, two of the round's nine seconds at 10,000 people)."""
    ws = _workspace(session)
    lookup = people.SlackProfile(name="Ana", tz="Europe/Berlin", slack_locale="de-DE")
    ana = people.get_or_register(
        session, team_id="T1", user_id="U1", bot_user_id="UBOT", lookup=lambda _uid: lookup, now=NOW
    )
    items = [
        {**_item(ws, f"k{n}", channel=f"G{n}", text="week"), "about": outbox.About.of(people=[ana.id])}
        for n in range(40)
    ]
    session.commit()
    session.expunge_all()  # nothing holds the workspace: as in the round, which never loads it
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "after_cursor_execute", seen)
    try:
        got = outbox.enqueue_many(session, items, now=NOW)
    finally:
        event.remove(engine, "after_cursor_execute", seen)
    session.commit()
    assert len(got) == 40 and len({m.id for m in got}) == 40
    assert sum(bool(re.search(r"\bFROM workspace\b", s)) for s in statements) == 1, statements
