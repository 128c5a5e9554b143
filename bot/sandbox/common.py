"""What the sandbox's modules share: Slack's error answer, a delivery to the app, the limits Slack sets, two
helpers, and how it hands out copies of what it stores. (Kept apart so that ``bot.sandbox.oauth`` and
``bot.sandbox.personas`` need not import the server.)"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

TRIGGER_TTL = timedelta(seconds=3)
RESPONSE_URL_TTL = timedelta(minutes=30)
RESPONSE_URL_USES = 5
MAX_VIEW_STACK = 3
VERIFICATION_TOKEN = "sandbox-verification-token"
BOT_SCOPES = (
    "chat:write,commands,im:history,im:write,mpim:history,mpim:write,users:read,channels:read,groups:read,"
    "groups:write,files:write,channels:history,groups:history,users:read.email,users.profile:read,files:read"
)


def snapshot(value: Any) -> Any:
    """A deep copy of stored JSON-like data (messages, views, calls), so a caller can never change what the sandbox
    holds: the same as ``copy.deepcopy`` for such data, in a third of its time (tests read messages thousands of
    times)."""
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


class SlackError(Exception):
    """A Web API error answer: ``{"ok": false, "error": code}`` (with optional messages)."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []


@dataclass
class Delivery:
    """One request the sandbox sent to the app, with Slack's retries for events."""

    kind: str  # "event", "command", "interaction", "url_verification"
    payload: Any = None
    attempts: list[tuple[int | None, int]] = field(default_factory=list)  # (HTTP status or None, retry_num)
    status: int | None = None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    event_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def json(self) -> Any:
        """The app's response body as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true", "yes"))


def fill_ids(blocks: Any) -> Any:
    """Like Slack: blocks and interactive elements without ids get generated ones."""
    if not isinstance(blocks, list):
        return blocks
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", f"sbx{i}")
        elements: list[Any] = []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            elements.extend(block["elements"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        for j, el in enumerate(elements):
            if isinstance(el, dict) and el.get("type") != "image":
                el.setdefault("action_id", f"sbx{i}_{j}")
    return blocks
