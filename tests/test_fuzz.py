"""Hypothesis fuzzing of every listener Tandem registers, through signed HTTP requests as Slack sends them.

The listeners are not listed here: they are recorded while ``register_all`` wires them into a Bolt app (every
``app.command/action/view/shortcut/event/...`` call), and the ``/tandem`` and ``/tandem admin`` subcommands are
read from the dispatching code. A new listener is fuzzed without touching this file; one the fuzzer cannot reach
fails ``test_fuzz_listener`` (each listener must actually run), and one registered by a means this file does not
know fails ``test_every_listener_is_recorded``.

Each example is one request on a seeded world (a host, an admin channel, a program, two matched pairs, their
notes, goals, cards, weekly prompts...) with random values where Slack puts what people type or what Tandem put
in earlier: action values, private_metadata, state values, message text, command text; strings mix unicode (RTL,
zero-width, emoji, NUL), huge texts, broadcasts (``<!channel>``), mentions and disguised links, and ids of other
people's objects. After each request:

- the HTTP status is never 5xx;
- nothing was logged at ERROR (the error handler logs every listener failure, Bolt and Tandem log the rest);
- every Web API call Tandem made (also through the outbox) is one Slack accepts, every modal answer is well formed
  (``response_action: errors`` names input blocks of the submitted view) and every response_url post accepted;
- no mrkdwn text Tandem sent carries a broadcast, a mention or a disguised link that came from the fuzzer.

``TANDEM_FUZZ_EXAMPLES`` (default 8) sets the examples per listener and per subcommand on SQLite, half as many on
PostgreSQL (at least 2): what only PostgreSQL refuses (a NUL character, a text longer than its column, a number out
of range) is in every kind of value drawn, and the listeners and checks are the same. CI runs the default
derandomized, so a failure reproduces; ``TANDEM_FUZZ_SEED=<n>`` draws other examples (for longer runs locally).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot import routes
from bot.access import Surface
from bot.clock import SimulatedClock
from bot.flows.commands import TOO_LONG
from bot.handlers.adapter import register_all
from bot.ids import ID
from bot.models import Base, Participant
from bot.sandbox.blockkit import iter_action_elements, validate_blocks, validate_call
from bot.sandbox.personas import Persona, element_state
from bot.sandbox.stack import LocalStack
from tests.conftest import backends
from tests.helpers import OTHERS, PAIR, START, admin_channel, create_program, make_stack, onboard, persona, signed_post
from tests.helpers import match as _match

EXAMPLES = int(os.environ.get("TANDEM_FUZZ_EXAMPLES", "8"))
EXAMPLES_ON = {"sqlite": EXAMPLES, "postgresql": max(2, EXAMPLES // 2)}
SEED = os.environ.get("TANDEM_FUZZ_SEED")  # unset: the same derandomized examples on every run

# -- which listeners exist -----------------------------------------------------------------------------------
# Every App method that registers a listener. A kind not handled by ``World.fire`` fails the tests.
REGISTERING = (
    "command",
    "action",
    "view",
    "shortcut",
    "event",
    "message",
    "options",
    "block_action",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "global_shortcut",
    "message_shortcut",
    "attachment_action",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "function",
)
FUZZABLE_KINDS = ("command", "action", "view", "shortcut", "event")

Key = tuple[str, str]


class Registry:
    """Records each listener as it is registered and counts how often it runs."""

    def __init__(self) -> None:
        self.listeners: list[Key] = []
        self.hits: Counter[Key] = Counter()
        self._lock = threading.Lock()

    def patch(self, mp: pytest.MonkeyPatch) -> None:
        for kind in REGISTERING:
            original = getattr(App, kind, None)
            if original is not None:
                mp.setattr(App, kind, self._recording(kind, original))

    def _recording(self, kind: str, original: Callable[..., Any]) -> Callable[..., Any]:
        registry = self

        @functools.wraps(original)
        def method(app: App, *args: Any, **kwargs: Any) -> Any:
            decorator = original(app, *args, **kwargs)
            constraint = args[0] if args else next(iter(kwargs.values()), None)
            key = (kind, constraint if isinstance(constraint, str) else repr(constraint))

            def register(*functions: Any, **lazy: Any) -> Any:
                registry.listeners.append(key)
                if lazy or not functions:
                    return decorator(*functions, **lazy)
                return decorator(registry._counting(key, functions[0]), *functions[1:])

            return register

        return method

    def _counting(self, key: Key, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def listener(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.hits[key] += 1
            return function(*args, **kwargs)

        return listener


def _registered() -> tuple[list[Key], int]:
    """The listeners ``register_all`` registers (recorded on a bare app), and how many Bolt holds."""
    registry = Registry()
    with pytest.MonkeyPatch.context() as mp:
        registry.patch(mp)
        app = App(
            token=None,
            signing_secret="collect",
            client=WebClient(token="xoxb-collect"),
            token_verification_enabled=False,
            process_before_response=True,
        )
        register_all(app, session_factory=sessionmaker(), clock=SimulatedClock(START))
    return registry.listeners, len(app._listeners)


def _subcommands() -> list[str]:
    """``/tandem`` words as the route table declares them: top level, ``/tandem admin <word>``, and the words a
    route reads after its own (``/tandem notes <word>``)."""
    found: set[str] = set()
    for route in routes.ROUTES:
        words = [w for w in route.ids if w not in (routes.ANY, TOO_LONG)]
        if route.surface is Surface.COMMAND:
            found.update(words)
            found.update(f"{w} {sub}" for w in words for sub in route.words)
        elif route.surface is Surface.ADMIN_COMMAND:
            found.update(f"admin {w}" for w in words)
    found.add("admin")
    return sorted(found)


LISTENERS, BOLT_COUNT = _registered()
SUBCOMMANDS = _subcommands()


def test_every_listener_is_recorded() -> None:
    """Every listener Bolt holds was recorded, of a kind the fuzzer sends; the subcommand scan found the known
    ones (a refactoring that hides them from the scan must teach it)."""
    assert len(LISTENERS) == BOLT_COUNT, "a listener was registered by a means this file does not record"
    assert {kind for kind, _ in LISTENERS} <= set(FUZZABLE_KINDS), LISTENERS
    assert len(set(LISTENERS)) > 80
    for known in ("help", "note", "notes export", "join", "pause", "goals", "admin new", "admin match", "privacy"):
        assert known in SUBCOMMANDS, known
    action_ids = {c for k, c in LISTENERS if k == "action"}
    views = {c for k, c in LISTENERS if k == "view"}
    assert {ID.GOAL_DONE.value, ID.CARD_PUBLISH.value} <= action_ids
    assert {ID.NOTE_MODAL.value, ID.PROGRAM_MODAL.value} <= views


# -- what people type ----------------------------------------------------------------------------------------
FUZZ_USER = "U0FUZZ0001"  # a user id Tandem never mentions by itself
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S0FUZZ01|everyone-team>",
    f"<@{FUZZ_USER}>",
    f"<@{FUZZ_USER}|boss>",
    "<#C0FUZZ01|general>",
    "<https://evil.example/login|bank>",
    "<mailto:ceo@evil.example|Your bank>",
    "&lt;!channel&gt;",
    "<!date^1392734382^{date}|x>",
    "\u202ertl override\u202c",
    "ש\u200fלום עולם",
    "zero\u200bwidth\u200d\ufeff",
    "nul\x00byte",
    "emoji 👩🏽‍💻🇩🇪🙂",
    "```code``` *bold* _it_ ~strike~ > quote",
    "{{ 7*7 }} {% raw %} ${x} %s %(x)s {0}",
    "'; DROP TABLE participant; --",
    "[topic] #hosts #red #program text",
    "until 2027-13-45",
    "https://evil.example/" + "a" * 1200,
    "\n\n\t  \r\n",
    "x" * 3001,
    "y" * 40_001,
]
SAFE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    SAFE_TEXT,
    st.lists(st.one_of(st.sampled_from(HOSTILE), SAFE_TEXT), min_size=2, max_size=4).map(" ".join),
)


@dataclass
class Context:
    """Where an element was found: a message (channel, ts) or a view."""

    user: str | None
    channel: str | None = None
    message: dict[str, Any] | None = field(default=None, repr=False)
    view: dict[str, Any] | None = field(default=None, repr=False)
    block_id: str | None = None
    element: dict[str, Any] | None = field(default=None, repr=False)


@dataclass
class World:
    stack: LocalStack
    registry: Registry
    users: list[str]
    channels: list[str]
    thread_ts: list[str]
    ids: list[int]
    contexts: dict[str, list[Context]] = field(default_factory=dict)  # action_id -> where it was seen
    views: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # callback_id -> rendered views
    errors: list[logging.LogRecord] = field(default_factory=list)
    seen_calls: int = 0
    seen_posts: int = 0
    seen_problems: int = 0
    seeded_calls: int = 0
    events: int = 0
    examples: int = EXAMPLES  # per listener and per subcommand on this world's database (EXAMPLES_ON)

    # -- values --------------------------------------------------------------------------------------------
    def id_text(self) -> st.SearchStrategy[str]:
        return st.one_of(
            st.sampled_from(self.ids).map(str),
            st.sampled_from(["0", "-1", "2147483648", "9223372036854775808", "1e3", "0x10", " 1", "1.5", "NaN"]),
        )

    def value(self, real: list[Any]) -> st.SearchStrategy[Any]:
        """An action value: a real one, another object's id, compound forms, text, wrong types."""
        compound = st.tuples(st.sampled_from(["host", "pair", "", "x"]), self.id_text()).map(":".join)
        parts = [
            self.id_text(),
            compound,
            st.tuples(self.id_text(), st.sampled_from(["0", "1", "9", "role", "zzz"])).map(":".join),
            TEXT,
            st.one_of(st.integers(), st.none(), st.lists(st.integers(), max_size=2), st.just({"a": 1})),
        ]
        if real:
            parts.insert(0, st.sampled_from(real))
        return st.one_of(*parts)

    def metadata(self, data: st.DataObject, real: list[str]) -> str:
        """A view's private_metadata: a real one, one with a value swapped or a key dropped, or garbage."""
        how = data.draw(
            st.sampled_from(["real", "mutated", "mutated", "garbage", "text"] if real else ["garbage", "text"])
        )
        if how == "garbage":
            return data.draw(st.sampled_from(["", "null", "[]", "{", "{}", '"x"', "1", '{"pair_id": "x"}']))
        if how == "text":
            return data.draw(TEXT)
        raw = data.draw(st.sampled_from(real))
        if how == "real":
            return raw
        try:
            parsed = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(parsed, dict) and parsed:
            key = data.draw(st.sampled_from(sorted(parsed)))
            parsed[key] = data.draw(
                st.one_of(st.sampled_from(self.ids), st.none(), TEXT, st.lists(st.integers(), max_size=3), st.just({}))
            )
            if data.draw(st.booleans()):
                parsed.pop(data.draw(st.sampled_from(sorted(parsed))), None)
        return json.dumps(parsed)

    def element_value(self, data: st.DataObject, element: dict[str, Any]) -> dict[str, Any] | None:
        """A state entry for ``element``: a plausible one, or a wrong one; None leaves the block out."""
        kind = element["type"]
        choice = data.draw(st.sampled_from(["plausible", "plausible", "text", "null", "wrong", "missing"]))
        if choice == "missing":
            return None
        if choice == "null":
            return {"type": kind, "value": None, "selected_option": None, "selected_options": None}
        if choice == "wrong":
            return {
                "type": kind,
                **data.draw(
                    st.sampled_from(
                        [
                            {"value": 5},
                            {"selected_option": "x"},
                            {"selected_options": [None]},
                            {"selected_date": 3},
                            {"selected_users": "U1"},
                            {},
                        ]
                    )
                ),
            }
        if choice == "text":
            text = data.draw(TEXT)
            return {
                "type": kind,
                "value": text,
                "selected_date": text,
                "selected_user": text,
                "selected_conversation": text,
                "selected_channel": text,
                "selected_option": {"value": text, "text": {"type": "plain_text", "text": "x"}},
            }
        options = [o for g in element.get("option_groups", []) for o in g.get("options", [])] + element.get(
            "options", []
        )
        if kind in ("plain_text_input", "email_text_input", "url_text_input", "rich_text_input"):
            return {"type": kind, "value": data.draw(TEXT)}
        if kind == "number_input":
            return {"type": kind, "value": data.draw(st.sampled_from(["3", "-1", "0", "1e309", "2.5", "99999999"]))}
        if kind in ("static_select", "radio_buttons", "external_select") and options:
            return {"type": kind, "selected_option": copy.deepcopy(data.draw(st.sampled_from(options)))}
        if kind in ("checkboxes", "multi_static_select") and options:
            picked = data.draw(
                st.lists(st.sampled_from(options), max_size=len(options), unique_by=lambda o: o["value"])
            )
            return {"type": kind, "selected_options": copy.deepcopy(picked)}
        if kind == "datepicker":
            day = data.draw(st.dates()).isoformat()
            return {"type": kind, "selected_date": data.draw(st.sampled_from([day, "2027-01-05", "2026-02-30"]))}
        if kind == "timepicker":
            return {"type": kind, "selected_time": data.draw(st.sampled_from(["09:00", "23:59", "25:00"]))}
        if kind in ("users_select", "multi_users_select"):
            users = data.draw(st.lists(st.sampled_from([*self.users, FUZZ_USER]), max_size=3))
            return element_state(element, users if kind.startswith("multi") else (users[0] if users else None))
        if kind in ("conversations_select", "channels_select", "multi_conversations_select", "multi_channels_select"):
            chans = data.draw(st.lists(st.sampled_from(self.channels), max_size=2))
            return element_state(element, chans if kind.startswith("multi") else (chans[0] if chans else None))
        return {"type": kind, "value": data.draw(TEXT)}

    # -- requests ------------------------------------------------------------------------------------------
    def fire(self, key: Key, data: st.DataObject, subcommand: str | None = None) -> None:
        kind, constraint = key
        status: int | None
        if kind == "command":
            status = self._command(data, constraint, subcommand or "")
        elif kind == "action":
            status = self._action(data, constraint)
        elif kind == "view":
            status = self._view(data, constraint)
        elif kind == "shortcut":
            status = self._shortcut(data, constraint)
        elif kind == "event":
            status = self._event(data, constraint)
        else:  # pragma: no cover - test_every_listener_is_recorded names it
            raise AssertionError(f"the fuzzer cannot send a {kind}")
        self.stack.app.tandem_inflight.wait_idle()
        self.stack.worker.drain()
        self.check(status)

    def _user(self, data: st.DataObject, preferred: str | None = None) -> str:
        if preferred and data.draw(st.booleans()):
            return preferred
        return data.draw(st.sampled_from(self.users))

    def _user_obj(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.stack.sandbox.team_id}

    def _command(self, data: st.DataObject, command: str, sub: str) -> int | None:
        sandbox = self.stack.sandbox
        user = self._user(data)
        channel = data.draw(st.sampled_from(self.channels))
        args = data.draw(st.one_of(st.just(""), TEXT, self.id_text(), st.just("until 2027-02-01")))
        text = data.draw(st.sampled_from([f"{sub} {args}", sub, f"{sub.upper()}  {args}"]))
        form = {
            "token": "legacy",
            "team_id": sandbox.team_id,
            "team_domain": "tandem-sandbox",
            "channel_id": channel,
            "channel_name": "fuzz",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": sandbox.app_id,
            "is_enterprise_install": "false",
            "response_url": sandbox.issue_response_url(channel, user),
            "trigger_id": sandbox.issue_trigger(user),
        }
        status, body = signed_post(
            self.stack.sandbox.app_url,
            urllib.parse.urlencode(form).encode(),
            content_type="application/x-www-form-urlencoded",
        )
        if body.strip():
            ack = json.loads(body)
            assert isinstance(ack, dict), body
            if ack.get("blocks") is not None:
                assert validate_blocks(ack["blocks"], surface="message") == [], ack
            self.assert_no_live_markup(ack)
        return status

    def _action(self, data: st.DataObject, action_id: str) -> int | None:
        sandbox = self.stack.sandbox
        contexts = self.contexts.get(action_id, [])
        ctx = data.draw(st.sampled_from(contexts)) if contexts else Context(user=None)
        user = self._user(data, ctx.user)
        element = ctx.element or {"type": "button", "action_id": action_id}
        action: dict[str, Any] = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": ctx.block_id or data.draw(st.sampled_from([action_id, "b1", ID.INTERVIEW_STEP.value])),
            "action_ts": sandbox.next_ts(),
        }
        real = [v for c in contexts if c.element and "value" in c.element for v in [c.element["value"]]]
        if element["type"] == "button" or data.draw(st.booleans()):
            value = data.draw(self.value(real))
            if not (value is None and data.draw(st.booleans())):
                action["value"] = value
        else:
            state = self.element_value(data, element)
            if state:
                state.pop("type", None)
                action.update(state)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_obj(user),
            "trigger_id": sandbox.issue_trigger(user),
            "actions": [action],
            "state": {"values": {}},
        }
        if ctx.view is not None:
            view = copy.deepcopy(ctx.view)
            if data.draw(st.booleans()):
                view["private_metadata"] = self.metadata(data, [ctx.view.get("private_metadata", "")])
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            channel = ctx.channel or data.draw(st.sampled_from(self.channels))
            message = (
                copy.deepcopy(ctx.message) if ctx.message else {"ts": sandbox.next_ts(), "text": "", "type": "message"}
            )
            message.pop("channel", None)
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": bool(message.get("is_ephemeral")),
            }
            payload["channel"] = {"id": channel, "name": "fuzz"}
            if not message.get("is_ephemeral"):
                payload["message"] = message
            payload["response_url"] = sandbox.issue_response_url(
                channel, user, message_ts=message["ts"], is_ephemeral=bool(message.get("is_ephemeral"))
            )
        return sandbox.send_interaction(payload).status

    def _view(self, data: st.DataObject, callback_id: str) -> int | None:
        sandbox = self.stack.sandbox
        synthetic = callback_id not in self.views
        templates = self.views.get(callback_id) or [
            {
                "type": "modal",
                "callback_id": callback_id,
                "title": {"type": "plain_text", "text": "Fuzz"},
                "submit": {"type": "plain_text", "text": "OK"},
                "blocks": [],
                "private_metadata": "",
            }
        ]
        template = data.draw(st.sampled_from(templates))
        owner = sandbox.view_owner(template["id"]) if "id" in template else None
        user = self._user(data, owner)
        spec = copy.deepcopy(template)
        spec["private_metadata"] = self.metadata(data, [t.get("private_metadata", "") for t in templates])
        view = sandbox.forge_view(user, spec)
        values: dict[str, dict[str, Any]] = {}
        for block, element in iter_action_elements(view.get("blocks", [])):
            if block.get("type") != "input" or element["type"] == "button":
                continue
            state = self.element_value(data, element)
            if state is not None:
                values.setdefault(block["block_id"], {})[element["action_id"]] = state
        if data.draw(st.booleans()):
            values[data.draw(st.sampled_from(["x", ID.NOTE_TEXT.value, "goal.f.text.9"]))] = {
                "x": {"type": "plain_text_input", "value": data.draw(TEXT)}
            }
        sandbox.set_view_state(view["id"], values)
        view["state"] = {"values": values}
        payload = {
            "type": "view_submission",
            "user": self._user_obj(user),
            "view": view,
            "response_urls": [],
            "trigger_id": sandbox.issue_trigger(user),
        }
        delivery = sandbox.send_interaction(payload)
        if synthetic:  # no rendered view to compare with: the block_ids of field errors cannot be checked
            with sandbox.lock:
                self.seen_problems += sum(
                    "errors for unknown input block_ids" in p for p in sandbox.problems[self.seen_problems :]
                )
        ack = delivery.json()
        if isinstance(ack, dict):
            if ack.get("response_action") == "errors":
                assert all(isinstance(v, str) and v.strip() for v in ack["errors"].values()), ack
            self.assert_no_live_markup(ack)
        for stack_view in sandbox.view_stack(user):
            sandbox.close_view(user, stack_view["id"])
        return delivery.status

    def _shortcut(self, data: st.DataObject, callback_id: str) -> int | None:
        sandbox = self.stack.sandbox
        user = self._user(data)
        channel = data.draw(st.sampled_from(self.channels))
        message = {
            "type": "message",
            "ts": data.draw(st.sampled_from([*self.thread_ts, sandbox.next_ts()])),
            "text": data.draw(TEXT),
        }
        if data.draw(st.booleans()):
            message["user"] = data.draw(st.sampled_from([*self.users, FUZZ_USER]))
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": sandbox.issue_trigger(user),
            "response_url": sandbox.issue_response_url(channel, user),
            "user": self._user_obj(user),
            "channel": {"id": channel, "name": "fuzz"},
            "message_ts": message["ts"],
            "message": message,
            "action_ts": sandbox.next_ts(),
        }
        return sandbox.send_interaction(payload).status

    def _event(self, data: st.DataObject, event_type: str) -> int | None:
        sandbox = self.stack.sandbox
        user = data.draw(st.sampled_from([*self.users, sandbox.bot_user_id]))
        channel = data.draw(st.sampled_from(self.channels))
        event: dict[str, Any] = {"type": event_type, "user": user, "channel": channel}
        if event_type == "app_home_opened":
            event["tab"] = data.draw(st.sampled_from(["home", "messages", "about", ""]))
            home = sandbox.home_view(user)
            if home is not None and data.draw(st.booleans()):
                event["view"] = home
        elif event_type == "message":
            event.update(
                text=data.draw(TEXT),
                ts=sandbox.next_ts(),
                channel_type=data.draw(st.sampled_from(["im", "mpim", "group", "channel", "app_home"])),
            )
            if self.thread_ts and data.draw(st.booleans()):
                event["thread_ts"] = data.draw(st.sampled_from(self.thread_ts))
            extra = data.draw(st.sampled_from(["", "", "subtype", "bot", "nouser", "edited", "files"]))
            if extra == "subtype":
                event["subtype"] = data.draw(
                    st.sampled_from(
                        ["message_changed", "message_deleted", "thread_broadcast", "channel_join", "me_message"]
                    )
                )
                if event["subtype"] == "message_changed":
                    event["message"] = {"type": "message", "user": user, "text": data.draw(TEXT), "ts": event["ts"]}
            elif extra == "bot":
                event.update(bot_id="B0FUZZ", subtype="bot_message")
            elif extra == "nouser":
                event.pop("user")
            elif extra == "edited":
                event["edited"] = {"user": user, "ts": event["ts"]}
            elif extra == "files":
                event.update(subtype="file_share", files=[{"id": "F0FUZZ", "name": data.draw(TEXT)}])
        elif event_type in ("member_joined_channel", "member_left_channel"):
            event.update(channel_type=data.draw(st.sampled_from(["C", "G", "X"])), team=sandbox.team_id)
            if data.draw(st.booleans()):
                event["inviter"] = data.draw(st.sampled_from(self.users))
        elif event_type == "tokens_revoked":
            event = {
                "type": event_type,
                "tokens": {
                    "oauth": [user],
                    "bot": data.draw(st.lists(st.sampled_from([sandbox.bot_user_id, "U0OTHERBOT"]), max_size=2)),
                },
            }
        elif event_type == "app_uninstalled":
            event = {"type": event_type}
        return sandbox.deliver_event(event).status

    # -- checks --------------------------------------------------------------------------------------------
    def check(self, status: int | None) -> None:
        sandbox = self.stack.sandbox
        assert status is not None and status < 500, f"HTTP {status}"
        errors, self.errors[:] = list(self.errors), []
        assert errors == [], [_describe(r) for r in errors]
        calls = sandbox.calls[self.seen_calls :]
        self.seen_calls += len(calls)
        for call in calls:
            assert validate_call(call["method"], call["args"]) == [], (call["method"], call["args"])
            self.assert_no_live_markup(call["args"])
        problems = sandbox.problems[self.seen_problems :]
        self.seen_problems += len(problems)
        assert problems == []
        posts = sandbox.response_url_posts[self.seen_posts :]
        self.seen_posts += len(posts)
        for post in posts:
            assert post["ok"] or post.get("error") in ("used_url", "expired_url"), post
            self.assert_no_live_markup(post.get("body") or {})

    def assert_no_live_markup(self, message: Any) -> None:
        """No mrkdwn Tandem sent carries a broadcast, or a mention or disguised link the fuzzer typed."""
        for text in mrkdwn_texts(message):
            found = LIVE.search(text)
            assert found is None, f"live {found.group(0)!r} in {text[:300]!r}"


LIVE = re.compile(r"<!(?:channel|here|everyone|subteam)|<@U0FUZZ|<#C0FUZZ|<[^>\s]*evil\.example[^>]*\||<!date")


def mrkdwn_texts(thing: Any, *, top: bool = True) -> Iterator[str]:
    """The strings Slack would read as mrkdwn: top-level ``text`` of a message and mrkdwn text objects."""
    if isinstance(thing, dict):
        if top and isinstance(thing.get("text"), str) and thing.get("mrkdwn") is not False:
            yield thing["text"]
        if thing.get("type") == "mrkdwn" and isinstance(thing.get("text"), str):
            yield thing["text"]
        for key, value in thing.items():
            if key in ("blocks", "view", "attachments") and isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            if isinstance(value, dict | list):
                yield from mrkdwn_texts(value, top=False)
    elif isinstance(thing, list):
        for item in thing:
            yield from mrkdwn_texts(item, top=False)


# -- the seeded world ----------------------------------------------------------------------------------------
DESTRUCTIVE = {
    ID.PROGRAM_CLOSE.value,
    ID.PROGRAM_PAUSE.value,
    ID.MATCH_DISCARD.value,
    ID.CARD_DELETE.value,
    ID.TRIAL_SWITCH.value,
    ID.NOTE_SHARE_NO.value,  # final, like a switch: the crawler shares instead
    ID.INVITE_DECLINE.value,
    "privacy.forget",
    "privacy.remove",
}


def _describe(record: logging.LogRecord) -> str:
    """A failure as its message and the last lines of its traceback."""
    trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
    return f"{record.name}: {record.getMessage()} | " + " | ".join(trace.strip().splitlines()[-6:])


NOT_CRAWLED = DESTRUCTIVE | {ID.RHYTHM_PAUSE.value}  # a break would skip the weekly prompts the seeding waits for


class _Collect(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        # an exception that reached a log, or the error handler's report of a failed listener; an ERROR line
        # about an outcome Tandem handled (a message Slack refused for good is parked) is not a failure here
        if record.exc_info or record.name == "tandem.errors":
            self.sink.append(record)


def _fill(view: dict[str, Any], who: Persona) -> dict[str, Any]:
    """Values a person would give every input of a modal that shows nothing yet."""
    values: dict[str, Any] = {}
    for block, element in iter_action_elements(view.get("blocks", [])):
        if block.get("type") != "input" or element["type"] == "button":
            continue
        kind = element["type"]
        has_initial = any(k.startswith("initial_") for k in element)
        if has_initial:
            continue
        if kind in ("plain_text_input", "rich_text_input"):
            values[element["action_id"]] = "Seeded text <!channel> <https://evil.example|bank>"
        elif kind == "number_input":
            values[element["action_id"]] = "3"
        elif kind == "datepicker":
            values[element["action_id"]] = "2027-01-20"
        elif kind in ("users_select", "multi_users_select"):
            values[element["action_id"]] = who.id
        elif kind in ("static_select", "radio_buttons"):
            options = [o for g in element.get("option_groups", []) for o in g.get("options", [])] + element.get(
                "options", []
            )
            if options:
                values[element["action_id"]] = options[0]["value"]
    return values


def _surfaces(stack: LocalStack, who: Persona) -> Iterator[Context]:
    """Every element with an action_id that ``who`` can see: messages in conversations they are in, their
    ephemeral messages, their App Home."""
    sandbox = stack.sandbox
    with sandbox.lock:
        conversations = [(cid, dict(conv)) for cid, conv in sandbox._convs.items()]
    for channel_id, conv in conversations:
        if who.id not in conv.get("members", []):
            continue
        for message in sandbox.messages(channel_id):
            for block, element in iter_action_elements(message.get("blocks", [])):
                yield Context(who.id, channel_id, message, None, block.get("block_id"), element)
            for reply in sandbox.messages(channel_id, thread_ts=message["ts"])[1:]:
                for block, element in iter_action_elements(reply.get("blocks", [])):
                    yield Context(who.id, channel_id, reply, None, block.get("block_id"), element)
    for message in who.ephemeral_messages():
        for block, element in iter_action_elements(message.get("blocks", [])):
            yield Context(
                who.id, message.get("channel"), {**message, "is_ephemeral": True}, None, block.get("block_id"), element
            )
    home = who.home()
    if home is not None:
        for block, element in iter_action_elements(home.get("blocks", [])):
            yield Context(who.id, None, None, home, block.get("block_id"), element)


def _crawl(
    stack: LocalStack, people: list[Persona], clicked: set[tuple[str, str]], contexts: dict[str, list[Context]]
) -> None:
    """Each person presses each button they see once (nothing destructive), and submits what opens; every
    element seen on the way is kept in ``contexts``."""
    for who in people:
        who.open_home()
        for ctx in list(_surfaces(stack, who)):
            element = ctx.element or {}
            action_id = element.get("action_id", "")
            contexts.setdefault(action_id, []).append(ctx)
            if element.get("type") != "button" or action_id in NOT_CRAWLED or (who.id, action_id) in clicked:
                continue
            clicked.add((who.id, action_id))
            before = {v["id"] for v in who.open_views()}
            if ctx.view is not None:
                who.click(action_id, view_id=ctx.view["id"])
            elif ctx.message is not None and not ctx.message.get("is_ephemeral"):
                who.click(action_id, message=ctx.message)
            else:
                continue
            for view in who.open_views():
                if view["id"] not in before:
                    who.submit(view["id"], _fill(view, who))
            for view in who.open_views():
                stack.sandbox.close_view(who.id, view["id"])
            stack.settle()


def _seed(stack: LocalStack, registry: Registry) -> World:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(
        stack, hanna, channel, **{ID.PROGRAM_START.value: START.date().isoformat(), ID.PROGRAM_WEEKDAY.value: "1"}
    )
    people = onboard(stack, {**PAIR, **OTHERS})
    with stack.session_factory() as s:  # what people wrote about themselves reaches partners, hosts, speed dates
        for participant in s.scalars(select(Participant)):
            participant.self_description = f"I am {participant.display_name} <!channel> <https://evil.example|bank>"
            participant.department = f"{participant.department} <!subteam^S0FUZZ01|everyone-team>"
        s.commit()
    _match(stack, hanna, channel)
    olaf = persona(stack, "Olaf", locale="de-DE")
    community = stack.sandbox.create_channel("community", members=[hanna.id])
    stack.sandbox.invite(community, stack.sandbox.bot_user_id, inviter=hanna.id)
    everyone = [hanna, *people.values(), olaf]
    wei = people["Wei"]
    wei.slash("note [Budget] first <!channel> note <https://evil.example|bank> #hosts")
    wei.slash("card")
    wei.slash("goals")
    people["Jorg"].slash("help-me")
    clicked: set[tuple[str, str]] = set()
    contexts: dict[str, list[Context]] = {}
    _crawl(stack, everyone, clicked, contexts)
    hanna.slash("admin invite", channel_id=channel)
    hanna.submit(hanna.open_views()[-1]["id"], {ID.INVITE_USERS.value: [olaf.id]})
    stack.advance(timedelta(hours=32))  # the first weekly prompts (Tuesday, 09:00 local)
    _crawl(stack, everyone, clicked, contexts)
    sandbox = stack.sandbox
    with sandbox.lock:
        conversations = {cid: dict(conv) for cid, conv in sandbox._convs.items()}
    thread_ts = [
        m["ts"] for cid, conv in conversations.items() if conv.get("kind") == "mpim" for m in sandbox.messages(cid)
    ]
    ids: set[int] = set()
    with stack.session_factory() as s:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                ids.update(int(i) for i in s.execute(select(table.c.id)).scalars() if isinstance(i, int))
    world = World(
        stack=stack,
        registry=registry,
        users=[p.id for p in everyone],
        channels=[*conversations, "C0MISSING1", "D0MISSING1", "G0MISSING1"],
        thread_ts=thread_ts or ["1.000001"],
        ids=sorted(ids) or [1],
        contexts=contexts,
    )
    for view in sandbox.views.values():
        for block, element in iter_action_elements(view.get("blocks", [])):
            if view.get("type") == "modal" and block.get("type") != "input":
                world.contexts.setdefault(element["action_id"], []).append(
                    Context(sandbox.view_owner(view["id"]), None, None, view, block.get("block_id"), element)
                )
        if view.get("type") == "modal" and view.get("callback_id"):
            world.views.setdefault(view["callback_id"], []).append(view)
    world.seen_calls = world.seeded_calls = len(sandbox.calls)
    world.seen_posts = len(sandbox.response_url_posts)
    return world


@pytest.fixture(scope="module", params=backends())
def world(request: pytest.FixtureRequest, scratch: Any) -> Iterator[World]:
    url = scratch.migrated(request.param)
    registry = Registry()
    with pytest.MonkeyPatch.context() as mp:
        registry.patch(mp)
        stack = make_stack(url).start()
    sink: list[logging.LogRecord] = []
    handler = _Collect(sink)
    loggers = [logging.getLogger(name) for name in ("bot", "tandem", "slack_bolt", "slack_sdk")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        world = _seed(stack, registry)
        assert sink == [], [r.getMessage() for r in sink]
        world.errors = sink
        world.examples = EXAMPLES_ON[request.param]
        yield world
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        stack.stop()


# -- the tests -----------------------------------------------------------------------------------------------
def _order(key: Key) -> tuple[int, str, str]:
    """Listeners that end things (close a program, forget someone) go last, so the others meet a living world."""
    return (1 if key[1] in DESTRUCTIVE else 0, key[0], key[1])


FUZZED = sorted({k for k in LISTENERS if k[0] != "command"}, key=_order)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED is None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: the failing request is printed as it was
    print_blob=False,
)


def _seeded(test: Callable[..., Any]) -> Callable[..., Any]:
    return seed(int(SEED))(test) if SEED is not None else test


def test_seeded_world_has_every_surface(world: World) -> None:
    """The seeding reached most buttons and modals, so examples start from what people really see."""
    action_ids = {c for k, c in LISTENERS if k == "action"}
    callbacks = {c for k, c in LISTENERS if k == "view"}
    seen = action_ids & set(world.contexts)
    assert len(seen) >= len(action_ids) // 2, sorted(action_ids - seen)
    assert len(callbacks & set(world.views)) >= len(callbacks) // 2, sorted(callbacks - set(world.views))


def test_seeded_hostile_text_reaches_others_only_escaped(world: World) -> None:
    """The seeding types ``<!channel>`` and a disguised link into every empty text field it meets (notes, goals,
    agreement changes, answers, help requests and the hosts' answers, cards, metrics, programs...): what other
    people got from it carries them escaped, never live."""
    calls = world.stack.sandbox.calls[: world.seeded_calls]
    reached: set[str] = set()
    for call in calls:
        world.assert_no_live_markup(call["args"])
        if any("&lt;!channel&gt;" in text for text in mrkdwn_texts(call["args"])):
            reached.add(str(call["args"].get("channel") or call["args"].get("user_id") or call["method"]))
    assert len(reached) >= 4, reached
    introduced = [
        call["method"]
        for call in calls
        if any("I am" in t and "&lt;!channel&gt;" in t for t in mrkdwn_texts(call["args"]))
    ]
    assert introduced, "no self-description reached anyone"


def _echoed(message: dict[str, Any]) -> str:
    """The text a refusal shows back: its code sections, joined and unescaped."""
    pieces = [
        b["text"]["text"][3:-3]
        for b in message.get("blocks", [])
        if b.get("type") == "section" and b["text"]["text"].startswith("```")
    ]
    return "".join(pieces).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_too_long_command_is_refused_and_echoed(world: World) -> None:
    """A command over COMMAND_TEXT_MAX does nothing, says so in the person's language, and gives all of it back."""
    from bot.domain.text import COMMAND_TEXT_MAX
    from bot.models import Note

    wei = world.stack.sandbox.persona(world.users[1])
    typed = "note <!channel> " + "&<>ü" * (COMMAND_TEXT_MAX // 4)
    with world.stack.session_factory() as s:
        notes_before = s.scalar(select(func.count()).select_from(Note))
    assert wei.slash(typed).ok
    reply = wei.ephemeral_messages()[-1]
    assert str(COMMAND_TEXT_MAX) in reply["text"]
    assert _echoed(reply) == typed
    world.check(200)
    with world.stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Note)) == notes_before


def test_too_long_thread_reply_is_not_recorded_and_echoed(world: World) -> None:
    """A reply in a week's thread over THREAD_REPLY_MAX is not taken as the answer; its author gets it back by
    DM, all of it; someone else's long reply in the thread gets nothing."""
    from bot.domain.text import THREAD_REPLY_MAX
    from bot.models import Pair, PairWeek, Participant, WeekAnswer

    stack = world.stack
    with stack.session_factory() as s:
        week = s.scalars(select(PairWeek).where(PairWeek.thread_ts.is_not(None)).order_by(PairWeek.id)).first()
        assert week is not None, "the seeding posted no weekly prompt"
        pair = s.get(Pair, week.pair_id)
        author = s.get(Participant, pair.participant_a_id).slack_user_id  # type: ignore[union-attr]
        answers = s.scalar(select(func.count()).select_from(WeekAnswer))
        channel, thread_ts = week.channel_id, week.thread_ts
    who = stack.sandbox.persona(author)
    typed = "<!here> my long answer " + "ä" * THREAD_REPLY_MAX
    assert who.say(channel, typed, thread_ts=thread_ts).ok  # type: ignore[arg-type, union-attr]
    stack.worker.drain()
    dm = who.dm_messages()[-1]
    assert str(THREAD_REPLY_MAX) in dm["text"] and _echoed(dm) == typed
    world.check(200)
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(WeekAnswer)) == answers


@pytest.mark.parametrize("key", FUZZED, ids=lambda k: f"{k[0]}:{k[1]}")
def test_fuzz_listener(world: World, key: Key) -> None:
    assert key in world.registry.listeners
    before = world.registry.hits[key]

    @_seeded
    @settings(FUZZ_SETTINGS, max_examples=world.examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        world.fire(key, data)

    run()
    assert world.registry.hits[key] > before, f"{key} never ran: the fuzzer does not reach it"


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_fuzz_command(world: World, sub: str) -> None:
    key = ("command", "/tandem")
    before = world.registry.hits[key]

    @_seeded
    @settings(FUZZ_SETTINGS, max_examples=world.examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        world.fire(key, data, subcommand=sub)

    run()
    assert world.registry.hits[key] > before


def test_calls_all_valid_at_the_end(world: World) -> None:
    world.stack.settle()
    world.check(200)


def test_every_text_input_has_a_max_length(world: World) -> None:
    """Every plain_text_input Tandem rendered in this run (modals, App Home, messages) has a max_length, and no
    initial value is longer than it."""
    sandbox = world.stack.sandbox
    with sandbox.lock:
        surfaces = [v.get("blocks", []) for v in sandbox._views.values()]
        surfaces += [m.get("blocks", []) for conv in sandbox._messages.values() for m in conv]
    inputs = [el for blocks in surfaces for _, el in iter_action_elements(blocks) if el["type"] == "plain_text_input"]
    assert len(inputs) > 20
    for element in inputs:
        assert isinstance(element.get("max_length"), int) and element["max_length"] > 0, element
        assert len(element.get("initial_value") or "") <= element["max_length"], element


def test_join_pick_with_several_programs_is_valid_block_kit() -> None:
    """Found by the fuzzer: ``/tandem join`` with several open programs put every "join.pick" button in one
    actions block, where Slack wants each action_id once."""
    from bot.blocks.invite import pick_program
    from bot.models import Program

    programs = [Program(id=i, name=f"Pilot {i}") for i in (1, 2, 3)]
    for locale in ("en", "de"):
        message = pick_program(locale, programs)
        assert validate_blocks(message["blocks"], surface="message") == []
        values = [el["value"] for _, el in iter_action_elements(message["blocks"]) if el["action_id"] == "join.pick"]
        assert values == ["1", "2", "3"]
