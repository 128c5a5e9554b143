"""Exactly-once sending, pacing and Slack's rate limits, on the sandbox (SQLite, and PostgreSQL when configured).

A message whose answer from Slack was lost is looked up by the idempotency key it carries (message metadata, or
the file name of an upload) before it is tried again; the sandbox can carry a call out and then answer 500 (or
hold the answer back), which is what a lost answer looks like from the worker."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.delivery import Pacing
from bot.models import OutboxMessage, OutboxStatus
from bot.services import outbox, people
from bot.slack.sender import IDEMPOTENCY_EVENT, Worker, tagged


def _workspace_id(stack: Any) -> int:
    with stack.session_factory() as s:
        ws = people.get_or_create_workspace(
            s, team_id=stack.sandbox.team_id, bot_user_id=stack.sandbox.bot_user_id, now=stack.clock.now()
        )
        s.commit()
        return ws.id


def _post(stack: Any, channel: str, texts: list[str], **extra: Any) -> None:
    workspace_id = _workspace_id(stack)
    with stack.session_factory() as s:
        for text in texts:
            outbox.post(
                s,
                workspace_id=workspace_id,
                channel=channel,
                message={"text": text, **extra},
                now=stack.clock.now(),
                about=outbox.NOBODY,
            )
        s.commit()


def _statuses(stack: Any) -> Counter[str]:
    with stack.session_factory() as s:
        return Counter(s.scalars(select(OutboxMessage.status)))


def _texts(stack: Any, channel: str) -> list[str]:
    return [m["text"] for m in stack.sandbox.messages(channel) if m.get("user") == stack.sandbox.bot_user_id]


def _drain_until_done(stack: Any, worker: Worker, *, step: timedelta = timedelta(seconds=5), rounds: int = 500) -> None:
    for _ in range(rounds):
        worker.drain()
        if not _statuses(stack).keys() - {OutboxStatus.SENT, OutboxStatus.PARKED}:
            return
        stack.clock.advance(step)
    raise AssertionError(f"the outbox did not empty: {_statuses(stack)}")


def test_every_post_carries_its_idempotency_key_and_uploads_carry_it_in_the_file_name() -> None:
    post = tagged("chat.postMessage", {"channel": "C1", "text": "hi"}, "7-1800000000")
    assert post["metadata"] == {"event_type": IDEMPOTENCY_EVENT, "event_payload": {"key": "7-1800000000"}}
    upload = tagged("files.upload_v2", {"channel": "C1", "file_uploads": [{"filename": "mood.png"}]}, "7-1")
    assert upload["file_uploads"] == [{"filename": "mood.t7-1.png"}]
    assert tagged("chat.update", {"channel": "C1", "ts": "1.2", "text": "x"}, "7-1") == {
        "channel": "C1",
        "ts": "1.2",
        "text": "x",
    }


def test_a_post_whose_answer_was_lost_is_found_and_not_sent_twice(stack) -> None:
    user = stack.sandbox.add_user("Ana")
    _post(stack, user, ["one", "two"])
    stack.sandbox.inject("chat.postMessage", status=500, after=True)  # Slack posts "one" but the answer is lost
    stack.worker.drain()
    dm = stack.sandbox.dm_channel(user)
    assert _texts(stack, dm) == ["one"]
    with stack.session_factory() as s:
        first = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first.status == OutboxStatus.PENDING and first.in_doubt
    stack.clock.advance(timedelta(seconds=10))
    stack.worker.drain()
    assert _texts(stack, dm) == ["one", "two"]  # "one" was found by its key, not posted again
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 2})
    lookups = stack.sandbox.calls_to("conversations.history")
    assert [c["args"].get("include_all_metadata") for c in lookups] == ["1"]  # slack_sdk sends True as 1
    with stack.session_factory() as s:
        first = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert not first.in_doubt and first.result["ts"] == stack.sandbox.messages(dm)[0]["ts"]


def test_a_lost_thread_reply_is_looked_up_in_its_thread(stack) -> None:
    channel = stack.sandbox.create_channel("pilot", members=[stack.sandbox.bot_user_id])
    _post(stack, channel, ["the week"])
    stack.worker.drain()
    parent = stack.sandbox.messages(channel)[0]["ts"]
    _post(stack, channel, ["a reply"], thread_ts=parent)
    stack.sandbox.inject("chat.postMessage", status=503, after=True)
    stack.worker.drain()
    stack.clock.advance(timedelta(seconds=10))
    stack.worker.drain()
    assert [m["text"] for m in stack.sandbox.messages(channel, thread_ts=parent)][1:] == ["a reply"]
    assert [c["args"]["ts"] for c in stack.sandbox.calls_to("conversations.replies")] == [parent]
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 2})


def test_a_5xx_before_slack_acted_is_sent_again_once(stack) -> None:
    user = stack.sandbox.add_user("Ben")
    _post(stack, user, ["hello"])
    stack.sandbox.inject("chat.postMessage", status=500)  # refused before posting
    stack.worker.drain()
    stack.clock.advance(timedelta(seconds=10))
    stack.worker.drain()
    assert _texts(stack, stack.sandbox.dm_channel(user)) == ["hello"]
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 1})


def test_a_worker_that_dies_before_recording_leaves_nothing_twice(stack, monkeypatch) -> None:
    """The worker dies between Slack's answer and the database commit: its claim is released in doubt (at once
    when its lease shows it gone, on PostgreSQL; after STALE_CLAIM otherwise), and the next worker finds the post."""
    user = stack.sandbox.add_user("Cleo")
    _post(stack, user, ["only once"])
    dying = Worker(stack.session_factory, stack.worker.client_for, stack.clock, worker_id="dying")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(outbox, "record", crash)
    with pytest.raises(RuntimeError):
        dying.drain_once()
    monkeypatch.undo()
    dm = stack.sandbox.dm_channel(user)
    assert _texts(stack, dm) == ["only once"]
    assert _statuses(stack) == Counter({OutboxStatus.SENDING: 1})
    dying.close()  # its lease ends, as when the process dies
    with stack.session_factory() as s:
        released = outbox.release_dead_workers(s, alive=lambda owner: owner != "dying", me="next")
    assert released == 1
    stack.worker.drain()
    assert _texts(stack, dm) == ["only once"]
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 1})


def test_stale_claims_come_back_in_doubt(stack) -> None:
    user = stack.sandbox.add_user("Dan")
    _post(stack, user, ["x"])
    with stack.session_factory() as s:
        outbox.claim_due(s, now=stack.clock.now(), worker_id="gone")
    stack.clock.advance(timedelta(minutes=6))
    with stack.session_factory() as s:
        assert outbox.release_stale_claims(s, now=stack.clock.now()) == 1
        s.commit()
        assert s.scalars(select(OutboxMessage.in_doubt)).one() is True
    stack.worker.drain()
    assert _texts(stack, stack.sandbox.dm_channel(user)) == ["x"]


def test_a_lost_upload_is_found_by_its_file_name(stack) -> None:
    channel = stack.sandbox.create_channel("hosts", is_private=True, members=[stack.sandbox.bot_user_id])
    workspace_id = _workspace_id(stack)
    with stack.session_factory() as s:
        outbox.enqueue(
            s,
            workspace_id=workspace_id,
            method="files.upload_v2",
            payload={
                "channel": channel,
                "file_uploads": [{"content_b64": "aGVsbG8=", "filename": "notes.md", "title": "Notes"}],
            },
            now=stack.clock.now(),
            about=outbox.NOBODY,
        )
        s.commit()
    stack.sandbox.inject("files.completeUploadExternal", status=500, after=True)
    stack.worker.drain()
    stack.clock.advance(timedelta(seconds=10))
    stack.worker.drain()
    shares = [m for m in stack.sandbox.messages(channel) if m.get("subtype") == "file_share"]
    assert len(shares) == 1
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 1})


def test_a_429_holds_back_the_conversation_for_retry_after_and_keeps_the_order(stack) -> None:
    user = stack.sandbox.add_user("Eva")
    _post(stack, user, ["1", "2", "3"])
    stack.sandbox.inject("chat.postMessage", status=429, retry_after=30)
    stack.worker.drain()
    assert _texts(stack, stack.sandbox.dm_channel(user) or "") == []
    with stack.session_factory() as s:
        waits = {m.not_before - stack.clock.now() for m in s.scalars(select(OutboxMessage))}
        assert waits == {timedelta(seconds=30)}  # all three, not only the one that met the limit
        assert {m.attempts for m in s.scalars(select(OutboxMessage))} == {0}  # a 429 uses up no attempt
    stack.clock.advance(timedelta(seconds=29))
    assert stack.worker.drain() == Counter()
    stack.clock.advance(timedelta(seconds=1))
    stack.worker.drain()
    assert _texts(stack, stack.sandbox.dm_channel(user)) == ["1", "2", "3"]


def test_pacing_sends_one_message_per_second_to_a_conversation(stack) -> None:
    users = [stack.sandbox.add_user(name) for name in ("F", "G")]
    _post(stack, users[0], ["a1", "a2", "a3"])
    _post(stack, users[1], ["b1"])
    paced = Worker(stack.session_factory, stack.worker.client_for, stack.clock, pacing=Pacing())
    try:
        paced.drain()
        sent = {u: _texts(stack, stack.sandbox.dm_channel(u)) for u in users}
        assert sent == {users[0]: ["a1"], users[1]: ["b1"]}
        stack.clock.advance(timedelta(milliseconds=999))
        paced.drain()
        assert _texts(stack, stack.sandbox.dm_channel(users[0])) == ["a1"]
        stack.clock.advance(timedelta(milliseconds=1))
        paced.drain()
        assert _texts(stack, stack.sandbox.dm_channel(users[0])) == ["a1", "a2"]
    finally:
        paced.close()


def test_pacing_keeps_to_the_workspace_budget_per_minute(stack) -> None:
    users = [stack.sandbox.add_user(f"P{i}") for i in range(8)]
    for user in users:
        _post(stack, user, [f"to {user}"])
    paced = Worker(stack.session_factory, stack.worker.client_for, stack.clock, pacing=Pacing(budget_per_minute=5))
    try:
        paced.drain()
        assert _statuses(stack) == Counter({OutboxStatus.SENT: 5, OutboxStatus.PENDING: 3})
        stack.clock.advance(timedelta(seconds=59))
        paced.drain()
        assert _statuses(stack)[OutboxStatus.SENT] == 5
        stack.clock.advance(timedelta(seconds=2))
        paced.drain()
        assert _statuses(stack) == Counter({OutboxStatus.SENT: 8})
    finally:
        paced.close()


def test_random_429s_and_5xx_deliver_everything_exactly_once(stack) -> None:
    """20% of calls answer 429 and 5% answer 500, half of those after carrying the call out."""
    users = [stack.sandbox.add_user(f"R{i}") for i in range(20)]
    expected: dict[str, list[str]] = {}
    for user in users:
        texts = [f"{user}-{n}" for n in range(10)]
        _post(stack, user, texts)
        expected[user] = texts
    stack.sandbox.fault_rates(rate_429=0.2, rate_5xx=0.05, seed=8)
    _drain_until_done(stack, stack.worker)
    stack.sandbox.fault_rates()
    assert _statuses(stack) == Counter({OutboxStatus.SENT: 200})
    for user, texts in expected.items():
        assert _texts(stack, stack.sandbox.dm_channel(user)) == texts  # each once, in order
    faults = Counter(c["status"] for c in stack.sandbox.calls)
    assert faults[429] > 20 and faults[500] > 3  # the faults did happen


def _refusing(error: str, status: int = 200) -> Any:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.slack_response import SlackResponse

    class History:
        def conversations_history(self, **_: Any) -> None:
            response = SlackResponse(
                client=None,
                http_verb="GET",
                api_url="https://slack.com/api/conversations.history",
                req_args={},
                data={"ok": False, "error": error},
                headers={"Retry-After": "7"} if status == 429 else {},
                status_code=status,
            )
            raise SlackApiError(error, response)

    return History()


def test_a_look_slack_refuses_for_good_sends_rather_than_loses_and_a_passing_refusal_waits() -> None:
    from bot.slack.sender import Lookup, find_sent

    payload = {"channel": "C1", "text": "x"}
    assert find_sent(_refusing("missing_scope"), "chat.postMessage", payload, "1-2") == Lookup()  # send it
    assert find_sent(_refusing("channel_not_found"), "chat.postMessage", payload, "1-2") == Lookup()
    limited = find_sent(_refusing("ratelimited", 429), "chat.postMessage", payload, "1-2")
    assert limited.found is None and limited.failure is not None
    assert (limited.failure.status, limited.failure.retry_after) == (429, 7.0)  # try the look again later
    failing = find_sent(_refusing("internal_error"), "chat.postMessage", payload, "1-2")
    assert failing.failure is not None and failing.failure.status == 503
