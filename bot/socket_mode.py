"""Socket Mode entry (``tandem serve`` with ``SLACK_APP_TOKEN``): Bolt's SocketModeHandler on slack_sdk's built-in
client, which opens its WebSocket with ``apps.connections.open`` through the app's own WebClient, so at
``SLACK_API_URL`` (the sandbox sets it; Slack's otherwise) and with the app-level token.

What the HTTP entry (``bot.web.TandemWSGI``) does per request, and what becomes of it here:

- each event handled once, the early acknowledgement, a session and the clock: Bolt middleware
  (``bot.handlers.middleware``), so the same here: an envelope Slack sends again after a missed acknowledgement
  carries the same ``event_id`` and is acknowledged without being handled twice;
- the signature and the body size limit: HTTP only. Envelopes are not signed (the app opened the WebSocket with
  its app-level token and trusts it), and only Slack writes to it;
- the request count and the time to the acknowledgement (``tandem_slack_requests_total``,
  ``tandem_slack_ack_seconds``): counted here, by the envelope's type.
"""

from __future__ import annotations

import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import metrics

KINDS = {"events_api": "event", "slash_commands": "command", "interactive": "interaction"}


class TandemSocketMode(SocketModeHandler):
    """Bolt's handler, counting each envelope and its acknowledgement's latency as the HTTP entry does."""

    def __init__(self, app: App, app_token: str) -> None:
        super().__init__(app, app_token, web_client=app.client)  # the app's client: its base URL, its proxy

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        kind = KINDS.get(req.type, "other")
        try:
            send_response(client, req, run_bolt_app(self.app, req), started)
        finally:
            metrics.REQUESTS.labels(kind).inc()
            metrics.ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)
