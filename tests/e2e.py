"""Helpers for end-to-end tests: a LocalStack per test on the test database, and raw signed requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlencode

from bot.clock import SimulatedClock
from bot.sandbox.stack import SIGNING_SECRET, LocalStack

# Monday 4 January 2027, 08:00 UTC: 09:00 in Berlin, 08:00 in Lisbon, 03:00 in New York, 16:00 in Singapore.
START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def make_stack(database_url: str) -> LocalStack:
    return LocalStack(database_url, clock=SimulatedClock(START), migrate=False)


def assert_calls_ok(stack: LocalStack) -> None:
    """Every Web API call Tandem made is one Slack accepts, every interaction answer was well formed, and every
    response_url post was accepted."""
    from bot.sandbox.blockkit import validate_call

    for i, call in enumerate(stack.sandbox.calls):
        assert validate_call(call["method"], call["args"]) == [], f"call {i} {call['method']} invalid"
    assert stack.sandbox.problems == []
    assert all(post["ok"] for post in stack.sandbox.response_url_posts), stack.sandbox.response_url_posts


def signed_post(
    url: str, body: bytes, *, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> tuple[int, bytes]:
    """POST ``body`` signed as Slack signs it; returns (status, body)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def command_body(*, user_id: str, text: str, team_id: str = "T0TANDEM", channel_id: str = "D0000001") -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team_id,
            "team_domain": "tandem-sandbox",
            "channel_id": channel_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": "someone",
            "command": "/tandem",
            "text": text,
            "api_app_id": "A0TANDEM",
            "response_url": "http://127.0.0.1:9/response/none",
            "trigger_id": "1.2.3",
        }
    ).encode()


def json_body(payload: dict) -> bytes:
    return json.dumps(payload).encode()
