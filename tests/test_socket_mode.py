"""The sandbox's Socket Mode side against slack_sdk's own SocketModeClient (what Bolt's SocketModeHandler runs):
``apps.connections.open``, hello, envelopes and their acknowledgements, redelivery, reconnecting, link_disabled;
then Tandem over Socket Mode in one process, with the same helpers as over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy import select

from bot.clock import SimulatedClock
from bot.ids import ID
from bot.models import WeekAnswer
from bot.sandbox import Sandbox
from bot.sandbox.socket_mode import close_client
from bot.sandbox.stack import LocalStack
from tests.helpers import (
    START,
    admin_channel,
    assert_calls_ok,
    create_program,
    has_action,
    match,
    onboard,
    pair_group_dm,
    persona,
    shared_engine,
)

SECRET = "socket-test-secret"
TOKEN = "xoxb-socket-test"
APP_TOKEN = "xapp-socket-test"
MODAL = {
    "type": "modal",
    "callback_id": "ask",
    "title": {"type": "plain_text", "text": "Ask"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "q",
            "label": {"type": "plain_text", "text": "Question"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}

Answer = Callable[[SocketModeRequest], dict[str, Any] | bool | None]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    # a shorter ack window than Slack's 3 s, so that a missed acknowledgement costs a third of it; long enough for an
    # acknowledgement on a machine busy with other tests
    with Sandbox(signing_secret=SECRET, bot_token=TOKEN, app_token=APP_TOKEN, event_timeout=1.0) as sandbox:
        yield sandbox


class App:
    """A Socket Mode app on slack_sdk's client: records every message, answers each envelope with ``answer``
    (False: no acknowledgement)."""

    def __init__(self, sb: Sandbox, answer: Answer) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[SocketModeRequest] = []
        self.lock = threading.Lock()

        def on_message(raw: str) -> None:  # every message, before the client acts on it (a disconnect, too)
            with self.lock:
                self.messages.append(json.loads(raw))

        self.client = SocketModeClient(
            app_token=APP_TOKEN, web_client=WebClient(base_url=sb.api_url), on_message_listeners=[on_message]
        )

        def on_request(client: SocketModeClient, req: SocketModeRequest) -> None:
            with self.lock:
                self.requests.append(req)
            payload = answer(req)
            if payload is False:
                return
            response = SocketModeResponse(envelope_id=req.envelope_id, payload=payload or None)
            client.send_socket_mode_response(response)

        self.client.socket_mode_request_listeners.append(on_request)

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if m.get("type") == type_]


@pytest.fixture
def connect(sb: Sandbox) -> Iterator[Callable[[Answer], App]]:
    apps: list[App] = []

    def start(answer: Answer) -> App:
        app = App(sb, answer)
        apps.append(app)
        app.client.connect()
        assert sb.link is not None and sb.link.wait_connections(1)
        sb.wait_for(lambda: app.of_type("hello"))
        return app

    yield start
    for app in apps:
        close_client(app.client, sb.link)


def test_apps_connections_open_takes_the_app_level_token_alone(sb: Sandbox) -> None:
    web = WebClient(base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        web.apps_connections_open(app_token=TOKEN)  # the bot token
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        web.apps_connections_open(app_token="xapp-forged")
    assert unknown.value.response["error"] == "invalid_auth"
    url = web.apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url
    assert [c["ok"] for c in sb.calls_to("apps.connections.open")] == [False, False, True]
    assert sb.socket_mode  # deliveries now go over the link (nobody has connected yet)
    assert sb.link is not None and sb.link.connections() == []


def test_hello_then_envelopes_whose_acks_are_the_http_answers(sb: Sandbox, connect: Callable[[Answer], App]) -> None:
    hana = sb.persona(sb.add_user("hana", tz="Asia/Tokyo", locale="ja-JP"))

    def answer(req: SocketModeRequest) -> dict[str, Any] | None:
        if req.type == "slash_commands":
            return {"response_type": "ephemeral", "text": f"you said {req.payload['text']}"}
        if req.type == "interactive" and req.payload["type"] == "view_submission":
            return {"response_action": "errors", "errors": {"q": "Ask something longer"}}
        return None

    app = connect(answer)
    [hello] = app.of_type("hello")
    assert hello["num_connections"] == 1 and hello["connection_info"] == {"app_id": sb.app_id}
    assert set(hello["debug_info"]) >= {"host", "approximate_connection_time"}

    command = hana.slash("help")
    assert command.ok and command.json() == {"response_type": "ephemeral", "text": "you said help"}
    assert [m["text"] for m in hana.ephemeral_messages()] == ["you said help"]  # as an HTTP ack's text is shown

    home = hana.open_home()
    assert home.ok and home.body == "" and home.attempts == [(200, 0)]

    modal = WebClient(base_url=sb.api_url, token=TOKEN).views_open(trigger_id=sb.issue_trigger(hana.id), view=MODAL)
    submitted = hana.submit(modal["view"]["id"], {"text": "?"})
    assert submitted.ok and sb.view_errors(modal["view"]["id"]) == {"q": "Ask something longer"}  # response_action

    kinds = [(r.type, r.accepts_response_payload) for r in app.requests]
    assert kinds == [("slash_commands", True), ("events_api", False), ("interactive", True)]
    slash, event, interaction = app.requests
    assert slash.payload["command"] == "/tandem" and slash.payload["user_id"] == hana.id  # the form fields
    assert event.payload["type"] == "event_callback" and event.payload["event"]["type"] == "app_home_opened"
    assert (event.retry_attempt, event.retry_reason) == (0, "")
    assert interaction.payload["view"]["id"] == modal["view"]["id"]
    assert len({r.envelope_id for r in app.requests}) == 3
    assert sb.link is not None and [a["envelope_id"] for a in sb.link.acks] == [r.envelope_id for r in app.requests]


def test_an_envelope_not_acknowledged_in_time_is_sent_again(sb: Sandbox, connect: Callable[[Answer], App]) -> None:
    hana = sb.persona(sb.add_user("hana"))
    seen: set[str] = set()

    def answer(req: SocketModeRequest) -> dict[str, Any] | bool | None:
        event_id = req.payload.get("event_id", "")
        if event_id not in seen:  # the first try is never acknowledged
            seen.add(event_id)
            return False
        return None

    app = connect(answer)
    delivery = hana.open_home()
    assert delivery.ok and delivery.attempts == [(None, 0), (200, 1)]
    first, again = app.requests
    assert first.payload == again.payload and first.payload["event_id"] == delivery.event_id
    assert first.envelope_id != again.envelope_id
    assert (again.retry_attempt, again.retry_reason) == (1, "http_timeout")

    # a command is not sent again: Slack tells the person it failed
    command = hana.slash("help")
    assert not command.ok and command.attempts == [(None, 0)]
    assert hana.ephemeral_messages()[-1]["text"] == '/tandem failed with the error "operation_timeout"'


def test_refresh_requested_reconnects_and_link_disabled_ends_socket_mode(
    sb: Sandbox, connect: Callable[[Answer], App]
) -> None:
    hana = sb.persona(sb.add_user("hana"))
    app = connect(lambda req: {"text": "ok"} if req.type == "slash_commands" else None)
    assert sb.link is not None
    first = sb.link.connections()[0]

    sb.disconnect_socket("refresh_requested")
    assert sb.wait_for(lambda: sb.link is not None and sb.link.connections_opened == 2)
    assert sb.link.wait_connections(1) and sb.link.connections()[0] is not first
    assert len(sb.calls_to("apps.connections.open")) == 2
    assert app.of_type("disconnect")[0]["reason"] == "refresh_requested"
    assert sb.wait_for(lambda: len(app.of_type("hello")) == 2)
    assert hana.slash("help").json() == {"text": "ok"}  # on the new connection

    sb.disconnect_socket("link_disabled")
    assert not sb.socket_mode and sb.link.wait_connections(0)
    assert app.of_type("disconnect")[-1]["reason"] == "link_disabled"
    # slack_sdk's client tries again; the link takes no new connection
    sb.wait_for(lambda: len(sb.calls_to("apps.connections.open")) >= 3)
    assert sb.link.connections_opened == 2 and sb.link.connections() == []
    assert sb.wait_for(lambda: not app.client.is_connected())  # the client sees it too, once its retry is refused


# -- Tandem itself over Socket Mode, in one process (as `tandem serve` with SLACK_APP_TOKEN runs it) -------------
PAIR = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Lena": ("context", "de-DE", "Europe/Berlin", "Lena", "Finance", ["budgeting"], ["short video"], ["trust"]),
}


@pytest.fixture
def stack(database_url: str, session_factory: Any) -> Iterator[LocalStack]:
    s = LocalStack(
        database_url, clock=SimulatedClock(START), migrate=False, engine=shared_engine(database_url), socket_mode=True
    ).start()
    yield s
    assert_calls_ok(s)
    s.stop()


# What differs from HTTP is the transport, not the database (the rhythm's tests run on both): SQLite only.
@pytest.mark.sqlite_only
def test_a_program_and_its_first_weekly_prompt_over_socket_mode(stack: LocalStack) -> None:
    """The same helpers as over HTTP: setup in the admin channel (a command), the program modal (a submission), a
    matching (a click), the week's prompt in the pair's thread, an answer in the thread (an event) and in the
    Answer modal; every delivery an envelope on the sandbox's link, none an HTTP request."""
    sandbox = stack.sandbox
    assert sandbox.socket_mode and sandbox.app_url is None
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(
        stack,
        hanna,
        channel,
        **{ID.PROGRAM_START.value: "2027-01-11", ID.PROGRAM_WEEKS.value: "4", ID.PROGRAM_TRIAL.value: "0"},
    )
    people = onboard(stack, PAIR, "Pilot 2027")
    match(stack, hanna, channel)
    ana, lena = people["Ana"], people["Lena"]
    group = pair_group_dm(stack, ana, lena)

    # Monday 11 January 2027, 09:00 in Berlin (08:00 UTC): the week's prompt in the pair's thread
    stack.clock.set(datetime(2027, 1, 11, 7, 50, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=15))
    [prompt] = [m for m in sandbox.messages(group) if has_action(m, ID.RHYTHM_ANSWER)]
    assert "Woche 1 · Pilot 2027" in json.dumps(prompt["blocks"], ensure_ascii=False)
    assert lena.say(group, "Budgetplanung: Ich zeige dir unsere Tabelle.", prompt["ts"]).ok
    assert ana.click(ID.RHYTHM_ANSWER, message=prompt).ok
    [view] = ana.open_views()
    assert ana.submit(view["id"], {ID.RHYTHM_ANSWER_TEXT.value: "Video ist gedreht, 58 Sekunden!"}).ok
    stack.settle()
    with stack.session_factory() as s:
        answers = {(a.source, a.text) for a in s.scalars(select(WeekAnswer))}
    assert answers == {
        ("thread", "Budgetplanung: Ich zeige dir unsere Tabelle."),
        ("modal", "Video ist gedreht, 58 Sekunden!"),
    }
    assert ana.open_views() == []  # the submission's answer closed the modal
    link = sandbox.link
    assert link is not None
    types = {e["type"] for e in link.envelopes}
    assert types == {"events_api", "slash_commands", "interactive"}
    assert len(link.acks) == len(link.envelopes)  # every envelope acknowledged once, none sent again
    assert len({e["envelope_id"] for e in link.envelopes}) == len(link.envelopes)

    stack.restart()  # a deploy: the new process opens a connection of its own, and is answered on it
    assert link.connections_opened == 2 and len(link.connections()) == 1
    assert lena.slash("help").ok and "/tandem help" in json.dumps(lena.ephemeral_messages()[-1])
