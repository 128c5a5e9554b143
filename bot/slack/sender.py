"""The outbox worker: claims due messages and sends them to Slack with slack_sdk."""

from __future__ import annotations

import base64
import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, metrics
from bot.clock import Clock
from bot.domain.delivery import Decision, Outcome, decide
from bot.models import Program, Workspace
from bot.services import enrollments, outbox
from bot.slack import invites

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallResult:
    status: int | None
    error: str | None
    retry_after: float | None
    data: dict[str, Any] | None


OPEN_CONVERSATION = "__open"  # payload key: post into the group DM of these users (opened first, idempotently)
BASE64 = "content_b64"  # payload key (top level or in each of ``file_uploads``): binary file content, as base64


def _decoded(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its base64 file content (``content_b64``, top level or in each of ``file_uploads``) as
    bytes for slack_sdk. Works on a copy: the stored payload stays JSON, so a retry decodes it again. Raises
    ``binascii.Error`` for content that is not base64."""
    uploads = payload.get("file_uploads")
    nested = isinstance(uploads, list) and any(isinstance(f, dict) and BASE64 in f for f in uploads)
    if BASE64 not in payload and not nested:
        return payload
    out = dict(payload)
    if BASE64 in out:
        out["content"] = base64.b64decode(out.pop(BASE64), validate=True)
    if nested:
        out["file_uploads"] = [
            {**{k: v for k, v in f.items() if k != BASE64}, "content": base64.b64decode(f[BASE64], validate=True)}
            if isinstance(f, dict) and BASE64 in f
            else f
            for f in uploads
        ]
    return out


def call_slack(client: WebClient, method: str, payload: dict[str, Any]) -> CallResult:
    """Make one Web API call through slack_sdk's own method (its argument handling) and classify it.

    A payload with ``__open: [user ids]`` goes to the conversation of those people with Tandem: Slack's
    ``conversations.open`` returns the same group DM every time, so a retry finds the same channel."""
    try:
        payload = _decoded(payload)
    except (TypeError, ValueError):  # not base64 (binascii.Error is a ValueError): park it, a retry cannot help
        log.error("slack call %s has file content that is not base64", method)
        return CallResult(200, "invalid_file_content", None, None)
    try:
        if OPEN_CONVERSATION in payload:
            payload = dict(payload)
            users = payload.pop(OPEN_CONVERSATION)
            opened = client.conversations_open(users=",".join(users))
            payload["channel"] = opened["channel"]["id"]
        response = getattr(client, method.replace(".", "_"))(**payload)
    except SlackApiError as exc:
        resp = exc.response
        retry_after = resp.headers.get("Retry-After") or resp.headers.get("retry-after")
        error = resp.get("error") if isinstance(resp.data, dict) else None
        return CallResult(
            resp.status_code,
            error or f"http_{resp.status_code}",
            float(retry_after) if retry_after else None,
            None,
        )
    except Exception as exc:  # connection refused, timeout, undecodable body: transient
        log.warning("slack call %s failed without an answer: %s", method, type(exc).__name__)
        return CallResult(None, None, None, None)
    data = response.data if isinstance(response.data, dict) else {}
    return CallResult(response.status_code, None, None, data)


def _result_summary(method: str, data: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    keep = {k: data[k] for k in ("channel", "ts") if k in data}
    if "view" in data and isinstance(data["view"], dict):
        keep["view_id"] = data["view"].get("id")
    return keep


class Worker:
    """Sends what the outbox holds. ``client_for`` gives the WebClient of a workspace (team id)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client_for: Callable[[str], WebClient],
        clock: Clock,
        worker_id: str | None = None,
        batch: int = 50,
    ) -> None:
        self.session_factory = session_factory
        self.client_for = client_for
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.batch = batch

    def drain_once(self) -> Counter[str]:
        """Expand one pending invitation request, then claim one batch of due messages and send them.
        Returns counts by outcome."""
        counts: Counter[str] = Counter()
        if self.expand_invites():
            counts["invite_batch"] += 1
        with self.session_factory() as session:
            claimed = outbox.claim_due(session, now=self.clock.now(), worker_id=self.worker_id, limit=self.batch)
            work = [
                (
                    m.id,
                    m.method,
                    dict(m.payload),
                    m.attempts,
                    m.channel_key,
                    session.get(Workspace, m.workspace_id),
                )
                for m in claimed
            ]
            held: set[str] = set()  # conversations whose earlier message was just deferred
            for message_id, method, payload, attempts, channel_key, workspace in work:
                if channel_key is not None and channel_key in held:
                    outbox.release(session, message_id)
                    counts["held"] += 1
                    continue
                team_id = workspace.team_id if workspace else ""
                with logs.ids(team_id=team_id, outbox_id=message_id):
                    result = call_slack(self.client_for(team_id), method, payload)
                decision: Decision = decide(
                    status=result.status,
                    error=result.error,
                    retry_after=result.retry_after,
                    attempts=attempts + 1,
                )
                if decision.outcome is Outcome.PARK:
                    with logs.ids(team_id=team_id, outbox_id=message_id):
                        log.error("outbox message %s parked: %s", message_id, decision.reason)
                if decision.outcome is Outcome.RETRY and channel_key is not None:
                    held.add(channel_key)
                outbox.record(
                    session,
                    message_id,
                    decision=decision,
                    now=self.clock.now(),
                    result=_result_summary(method, result.data),
                    rate_limited=result.status == 429,
                )
                counts[decision.outcome.value] += 1
                metrics.SENDS.labels(method, decision.outcome.value).inc()
                if result.status == 429:
                    metrics.RATE_LIMITED.labels(method).inc()
        return counts

    def expand_invites(self) -> bool:
        """Turn one host's invitation request into enrollments and invitation DMs (needs Slack to know who
        is in a channel and each person's language). Returns whether there was one."""
        with self.session_factory() as session:
            batch = enrollments.claim_batch(session, now=self.clock.now())
            if batch is None:
                return False
            program = session.get(Program, batch.program_id)
            workspace = session.get(Workspace, program.workspace_id) if program else None
            if program is None or workspace is None:
                enrollments.finish_batch(session, batch=batch, summary={}, now=self.clock.now())
                return True
            summary = invites.expand(
                session,
                self.client_for(workspace.team_id),
                batch,
                team_id=workspace.team_id,
                bot_user_id=workspace.bot_user_id,
                now=self.clock.now(),
            )
            enrollments.finish_batch(session, batch=batch, summary=summary, now=self.clock.now())
            return True

    def drain(self, max_rounds: int = 1000) -> Counter[str]:
        """Drain until nothing is due now (for the demo and the tests)."""
        total: Counter[str] = Counter()
        for _ in range(max_rounds):
            counts = self.drain_once()
            if not counts:
                break
            total.update(counts)
        return total
