"""Each Slack event is handled once: a redelivery with the same ``event_id`` (Slack's retry) is acknowledged and
does nothing; a handling that failed lets the retry through; a claim left by a process that died is taken over
after a while, a fresh one is not."""

from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import select

from bot.models import SlackEvent
from bot.sandbox.stack import LocalStack
from bot.services import events
from tests.helpers import persona


def _publishes(stack: LocalStack) -> int:
    return sum(1 for c in stack.sandbox.calls if c["method"] == "views.publish")


def test_a_redelivered_event_is_handled_once(stack: LocalStack) -> None:
    ana = persona(stack, "Ana")
    first = ana.open_home()
    stack.settle()
    assert first.ok and _publishes(stack) == 1
    for retry in (1, 2, 3):  # Slack's retries of the same event
        again = stack.sandbox.redeliver(first.payload, retry_num=retry)
        assert again.ok
    stack.settle()
    assert _publishes(stack) == 1
    ana.open_home()  # a new event (a new event_id) is handled
    stack.settle()
    assert _publishes(stack) == 2
    with stack.session_factory() as s:
        rows = s.scalars(select(SlackEvent)).all()
        assert len(rows) == 2 and all(r.done_at is not None for r in rows)


def test_a_failed_or_abandoned_handling_lets_a_retry_through_a_running_one_does_not(stack: LocalStack) -> None:
    ana = persona(stack, "Ana")
    first = ana.open_home()
    stack.settle()
    now = stack.clock.now()
    running, abandoned = copy.deepcopy(first.payload), copy.deepcopy(first.payload)
    running["event_id"], abandoned["event_id"] = "EvRUNNING", "EvABANDONED"
    with stack.session_factory() as s:
        s.add(SlackEvent(event_id="EvRUNNING", team_id="T", received_at=now - timedelta(minutes=1)))
        s.add(SlackEvent(event_id="EvABANDONED", team_id="T", received_at=now - events.STALE - timedelta(seconds=1)))
        s.commit()
    assert stack.sandbox.redeliver(running).ok
    stack.settle()
    assert _publishes(stack) == 1  # another process is on it: acknowledged, not handled twice
    assert stack.sandbox.redeliver(abandoned).ok
    stack.settle()
    assert _publishes(stack) == 2  # its process died: taken over and handled
    with stack.session_factory() as s:
        assert s.get(SlackEvent, "EvABANDONED").done_at is not None  # type: ignore[union-attr]
        assert s.get(SlackEvent, "EvRUNNING").done_at is None  # type: ignore[union-attr]
        # a failed handling releases its claim, so Slack's next retry is handled
        assert events.claim(s, event_id="EvFAILS", team_id="T", now=now)
        events.finish(s, event_id="EvFAILS", ok=False, now=now)
        assert s.get(SlackEvent, "EvFAILS") is None
        assert events.claim(s, event_id="EvFAILS", team_id="T", now=now)
        events.finish(s, event_id="EvFAILS", ok=True, now=now)
        assert not events.claim(s, event_id="EvFAILS", team_id="T", now=now + timedelta(hours=1))
        # the clock forgets events after KEEP
        assert events.prune(s, now=now + events.KEEP + timedelta(minutes=2)) == 4
        s.commit()
