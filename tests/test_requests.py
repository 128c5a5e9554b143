"""Requests and secrets (issue 9): every POST from Slack is signed with the signing secret over a timestamp at most
5 minutes off and no larger than the body limit, checked over real HTTP on the bot's own server before anything acts
on it; no token or secret reaches a log line, even at DEBUG; secrets come from the environment only and are never
shown. (SQLite, and PostgreSQL when set.)"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import logs, metrics
from bot.config import SECRETS, VARIABLES, Settings, load_settings
from bot.models import OutboxMessage, OutboxStatus, Participant, SlackEvent, Workspace
from bot.sandbox.stack import SIGNING_SECRET, LocalStack
from bot.services import outbox
from bot.web import MAX_BODY, TandemWSGI
from tests.helpers import command_body, json_body, make_stack, signed_post

FORM = "application/x-www-form-urlencoded"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stack(database_url: str, session_factory) -> Iterator[LocalStack]:
    s = make_stack(database_url).start()
    yield s
    s.stop()


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": FORM, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def headers_only(url: str, length: int, headers: dict[str, str]) -> bytes:
    """A POST's headers announcing ``length`` bytes, and none of its body: the start of the answer."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    lines = [f"POST {urllib.parse.urlsplit(url).path} HTTP/1.1", "Host: tandem", f"Content-Type: {FORM}"]
    lines += [f"Content-Length: {length}", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return conn.recv(4096)


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def signed(body: bytes, timestamp: int) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature(body, str(timestamp))}


def rejected(reason: str) -> float:
    return metrics.REGISTRY.get_sample_value("tandem_requests_rejected_total", {"reason": reason}) or 0.0


def nothing_happened(stack: LocalStack, calls_before: int) -> None:
    """Nobody registered, no event claimed, no Web API call made."""
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Participant)) == 0
        assert s.scalar(select(func.count()).select_from(SlackEvent)) == 0
    assert len(stack.sandbox.calls) == calls_before


# ---------------------------------------------------------------------------------------------- signatures
def test_only_requests_signed_within_five_minutes_are_handled(stack: LocalStack) -> None:
    url = stack.sandbox.app_url
    ana = stack.sandbox.add_user("ana", real_name="Ana Weber", tz="Europe/Berlin", locale="en-US")
    command = command_body(user_id=ana, text="help")
    event = json_body(
        {
            "token": "legacy",
            "team_id": stack.sandbox.team_id,
            "api_app_id": "A0TANDEM",
            "type": "event_callback",
            "event_id": "Ev0FORGED",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": ana, "channel": "D0000001", "tab": "home"},
        }
    )
    calls = len(stack.sandbox.calls)
    before = rejected("signature")
    now = int(time.time())
    refused = [
        (command, {}),  # unsigned
        (command, {"X-Slack-Request-Timestamp": str(now)}),  # a timestamp, no signature
        (command, {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": signature(command, str(now), "bad")}),
        (command + b"&x=1", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": signature(command, str(now))}),
        (command, {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": signature(command, "soon")}),
        # signed correctly, but 6 minutes old, or 6 minutes ahead
        (command, signed(command, now - 360)),
        (command, signed(command, now + 360)),
        # an event with an event_id: refused before the event is claimed (the dedupe table stays empty)
        (event, {"Content-Type": "application/json"}),
        (event, {"Content-Type": "application/json", **signed(event, now - 301)}),
    ]  # fmt: skip
    for body, headers in refused:
        assert post(url, body, headers) == 401, headers
    nothing_happened(stack, calls)
    assert rejected("signature") - before == len(refused)

    # a form body that only claims to be Slack's ssl_check is answered by Bolt with an empty 200 and nothing else
    assert post(url, b"ssl_check=1&token=x", {}) == 200
    nothing_happened(stack, calls)

    # exactly valid, 4 minutes old: handled
    assert post(url, command, signed(command, int(time.time()) - 240)) == 200
    assert [c["args"]["user"] for c in stack.sandbox.calls_to("users.info")] == [ana]  # answered in her language


def test_a_forged_request_never_reaches_bolt(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is made in the HTTP thread, before Bolt's dispatch (its listener pool, the event dedupe): a busy
    pool can't turn a forged request's 401 into the 200 Tandem answers for a slow listener."""
    reached: list[bytes] = []
    dispatch = stack.app.dispatch
    monkeypatch.setattr(stack.app, "dispatch", lambda req: reached.append(req.raw_body.encode()) or dispatch(req))
    body = command_body(user_id="U0NOBODY", text="help")
    now = int(time.time())
    for headers in ({}, signed(body, now - 360), {**signed(body, now), "X-Slack-Signature": "v0=" + "0" * 64}):
        assert post(stack.sandbox.app_url, body, headers) == 401
    assert reached == []
    assert post(stack.sandbox.app_url, body, signed(body, now)) == 200 and reached == [body]


# ---------------------------------------------------------------------------------------------- the body limit
def test_a_body_over_the_limit_gets_413_before_it_is_read(stack: LocalStack) -> None:
    url = stack.sandbox.app_url
    assert stack.settings.max_body_bytes == MAX_BODY == 1024 * 1024
    ana = stack.sandbox.add_user("ana", real_name="Ana Weber", tz="Europe/Berlin", locale="en-US")
    command = command_body(user_id=ana, text="help")
    calls = len(stack.sandbox.calls)

    # one byte over the limit, signed correctly, or 10 MiB: refused from the headers alone, before a byte of the
    # body is read (it is never even sent: a server that read it would hang here until the timeout)
    big = command + b"&pad=" + b"a" * (MAX_BODY - len(command) - 4)
    assert len(big) == MAX_BODY + 1
    ts = str(int(time.time()))
    for length in (len(big), 10 * 1024 * 1024):
        answer = headers_only(url, length, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature(big, ts)})
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    nothing_happened(stack, calls)

    # exactly at the limit: handled
    exact = command + b"&pad=" + b"a" * (MAX_BODY - len(command) - 5)
    assert len(exact) == MAX_BODY
    status, body = signed_post(url, exact, content_type=FORM)
    assert status == 200 and json.loads(body)["response_type"] == "ephemeral"
    assert [c["args"]["user"] for c in stack.sandbox.calls_to("users.info")] == [ana]  # answered in her language


def test_the_app_refuses_a_large_body_under_any_wsgi_server(stack: LocalStack) -> None:
    """Behind a server without waitress' limit, TandemWSGI answers 413 from CONTENT_LENGTH without reading."""

    class Unreadable(io.RawIOBase):
        def read(self, *_: Any) -> bytes:
            raise AssertionError("the body was read")

    wsgi = TandemWSGI(stack.app, stack.engine, max_body=16 * 1024)
    before = rejected("too_large")
    seen: list[str] = []
    for path in ("/slack/events", "/slack/oauth_redirect", "/healthz", "/nowhere"):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(16 * 1024 + 1)}
        environ["wsgi.input"] = Unreadable()
        body = b"".join(wsgi(environ, lambda status, _headers: seen.append(status)))
        assert json.loads(body) == {"ok": False, "error": "too_large"}
    assert seen == ["413 Payload Too Large"] * 4 and rejected("too_large") - before == 4
    with pytest.raises(ValueError, match="signing secret"):
        TandemWSGI(stack.app, stack.engine, signing_secret="")


def test_the_body_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TANDEM_MAX_BODY_BYTES", "65536")
    assert load_settings().max_body_bytes == 65536
    monkeypatch.setenv("TANDEM_MAX_BODY_BYTES", "10")
    with pytest.raises(Exception, match=r"^TANDEM_MAX_BODY_BYTES:"):
        load_settings()
    assert "TANDEM_MAX_BODY_BYTES" in VARIABLES


# ---------------------------------------------------------------------------------------------- tokens in logs
TOKENISH = re.compile(r"xox[abposre]-|xapp-|xoxe\.")


class Records(logging.Handler):
    """Every record, formatted without any redaction."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.name, self.format(record)))


@pytest.fixture
def everything_at_debug() -> Iterator[tuple[io.StringIO, Records, list[str]]]:
    """The root logger and every library's at DEBUG (SQLAlchemy's statements too); Tandem's own handler, with the
    secrets it is given, writes to a string; a second handler keeps the raw records."""
    stream = io.StringIO()
    secrets: list[str] = []
    names = ("", "slack_sdk", "slack_bolt", "waitress", "urllib3", "sqlalchemy.engine", "tandem", "bot")
    saved = {name: logging.getLogger(name).level for name in names}
    ours = logs.handler(stream, json_lines=True, secrets=secrets)
    raw = Records()
    root = logging.getLogger()
    root.addHandler(raw)
    root.addHandler(ours)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream, raw, secrets
    finally:
        root.removeHandler(ours)
        root.removeHandler(raw)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_no_token_or_secret_is_logged_even_at_debug(
    database_url: str, session_factory, everything_at_debug: tuple[io.StringIO, Records, list[str]]
) -> None:
    """Several workspaces: an OAuth install (the client secret goes to Slack, a bot token comes back and is stored),
    commands and App Home with the installed token, a forged request, and a Slack API error in the outbox."""
    from tests.helpers import SECOND, clear_slack_stores, install

    stream, raw, secrets = everything_at_debug
    clear_slack_stores(session_factory.kw["bind"])
    stack = LocalStack(database_url, migrate=False, oauth=True)
    stack.sandbox.oauth.add_team(SECOND, "Second Team")
    stack.start()
    try:
        secrets.extend(stack.settings.secrets())
        assert {SIGNING_SECRET, stack.sandbox.oauth.client_secret} <= set(stack.settings.secrets())
        sandbox = stack.sandbox
        hana = sandbox.persona(sandbox.add_user("hana", real_name="Hana Host", is_admin=True, tz="Europe/Berlin"))
        assert install(stack)[0] == 200
        assert install(stack, team=SECOND)[0] == 200
        stack.settle()
        assert hana.slash("help").ok
        hana.open_home()
        assert hana.slash("admin setup").ok
        assert post(sandbox.app_url, command_body(user_id=hana.id, text="help"), {}) == 401
        with stack.session_factory() as s:  # Slack refuses a post to a channel it doesn't know: parked
            ws = s.scalars(select(Workspace).where(Workspace.team_id == sandbox.team_id)).one()
            outbox.post(
                s,
                workspace_id=ws.id,
                channel="C0NOSUCH",
                message={"text": "x"},
                now=stack.clock.now(),
                about=outbox.NOBODY,
            )
            s.commit()
        stack.settle()
        with stack.session_factory() as s:
            assert s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.PARKED)) == 1
        tokens = [t for team in (sandbox.team_id, SECOND) for t in sandbox.oauth.tokens_of(team)]
        assert len(tokens) == 2
        try:  # an error whose text holds a token, logged with its traceback
            raise RuntimeError(f"a library put {tokens[0]} into an error")
        except RuntimeError:
            logging.getLogger("slack_sdk.test").exception("failed")
    finally:
        stack.stop()
        clear_slack_stores(session_factory.kw["bind"])

    written = stream.getvalue()
    every = "\n".join(line for _, line in raw.lines)
    # the scenario was logged at DEBUG (SQLAlchemy's statements, parameters hidden); Slack's libraries, even with
    # their loggers turned to DEBUG by hand, log no request or response body through the loggers Tandem hands them
    assert "sqlalchemy.engine" in every and "hide_parameters" in every
    assert "Sending a request" not in every and "Received the following response" not in every
    # a library's error whose text holds a token: the raw record has it, the written line only its type
    assert any(token in every for token in tokens)
    assert "RuntimeError: [withheld]" in written
    for secret in [*tokens, SIGNING_SECRET, stack.sandbox.oauth.client_secret]:
        assert secret not in written
    assert not TOKENISH.search(written)
    # Tandem's own log lines carry none, even before any redaction
    own = "\n".join(line for name, line in raw.lines if name.startswith(("bot", "tandem")))
    assert own and not TOKENISH.search(own)
    assert SIGNING_SECRET not in own and stack.sandbox.oauth.client_secret not in own


def test_the_redaction_catches_every_token_shape_and_the_configured_secrets() -> None:
    stream = io.StringIO()
    out = logs.handler(stream, json_lines=False, secrets=["s3cr3t-signing", "x"])
    log = logging.getLogger("tandem.redaction-test")
    log.addHandler(out)
    log.propagate = False
    try:
        log.warning(
            "fix %s %s %s %s %s %s the box",
            "xoxb-1-2-abc",
            "xoxp-1-2-abc",
            "xapp-1-A1-2-def",
            "xoxe.xoxb-1-refresh",
            "xoxe-1-refresh",
            "s3cr3t-signing",
        )
        try:
            raise ValueError("token xoxb-9-9-zzz")
        except ValueError:
            log.exception("with a traceback")
    finally:
        log.removeHandler(out)
        log.propagate = True
    first, *traceback = stream.getvalue().splitlines()
    assert first.endswith(": fix " + " ".join([logs.REDACTED] * 6) + " the box")  # "x" is too short to redact
    assert "Traceback (most recent call last):" in traceback and traceback[-1] == "ValueError: [withheld]"
    assert '    raise ValueError("token [redacted]")' in traceback  # the code shown, redacted too
    assert not re.search("xox|xapp|s3cr3t", stream.getvalue())


# ---------------------------------------------------------------------------------------------- secrets
SECRET_VARIABLES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "secret_key": "TANDEM_SECRET_KEY",
    "metrics_token": "TANDEM_METRICS_TOKEN",
}


def test_secrets_come_from_the_environment_only_and_are_never_shown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in [*SECRET_VARIABLES.values(), "DATABASE_URL", "SLACK_CLIENT_ID"]:
        monkeypatch.delenv(name, raising=False)
    assert set(SECRETS) == set(SECRET_VARIABLES)
    # no default: unset means None, never a made-up value
    empty = load_settings()
    for field in SECRETS:
        assert Settings.model_fields[field].default is None and getattr(empty, field) is None
        assert Settings.model_fields[field].alias == SECRET_VARIABLES[field]
    assert empty.secrets() == []

    values = {
        "SLACK_BOT_TOKEN": "xoxb-not-a-real-token",
        "SLACK_SIGNING_SECRET": "signingsecretvalue",
        "SLACK_APP_TOKEN": "xapp-not-a-real-token",
        "SLACK_CLIENT_SECRET": "clientsecretvalue",
        "TANDEM_SECRET_KEY": "c2VjcmV0a2V5dmFsdWVfMzJfYnl0ZXNfbG9uZ19feHg=",
        "TANDEM_METRICS_TOKEN": "metricstokenvalue-123456",
        "DATABASE_URL": "postgresql://tandem:dbpasswordvalue@db/tandem",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.slack_bot_token == values["SLACK_BOT_TOKEN"]
    assert sorted(settings.secrets()) == sorted([*list(values.values())[:6], "dbpasswordvalue"])
    for shown in (repr(settings), str(settings), f"{settings}"):
        assert "***" in shown and "db/tandem" in shown
        for secret in [*list(values.values())[:6], "dbpasswordvalue"]:
            assert secret not in shown

    # the one file settings are read from, .env in the working directory, is for development and never committed
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert ".env" not in tracked and not [f for f in tracked if Path(f).name.startswith(".env")]


REAL_TOKEN = re.compile(r"\b(?:xox[abposre]|xapp)-\d+-[A-Za-z0-9-]{10,}")


def test_no_real_looking_token_is_committed() -> None:
    """Tests and the sandbox use made-up tokens (``xoxb-sandbox-token``); none shaped like Slack's real ones, which
    are digits and at least ten more characters (``xoxb-1234567890-...``), is in a tracked file."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in (".png", ".ico", ".ttf", ".woff", ".woff2"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [(name, m.group()) for m in REAL_TOKEN.finditer(text)]
    assert found == []
