"""HTTP entry: ``/slack/events`` (events, commands, interactivity), ``/healthz`` and ``/metrics`` (Prometheus), as
one WSGI app; with several workspaces (OAuth) also ``/slack/install`` and ``/slack/oauth_redirect``."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot import metrics
from bot.db import check_database

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


class TandemWSGI:
    def __init__(self, app: App, engine: Engine) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.engine = engine
        metrics.watch_outbox(engine)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            return self._slack(environ, start_response)
        if path in ("/slack/install", "/slack/oauth_redirect"):  # GET, in a browser; Bolt's 404 in token mode
            return self.slack(environ, start_response)
        if path == "/healthz":
            return self._health(start_response)
        if path == "/metrics":
            data = generate_latest(metrics.REGISTRY)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(data)))])
            return [data]
        return self._json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt answers after the listeners ran (process_before_response), so the time to the answer is the ack
        latency Slack sees."""
        started = time.perf_counter()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        kind = metrics.request_kind(str(environ.get("CONTENT_TYPE") or ""), body)
        try:
            return self.slack(environ, start_response)
        finally:
            metrics.REQUESTS.labels(kind).inc()
            metrics.ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            check_database(self.engine)
        except Exception as exc:
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            return self._json(start_response, "503 Service Unavailable", {"ok": False, "database": "down"})
        return self._json(start_response, "200 OK", {"ok": True, "database": "up"})

    @staticmethod
    def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def make_server(wsgi: TandemWSGI, *, host: str, port: int, threads: int = 8, **options: Any) -> Any:
    """A waitress server (production WSGI) ready to ``run()``; port 0 picks a free port."""
    from waitress import create_server

    return create_server(wsgi, host=host, port=port, threads=threads, ident="tandem", **options)
