"""HTTP entry: ``/slack/events`` (events, commands, interactivity), ``/healthz`` and ``/metrics`` (Prometheus), as
one WSGI app; with several workspaces (OAuth) also ``/slack/install`` and ``/slack/oauth_redirect``.

What a request must be before anything acts on it:

- no body larger than ``max_body`` bytes (``TANDEM_MAX_BODY_BYTES``, 1 MiB; Slack's payloads are a few KB): waitress
  answers 413 from the Content-Length header before it reads the body (``max_request_body_size``), and this app
  answers 413 from CONTENT_LENGTH under any other WSGI server, reading at most ``max_body`` bytes;
- every POST to ``/slack/events`` carries Slack's ``X-Slack-Signature`` (v0, HMAC-SHA256 of the body with the
  signing secret) over an ``X-Slack-Request-Timestamp`` at most 5 minutes from now, either way: checked here, in the
  HTTP thread, before the request reaches Bolt, so a busy listener pool can never turn a forged request's 401 into
  the 200 Tandem answers for a slow listener; Bolt's own RequestVerification middleware checks it again;
- ``/slack/install`` and ``/slack/oauth_redirect`` are GETs from a browser, not from Slack, so they carry no
  signature: the redirect is bound to its install link by slack_sdk's one-time ``state`` (stored in the
  ``slack_oauth_states`` table for 10 minutes, and in a cookie of the browser that started the install), and the
  ``code`` is exchanged for a token only with the client secret;
- ``/healthz`` and ``/metrics`` act for nobody and say nothing about anyone (counts by kind and status). With
  ``TANDEM_METRICS_TOKEN`` set, ``/metrics`` answers only a request with ``Authorization: Bearer <token>`` (compared in
  constant time; 401 otherwise); with ``tandem serve --metrics-port N`` it is served on that port alone
  (:func:`metrics_app`) and the public port answers it with 404.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot import metrics
from bot.db import check_database

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

MAX_BODY = 1024 * 1024  # bytes; the default of TANDEM_MAX_BODY_BYTES


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def metrics_allowed(environ: dict[str, Any], token: str | None) -> bool:
    """Whether a request may read ``/metrics``: always without a token; else only with ``Authorization: Bearer
    <token>``, compared in constant time (over digests, so not even the length is told)."""
    if not token:
        return True
    scheme, _, given = str(environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
    return hmac.compare_digest(_digest(given.strip() if scheme.lower() == "bearer" else ""), _digest(token))


def serve_metrics(environ: dict[str, Any], start_response: StartResponse, token: str | None) -> Iterable[bytes]:
    if not metrics_allowed(environ, token):
        metrics.REJECTED.labels("metrics_token").inc()
        data = json.dumps({"ok": False, "error": "unauthorized"}).encode()
        start_response(
            "401 Unauthorized",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("WWW-Authenticate", 'Bearer realm="tandem-metrics"'),
            ],
        )
        return [data]
    data = generate_latest(metrics.REGISTRY)
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(data)))])
    return [data]


def metrics_app(token: str | None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """``/metrics`` alone, for a port of its own (``tandem serve --metrics-port``, ``tandem worker --metrics-port``);
    every other path answers 404."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") == "/metrics":
            return serve_metrics(environ, start_response, token)
        data = json.dumps({"ok": False, "error": "not_found"}).encode()
        start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return app


class TandemWSGI:
    def __init__(
        self,
        app: App,
        engine: Engine,
        *,
        signing_secret: str | None = None,
        max_body: int = MAX_BODY,
        metrics_token: str | None = None,
        serve_metrics: bool = True,
    ) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.engine = engine
        self.max_body = max_body
        self.metrics_token = metrics_token
        self.serve_metrics = serve_metrics  # False: /metrics has a port of its own and is not found here
        secret = signing_secret if signing_secret is not None else getattr(app, "_signing_secret", None)
        if not secret:
            raise ValueError("the HTTP entry needs the app's signing secret")
        self.verifier = SignatureVerifier(secret)
        metrics.watch_outbox(engine)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self._length(environ) > self.max_body:
            metrics.REJECTED.labels("too_large").inc()
            return self._json(start_response, "413 Payload Too Large", {"ok": False, "error": "too_large"})
        if path == "/slack/events":
            return self._slack(environ, start_response)
        if path in ("/slack/install", "/slack/oauth_redirect"):  # GET, in a browser; Bolt's 404 in token mode
            return self.slack(environ, start_response)
        if path == "/healthz":
            return self._health(start_response)
        if path == "/metrics" and self.serve_metrics:
            return serve_metrics(environ, start_response, self.metrics_token)
        return self._json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt answers after the listeners ran (process_before_response), so the time to the answer is the ack
        latency Slack sees."""
        started = time.perf_counter()
        length = self._length(environ)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if environ.get("REQUEST_METHOD", "GET") == "POST" and not self._signed(environ, body):
            metrics.REJECTED.labels("signature").inc()
            return self._json(start_response, "401 Unauthorized", {"ok": False, "error": "invalid_request"})
        kind = metrics.request_kind(str(environ.get("CONTENT_TYPE") or ""), body)
        try:
            return self.slack(environ, start_response)
        finally:
            metrics.REQUESTS.labels(kind).inc()
            metrics.ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)

    @staticmethod
    def _length(environ: dict[str, Any]) -> int:
        try:
            return max(0, int(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            return 0

    def _signed(self, environ: dict[str, Any], body: bytes) -> bool:
        """Slack's v0 signature over this body, timestamped within 5 minutes of now (slack_sdk's check, as Bolt's).
        Only Slack's ``ssl_check`` pings are let through unsigned, as Bolt does: Bolt answers them with an empty 200
        and nothing else."""
        if body.startswith(b"ssl_check=1") or b"&ssl_check=1" in body:
            return True
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        if not timestamp.isdigit():
            return False
        return self.verifier.is_valid(
            body=body, timestamp=timestamp, signature=str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        )

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

    # waitress refuses a Content-Length >= max_request_body_size with 413 before reading the body
    options.setdefault("max_request_body_size", wsgi.max_body + 1)
    return create_server(wsgi, host=host, port=port, threads=threads, ident="tandem", **options)
