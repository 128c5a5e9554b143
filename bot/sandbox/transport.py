"""The sandbox's HTTP side: the server on 127.0.0.1 (``start``/``stop``, ``base_url``), request parsing and routing
to what it serves (the Web API, the OAuth approval page, response_url posts, uploads and file downloads, all in
``bot.sandbox.webapi``), and signed POSTs to the app (``signed_post``, with the signing secret and the real wall-clock
time, as Slack signs)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from slack_sdk.signature import SignatureVerifier

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Transport:
    """The HTTP server of a sandbox; subclasses answer the requests (``handle_*``, ``bot.sandbox.webapi``)."""

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Serve on 127.0.0.1 on a free port in a daemon thread."""
        if self._server is not None:
            return
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-sandbox",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        """The Web API base URL, as ``WebClient(base_url=...)`` wants it (trailing slash)."""
        return self.base_url + "api/"

    # ------------------------------------------------------------------ what the server serves
    def handle_api(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """``/api/<method>``: (HTTP status, JSON body, extra headers)."""
        raise NotImplementedError

    def handle_authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """``GET /oauth/v2/authorize``: (HTTP status, headers, HTML body)."""
        raise NotImplementedError

    def handle_response_url(self, token: str, raw: bytes) -> tuple[int, str]:
        """``POST /response/<token>``: (HTTP status, text body)."""
        raise NotImplementedError

    def handle_download(self, path: str, authorization: str | None) -> tuple[int, bytes, str]:
        """``GET /files-pri/...``: (HTTP status, body, content type)."""
        raise NotImplementedError

    def handle_upload(self, file_id: str, raw: bytes) -> tuple[int, str]:
        """``POST /upload/<file_id>``: (HTTP status, text body)."""
        raise NotImplementedError


def signed_post(
    url: str,
    body: bytes,
    content_type: str,
    *,
    secret: str,
    timeout: float,
    extra_headers: dict[str, str] | None = None,
) -> tuple[int | None, str, dict[str, str], str]:
    """One POST signed like Slack's: (status or None, body, lower-cased headers, failure reason)."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body.decode("utf-8"))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or "",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    headers.update(extra_headers or {})
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _NO_PROXY.open(request, timeout=timeout) as response:
            return (
                response.status,
                response.read().decode("utf-8", "replace"),
                {k.lower(): v for k, v in response.headers.items()},
                "",
            )
    except urllib.error.HTTPError as err:
        return (
            err.code,
            err.read().decode("utf-8", "replace"),
            {k.lower(): v for k, v in err.headers.items()},
            "http_error",
        )
    except TimeoutError:
        return None, "", {}, "http_timeout"
    except urllib.error.URLError as err:
        reason = "http_timeout" if isinstance(err.reason, TimeoutError | socket.timeout) else "connection_failed"
        return None, "", {}, reason
    except (ConnectionError, OSError):
        return None, "", {}, "connection_failed"


def _make_handler(sandbox: Transport) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackSandbox/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _params(self, raw: bytes) -> dict[str, Any]:
            query = urllib.parse.urlsplit(self.path).query
            params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            content_type = (self.headers.get("Content-Type") or "").lower()
            if raw and "application/json" in content_type:
                data = json.loads(raw.decode("utf-8"))
                if isinstance(data, dict):
                    params.update(data)
            elif raw and "multipart/form-data" not in content_type:
                params.update(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            return params

        def _dispatch(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            raw = self._read_body()
            if path.startswith("/api/"):
                try:
                    params = self._params(raw)
                except ValueError:
                    self._reply(
                        200,
                        json.dumps({"ok": False, "error": "invalid_json"}).encode(),
                        "application/json; charset=utf-8",
                    )
                    return
                status, body, headers = sandbox.handle_api(
                    path[len("/api/") :], params, self.headers.get("Authorization")
                )
                self._reply(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8", headers)
            elif path == "/oauth/v2/authorize" and self.command == "GET":
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                status, extra, page = sandbox.handle_authorize(query)
                self._reply(status, page.encode("utf-8"), "text/html; charset=utf-8", extra)
            elif path.startswith("/response/") and self.command == "POST":
                status, text = sandbox.handle_response_url(path[len("/response/") :], raw)
                self._reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")
            elif path.startswith("/files-pri/") and self.command == "GET":
                status, content, kind = sandbox.handle_download(path, self.headers.get("Authorization"))
                self._reply(status, content, kind)
            elif path.startswith("/upload/") and self.command == "POST":
                status, text = sandbox.handle_upload(path[len("/upload/") :], raw)
                self._reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")
            else:
                self._reply(404, b"not_found", "text/plain; charset=utf-8")

        do_GET = _dispatch
        do_POST = _dispatch

    return Handler
