"""``/metrics`` in Prometheus' text format: requests by kind with their ack latency, redelivered events, outbox
sends by outcome, 429s, and the outbox's depth read from the database; nothing a person wrote."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.models import OutboxMessage, Participant
from bot.sandbox.stack import LocalStack
from bot.services import people
from tests.helpers import START, persona


def _scrape(stack: LocalStack) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    with urllib.request.urlopen(f"{stack.base_url}/metrics", timeout=10) as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_duplicates_sends_and_429s_and_read_the_outbox(stack: LocalStack) -> None:
    _, before = _scrape(stack)
    ana = persona(stack, "Ana")
    with stack.session_factory() as s:  # in a program: Tandem answers her DM through the outbox
        ws = people.get_or_create_workspace(s, team_id=stack.sandbox.team_id, bot_user_id=None, now=START)
        s.add(
            Participant(
                workspace_id=ws.id, slack_user_id=ana.id, display_name="Ana", created_at=START, updated_at=START
            )
        )
        s.commit()
    first = ana.open_home()
    stack.settle()
    assert stack.sandbox.redeliver(first.payload).ok  # Slack's retry of the same event
    stack.sandbox.inject("chat.postMessage", status=429, times=1, retry_after=1)
    ana.send_dm("Hello Tandem, my secret plan is <!channel>")
    stack.settle()
    stack.advance(timedelta(seconds=2))
    ana.slash("help")
    text, after = _scrape(stack)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("tandem_requests_total", kind="event") == 3  # Home, its redelivery, the DM
    assert grew("tandem_requests_total", kind="command") == 1
    assert grew("tandem_ack_seconds_count", kind="event") == 3
    assert grew("tandem_events_duplicate_total") == 1
    assert grew("tandem_slack_rate_limited_total", method="chat.postMessage") == 1
    assert grew("tandem_slack_sends_total", method="chat.postMessage", outcome="retry") == 1
    assert grew("tandem_slack_sends_total", method="chat.postMessage", outcome="sent") >= 1  # the answer
    with stack.session_factory() as s:
        sent = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent"))
    assert _value(after, "tandem_outbox_messages", status="sent") == sent
    assert "secret plan" not in text and "Ana" not in text
