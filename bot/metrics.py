"""Operational metrics in Prometheus' text format (``prometheus_client``): ``GET /metrics`` on ``tandem serve`` (or
on a port of its own, ``tandem serve --metrics-port N``), and on ``tandem worker --metrics-port N``; with
``TANDEM_METRICS_TOKEN`` only for ``Authorization: Bearer <token>`` (``bot.web``). Counters live in each process
(Prometheus scrapes every process); the outbox's depth is read from the database at scrape time, so any process
reports the same numbers.

Never labelled with anything a person wrote: only kinds, methods, statuses and outcomes."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.models import OutboxMessage

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "tandem_requests", "Requests from Slack handled, by kind (event, command, interaction)", ["kind"], registry=REGISTRY
)
ACK_SECONDS = Histogram(
    "tandem_ack_seconds",
    "Seconds from a Slack request's arrival to Tandem's HTTP answer (Slack waits at most 3)",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
    registry=REGISTRY,
)
REJECTED = Counter(
    "tandem_requests_rejected",
    "HTTP requests refused before anything acted on them, by reason (signature: 401, too_large: 413,"
    " metrics_token: 401 on /metrics)",
    ["reason"],
    registry=REGISTRY,
)
EVENTS_DUPLICATE = Counter(
    "tandem_events_duplicate", "Slack events delivered again and acknowledged without handling", registry=REGISTRY
)
SENDS = Counter(
    "tandem_slack_sends",
    "Outbox sends by Web API method and outcome (sent, retry, park)",
    ["method", "outcome"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "tandem_slack_rate_limited", "Web API answers with HTTP 429, by method", ["method"], registry=REGISTRY
)


class OutboxDepth(Collector):
    """``tandem_outbox_messages{status}``: the outbox by status, read at scrape time from the process's database."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("tandem_outbox_messages", "Outbox messages by status", labels=["status"])
        if self.engine is not None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
            for status, count in sorted(rows):
                family.add_metric([str(status)], float(count))
        yield family


OUTBOX = OutboxDepth()
REGISTRY.register(OUTBOX)


def watch_outbox(engine: Engine) -> None:
    """Report the outbox of ``engine`` (a process has one database; the latest engine wins)."""
    OUTBOX.engine = engine


def request_kind(content_type: str, body: bytes) -> str:
    """``event``, ``command`` or ``interaction`` from a Slack request's body, without parsing what people wrote."""
    if content_type.startswith("application/json"):
        return "event"
    if body.startswith(b"payload="):
        return "interaction"
    return "command" if b"command=" in body else "other"
