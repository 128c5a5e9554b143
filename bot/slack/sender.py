"""The outbox worker: claims due messages and sends them to Slack with slack_sdk."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, metrics
from bot.clock import Clock
from bot.domain.delivery import TRANSIENT_ERRORS, Decision, Outcome, Pacing, decide, may_have_reached_slack
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


IDEMPOTENCY_EVENT = "tandem_outbox"  # message metadata event_type; event_payload.key names the outbox message
LOOKUP_PAGES = 3  # how far back (pages of 200 messages) a message in doubt is looked for
UPLOAD_METHOD = "files.upload_v2"
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
    if outbox.SCRUB in payload:  # Tandem's own mark, not an argument for Slack
        payload = {k: v for k, v in payload.items() if k != outbox.SCRUB}
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


def idempotency_key(message_id: int, created_at: datetime) -> str:
    """The key Slack keeps with a sent message, so a worker that lost Slack's answer can find it."""
    return f"{message_id}-{int(created_at.timestamp())}"


def tagged(method: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
    """``payload`` carrying the idempotency key where Slack keeps it: as message metadata (invisible to people)
    on a chat.postMessage, in the file names of an upload (``chart.png`` -> ``chart.t<key>.png``). The same on
    every try, so the lookup finds whichever try got through."""
    if method == "chat.postMessage" and "metadata" not in payload:
        return {**payload, "metadata": {"event_type": IDEMPOTENCY_EVENT, "event_payload": {"key": key}}}
    if method == UPLOAD_METHOD and isinstance(payload.get("file_uploads"), list):
        files = []
        for item in payload["file_uploads"]:
            if isinstance(item, dict) and item.get("filename"):
                stem, dot, ext = str(item["filename"]).rpartition(".")
                name = f"{stem}.t{key}.{ext}" if dot else f"{ext}.t{key}"
                item = {**item, "filename": name}
            files.append(item)
        return {**payload, "file_uploads": files}
    return payload


def _is_ours(message: dict[str, Any], method: str, key: str) -> bool:
    if method == UPLOAD_METHOD:
        return any(f".t{key}." in str(f.get("name") or "") for f in message.get("files") or [] if isinstance(f, dict))
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == IDEMPOTENCY_EVENT and (metadata.get("event_payload") or {}).get("key") == key


@dataclass(frozen=True)
class Lookup:
    """What a look in Slack for a message in doubt found: ``found`` (its channel and ts), or not; or the look
    itself failed (``failure``), and the message stays in doubt."""

    found: dict[str, Any] | None = None
    failure: CallResult | None = None


def find_sent(client: WebClient, method: str, payload: dict[str, Any], key: str) -> Lookup:
    """Look in the conversation (or the thread) for a message a lost try may have posted, by its key. Only posts
    and uploads need it: chat.update, views.publish and conversations.invite do no harm when repeated."""
    if method not in ("chat.postMessage", UPLOAD_METHOD):
        return Lookup()
    try:
        channel = str(payload.get("channel") or "")
        if OPEN_CONVERSATION in payload or channel.startswith(("U", "W")):
            users = payload.get(OPEN_CONVERSATION) or [channel]
            channel = client.conversations_open(users=",".join(users))["channel"]["id"]
        thread_ts = payload.get("thread_ts")
        cursor = None
        for _ in range(LOOKUP_PAGES):
            args: dict[str, Any] = {"channel": channel, "limit": 200, "include_all_metadata": True}
            if cursor:
                args["cursor"] = cursor
            if thread_ts and method == "chat.postMessage":
                page = client.conversations_replies(ts=thread_ts, **args)
            else:
                page = client.conversations_history(**args)
            for message in page.get("messages") or []:
                if _is_ours(message, method, key):
                    return Lookup(found={"channel": channel, "ts": message.get("ts")})
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as exc:
        resp = exc.response
        error = resp.get("error") if isinstance(resp.data, dict) else None
        if error in ("channel_not_found", "thread_not_found"):
            return Lookup()  # nothing there, so nothing was posted there
        if resp.status_code != 429 and resp.status_code < 500 and error not in TRANSIENT_ERRORS:
            # Slack will not let us look (an install without the history scopes, say): rather than lose the
            # message, send it; a duplicate is possible here, and only here
            log.warning("cannot look up a message in doubt (%s); sending it again", error)
            return Lookup()
        retry_after = resp.headers.get("Retry-After") or resp.headers.get("retry-after")
        status = resp.status_code if resp.status_code != 200 else 503  # a failed look is never a success
        return Lookup(
            failure=CallResult(status, error or "lookup_failed", float(retry_after) if retry_after else None, None)
        )
    except Exception as exc:
        log.warning("looking up a message in doubt failed without an answer: %s", type(exc).__name__)
        return Lookup(failure=CallResult(None, None, None, None))
    return Lookup()


class Lease:
    """While a worker runs it holds a PostgreSQL advisory lock named after it, on a connection of its own; the
    server drops the lock when the process dies, however it dies. So another worker can tell at once that a
    claim's owner is gone (``alive``) and give its messages back, in doubt. On SQLite (one process) everyone
    counts as alive and stale claims are released after STALE_CLAIM by the clock."""

    NAMESPACE = int.from_bytes(b"TDMW", "big") & 0x7FFF_FFFF  # first key of the two-key advisory lock form

    def __init__(self, engine: Engine | None, worker_id: str) -> None:
        self.engine = engine if engine is not None and engine.dialect.name == "postgresql" else None
        self.worker_id = worker_id
        self._conn: Any = None

    @classmethod
    def _key(cls, worker_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(worker_id.encode(), digest_size=4).digest(), "big") & 0x7FFF_FFFF

    def hold(self) -> None:
        """Take (or check that we still hold) our own lock. Raises if the database is unreachable."""
        if self.engine is None:
            return
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                return
            except Exception:
                self.release()
        conn = self.engine.connect()
        args = {"a": self.NAMESPACE, "b": self._key(self.worker_id)}
        got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), args).scalar()
        conn.commit()
        if not got:  # another live worker has this id (or its hash): it counts as alive for both, which is safe
            conn.close()
            log.warning("worker: another worker holds the lease of %s; going on without one", self.worker_id)
            return
        self._conn = conn

    def alive(self, worker_id: str) -> bool:
        if self.engine is None:
            return True
        with self.engine.connect() as conn:
            args = {"a": self.NAMESPACE, "b": self._key(worker_id)}
            got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), args).scalar()
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), args)
            conn.commit()
            return not got

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: the lock lives as long as the server session
            except Exception:
                log.debug("worker: discarding the lease connection failed", exc_info=True)
            self._conn = None


def _result_summary(method: str, data: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    keep = {k: data[k] for k in ("channel", "ts") if k in data}
    if "view" in data and isinstance(data["view"], dict):
        keep["view_id"] = data["view"].get("id")
    return keep


class Worker:
    """Sends what the outbox holds. ``client_for`` gives the WebClient of a workspace (team id).

    Exactly once: every post carries an idempotency key Slack keeps with it (``tagged``). A message whose try may
    have reached Slack unrecorded (the worker died between Slack's answer and the commit, a timeout, a 5xx) is
    marked in doubt, and its next try first looks for the key in the conversation (``find_sent``), for which the
    stored payload (routing and body) is kept until Slack has the call; once it is sent the outbox empties it
    (``outbox.record``). ``pacing``
    (None: as fast as Slack answers, for the demo and the tests) keeps to Slack's rate limits."""

    REAP_EVERY = 5.0  # seconds between looks for claims of workers that are gone

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client_for: Callable[[str], WebClient],
        clock: Clock,
        worker_id: str | None = None,
        batch: int = 50,
        pacing: Pacing | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.client_for = client_for
        self.clock = clock
        # the random part keeps a restarted process with a recycled pid from passing for its predecessor
        self.worker_id = worker_id or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.batch = batch
        self.pacing = pacing
        bind = session_factory.kw.get("bind")
        self.lease = Lease(bind if isinstance(bind, Engine) else None, self.worker_id)
        self._reaped_at: float | None = None
        self._failed = False

    def reap(self) -> int:
        """Give back what dead workers had claimed (PostgreSQL), at most every REAP_EVERY seconds."""
        if self.lease.engine is None:
            return 0
        started = time.monotonic()
        if self._reaped_at is not None and started - self._reaped_at < self.REAP_EVERY:
            return 0
        self._reaped_at = started
        with self.session_factory() as session:
            released = outbox.release_dead_workers(session, alive=self.lease.alive, me=self.worker_id)
        if released:
            log.warning("worker: took back %s messages of workers that are gone; they are in doubt", released)
        return released

    def drain_once(self) -> Counter[str]:
        """Expand one pending invitation request, then claim one batch of due messages and send them.
        Returns counts by outcome. A round that fails part-way (the database went away) raises; the next one
        first gives back, in doubt, what this worker still had claimed."""
        try:
            if self._failed:
                with self.session_factory() as session:
                    outbox.release_own(session, me=self.worker_id)
                self._failed = False
            return self._drain_once()
        except Exception:
            self._failed = True
            raise

    def _drain_once(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        self.lease.hold()
        if self.reap():
            counts["reaped"] += 1
        if self.expand_invites():
            counts["invite_batch"] += 1
        with self.session_factory() as session:
            claimed = outbox.claim_due(
                session, now=self.clock.now(), worker_id=self.worker_id, limit=self.batch, pacing=self.pacing
            )
            work = [
                (m.id, m.method, dict(m.payload), m.attempts, m.channel_key, m.workspace_id, m.in_doubt, m.created_at)
                for m in claimed
            ]
            if not work:  # claim_due committed
                return counts
            ids = {w[5] for w in work}
            rows = session.execute(select(Workspace.id, Workspace.team_id).where(Workspace.id.in_(ids))).all()
            teams = {workspace_id: team_id for workspace_id, team_id in rows}
            held: set[str] = set()  # conversations whose earlier message was just deferred
            for message_id, method, payload, attempts, channel_key, workspace_id, in_doubt, created_at in work:
                if channel_key is not None and channel_key in held:
                    outbox.release(session, message_id)
                    counts["held"] += 1
                    continue
                team_id = teams.get(workspace_id, "")
                key = idempotency_key(message_id, created_at)
                client = self.client_for(team_id)
                with logs.ids(team_id=team_id, outbox_id=message_id):
                    result, found, doubt = self._send(client, method, tagged(method, payload, key), key, in_doubt)
                if found:
                    counts["found"] += 1
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
                    in_doubt=doubt,
                )
                if result.status == 429:
                    outbox.hold_back(
                        session,
                        workspace_id=workspace_id,
                        method=method,
                        channel_key=channel_key,
                        until=self.clock.now() + decision.delay,
                    )
                counts[decision.outcome.value] += 1
                metrics.SENDS.labels(method, decision.outcome.value).inc()
                if result.status == 429:
                    metrics.RATE_LIMITED.labels(method).inc()
        return counts

    def _send(
        self, client: WebClient, method: str, payload: dict[str, Any], key: str, in_doubt: bool
    ) -> tuple[CallResult, bool, bool]:
        """One try: for a message in doubt, first a look whether an earlier try got through. Returns the result,
        whether the message was found already sent, and whether it is (still) in doubt afterwards."""
        if in_doubt:
            looked = find_sent(client, method, payload, key)
            if looked.found is not None:
                log.info("outbox message was sent by an earlier try; not sending it again")
                return CallResult(200, None, None, looked.found), True, False
            if looked.failure is not None:
                return looked.failure, False, True
        result = call_slack(client, method, payload)
        return result, False, may_have_reached_slack(result.status)

    def close(self) -> None:
        self.lease.release()

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
