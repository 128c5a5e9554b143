"""Slack's side of Socket Mode: the WebSocket an app connects to with the URL ``apps.connections.open`` gave it.

* A connection is opened with a one-time ticket (``ws://127.0.0.1:<port>/link/?ticket=...``, from :meth:`SocketLink.
  issue_url`); a connection without a valid ticket is refused (HTTP 403). On connect the link says ``hello`` as
  Slack does (``num_connections``, ``debug_info``, ``connection_info.app_id``).
* :meth:`SocketLink.deliver` sends one envelope (``events_api``, ``slash_commands``, ``interactive``, with a unique
  ``envelope_id``; ``accepts_response_payload`` for commands and interactions; ``retry_attempt`` and
  ``retry_reason`` for events) on the newest connection and waits up to ``ack_timeout`` (Slack's 3 s) for the app's
  acknowledgement ``{"envelope_id": ..., "payload": {...}?}``. It answers as an HTTP delivery would
  (``bot.sandbox.transport.signed_post``): status 200 and the ack's payload as the body, or no status when no ack
  came in time; so ``bot.sandbox.deliveries`` treats both alike (retries, a command's answer, a modal's
  ``response_action``).
* :meth:`SocketLink.disconnect` sends ``{"type": "disconnect", "reason": ...}``: after ``refresh_requested`` the app
  opens a new connection (a new ``apps.connections.open``) and the old one is closed once it has; the link keeps
  delivering on the newest. After ``link_disabled`` (Socket Mode turned off for the app) every connection is closed
  and no new one is accepted.

Envelopes are not signed: the app trusts the WebSocket. Recorded: every envelope sent (``envelopes``) and every
acknowledgement received (``acks``).
"""

from __future__ import annotations

import contextlib
import http
import itertools
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.socket_mode.client import BaseSocketModeClient
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

# What a delivery kind of the sandbox is called in an envelope, and whether the app may answer it with a payload.
ENVELOPE_TYPES = {
    "event": ("events_api", False),
    "command": ("slash_commands", True),
    "interaction": ("interactive", True),
}
CONNECT_WAIT = 3.0  # seconds a delivery waits for a connection (the app may be reconnecting), as Slack's ack window


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    ack: dict[str, Any] | None = None


class SocketLink:
    """The WebSocket server of one sandbox app; see the module docstring."""

    def __init__(self, *, app_id: str, ack_timeout: float = 3.0) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.enabled = True  # False after link_disabled
        self.envelopes: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self.connections_opened = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []  # oldest first
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._server is not None:
            return
        # no pings of its own (the app pings, and the link answers); no compression (Slack's client offers none)
        self._server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=None,
            close_timeout=1,
            server_header="SlackSandbox/1.0",
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-sandbox-link", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        for connection in self.connections():
            connection.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def drop(self) -> None:
        """Close every open connection at once, without a word (a process that stops; the network)."""
        for connection in self.connections():
            connection.close()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Socket Mode link is not started")
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A WebSocket URL with a fresh one-time ticket (``apps.connections.open``'s answer)."""
        self.start()
        ticket = secrets.token_urlsafe(12)
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"

    def connections(self) -> list[ServerConnection]:
        with self._lock:
            return list(self._connections)

    def wait_connections(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` connections are open (a test waits for the app to connect or reconnect)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._connections) == count, timeout=timeout)

    # ------------------------------------------------------------------ the WebSocket side
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            if not self.enabled or ticket not in self._tickets:
                return connection.respond(http.HTTPStatus.FORBIDDEN, "invalid ticket\n")
            self._tickets.discard(ticket)
        return None

    def _serve_connection(self, connection: ServerConnection) -> None:
        with self._lock:
            count = len(self._connections) + 1
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "applink-sandbox",
                            "build_number": 1,
                            "approximate_connection_time": 3600,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                )
            )
            with self._changed:  # envelopes only after the hello, as Slack sends them
                self._connections.append(connection)
                self.connections_opened += 1
                self._changed.notify_all()
            for message in connection:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._changed.notify_all()

    def _receive(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except ValueError:
            return
        if not isinstance(ack, dict) or not isinstance(ack.get("envelope_id"), str):
            return
        with self._lock:
            self.acks.append(ack)
            pending = self._pending.get(ack["envelope_id"])
        if pending is not None and pending.ack is None:
            pending.ack = ack
            pending.done.set()

    # ------------------------------------------------------------------ what Slack sends
    def deliver(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> tuple[int | None, str, dict[str, str], str]:
        """One envelope on the newest connection, as one HTTP delivery: (200 or None, the ack's payload as JSON or
        "", {}, failure reason)."""
        type_, accepts_payload = ENVELOPE_TYPES[kind]
        envelope: dict[str, Any] = {
            "envelope_id": f"sbx-{next(self._ids):08d}-{secrets.token_hex(4)}",
            "payload": payload,
            "type": type_,
            "accepts_response_payload": accepts_payload,
        }
        if type_ == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        pending = _Pending()
        with self._changed:
            self._changed.wait_for(lambda: bool(self._connections) or not self.enabled, timeout=CONNECT_WAIT)
            connection = self._connections[-1] if self._connections and self.enabled else None
            if connection is None:
                return None, "", {}, "connection_failed"
            self._pending[envelope["envelope_id"]] = pending
            self.envelopes.append(envelope)
        try:
            connection.send(json.dumps(envelope))
            pending.done.wait(self.ack_timeout)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._pending.pop(envelope["envelope_id"], None)
        if pending.ack is None:
            return None, "", {}, "http_timeout"  # the reason Slack gives a missed acknowledgement over HTTP, too
        answer = pending.ack.get("payload")
        return 200, json.dumps(answer) if answer else "", {}, ""

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every open connection to go: ``refresh_requested`` (the app reconnects; the old connections are
        closed once a new one is open, or after ``ack_timeout``) or ``link_disabled`` (Socket Mode is off: closed
        now, no new connection accepted)."""
        old = self.connections()
        if reason == "link_disabled":
            with self._lock:
                self.enabled = False
                self._tickets.clear()
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-sandbox"}})
        for connection in old:
            with contextlib.suppress(ConnectionClosed):
                connection.send(message)
        if reason != "link_disabled":
            deadline = time.monotonic() + self.ack_timeout
            with self._changed:
                self._changed.wait_for(
                    lambda: any(c not in old for c in self._connections), timeout=deadline - time.monotonic()
                )
        for connection in old:
            connection.close()


def close_client(client: BaseSocketModeClient, link: SocketLink | None) -> None:
    """Close slack_sdk's Socket Mode client in a few milliseconds instead of seconds: without reconnecting, the link
    dropping the connection first (closed while connected, the client waits out its socket's 3 s read timeout), and
    its message loop woken (it waits up to a second for a message before it sees it is closed)."""
    client.auto_reconnect_enabled = False
    if link is not None:
        link.drop()
    client.closed = True
    client.message_queue.put(None)
    client.close()
