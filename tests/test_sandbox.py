"""The sandbox against an unchanged Bolt app and slack_sdk WebClient, end to end over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import SimulatedClock
from bot.sandbox import Delivery, Sandbox

SECRET = "sandbox-test-secret"
TOKEN = "xoxb-sandbox-test"
START = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(wsgi_app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1:0 in a thread; yields its events URL."""
    server: WSGIServer = make_server(
        "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def sb(clock: SimulatedClock) -> Iterator[Sandbox]:
    with Sandbox(signing_secret=SECRET, bot_token=TOKEN, clock=clock) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> WebClient:
    return WebClient(base_url=sb.api_url, token=TOKEN, retry_handlers=[])


@pytest.fixture
def bolt(sb: Sandbox) -> Iterator[App]:
    """A real Bolt app served over HTTP, wired to the sandbox (listeners run before the ack)."""
    app = App(
        token=TOKEN,
        signing_secret=SECRET,
        process_before_response=True,
        client=WebClient(base_url=sb.api_url, token=TOKEN),
    )
    handler = SlackRequestHandler(app)
    with serve(handler) as url:
        sb.app_url = url
        yield app


def recorder(status: int = 200, *, sleep_first: float = 0.0) -> tuple[Callable[..., Any], list[dict[str, Any]]]:
    """A raw WSGI app answering ``status`` that records each request's headers and body."""
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen.append(
            {
                "retry_num": environ.get("HTTP_X_SLACK_RETRY_NUM"),
                "retry_reason": environ.get("HTTP_X_SLACK_RETRY_REASON"),
                "signature": environ.get("HTTP_X_SLACK_SIGNATURE"),
                "body": json.loads(body),
            }
        )
        if sleep_first and len(seen) == 1:
            time.sleep(sleep_first)
        start_response(f"{status} X", [("Content-Type", "text/plain")])
        return [b""]

    return app, seen


# ---------------------------------------------------------------------------- deliveries


def test_url_verification_is_answered_by_bolt(sb: Sandbox, bolt: App) -> None:
    delivery = sb.url_verification("challenge-42")
    assert delivery.status == 200
    assert delivery.json() == {"challenge": "challenge-42"}


def test_event_reaches_the_listener_once(sb: Sandbox, bolt: App) -> None:
    seen: list[dict[str, Any]] = []

    @bolt.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        seen.append({"event": event, "body": body})

    alice = sb.persona(sb.add_user("alice"))
    delivery = alice.send_dm("hello bot")
    assert delivery.attempts == [(200, 0)]
    assert len(seen) == 1
    event, body = seen[0]["event"], seen[0]["body"]
    assert event["text"] == "hello bot" and event["channel_type"] == "im" and event["user"] == alice.id
    assert body["event_id"] == delivery.event_id and body["authorizations"][0]["user_id"] == sb.bot_user_id
    assert [m["text"] for m in alice.dm_messages()] == ["hello bot"]


def test_failing_app_gets_three_retries_with_the_same_event_id(sb: Sandbox) -> None:
    app, seen = recorder(500)
    with serve(app) as url:
        sb.app_url = url
        delivery = sb.deliver_event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    assert delivery.attempts == [(500, 0), (500, 1), (500, 2), (500, 3)]
    assert [s["retry_num"] for s in seen] == [None, "1", "2", "3"]
    assert [s["retry_reason"] for s in seen] == [None, "http_error", "http_error", "http_error"]
    assert {s["body"]["event_id"] for s in seen} == {delivery.event_id}
    assert not delivery.ok


def test_slow_app_is_retried_for_timeout(clock: SimulatedClock) -> None:
    with Sandbox(signing_secret=SECRET, clock=clock, retries=1, event_timeout=0.3) as sandbox:
        app, seen = recorder(200, sleep_first=0.6)
        with serve(app) as url:
            sandbox.app_url = url
            delivery = sandbox.deliver_event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    assert delivery.attempts == [(None, 0), (200, 1)]
    assert seen[1]["retry_reason"] == "http_timeout"


def test_signature_with_the_wrong_secret_is_rejected_by_bolt(sb: Sandbox, bolt: App) -> None:
    body = json.dumps({"token": "t", "challenge": "c", "type": "url_verification"}).encode()
    status, *_ = sb.post_to_app(body, "application/json", secret="not-the-secret")
    assert status == 401
    status, text, _, _ = sb.post_to_app(body, "application/json")
    assert status == 200 and json.loads(text) == {"challenge": "c"}


def test_slash_command_respond_lands_as_ephemeral(sb: Sandbox, bolt: App) -> None:
    @bolt.command("/tandem")
    def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack("Working on it")
        respond(
            text=f"You said {command['text']}",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"*{command['text']}*"}}],
        )

    bob = sb.persona(sb.add_user("bob"))
    delivery = bob.slash("help")
    assert delivery.status == 200
    assert delivery.payload["channel_id"] == sb.dm_channel(bob.id)
    texts = [(m["source"], m["text"]) for m in bob.ephemeral_messages()]
    assert texts == [("response_url", "You said help"), ("ack", "Working on it")] or texts == [
        ("ack", "Working on it"),
        ("response_url", "You said help"),
    ]
    assert sb.response_url_posts[-1]["ok"] is True
    assert bob.dm_messages() == [], "ephemeral answers are not channel messages"


def test_modal_round_trip_with_errors_and_expiry(
    sb: Sandbox, bolt: App, clock: SimulatedClock, client: WebClient
) -> None:
    modal = {
        "type": "modal",
        "callback_id": "goal",
        "title": {"type": "plain_text", "text": "Your goal"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "goal",
                "label": {"type": "plain_text", "text": "Goal"},
                "element": {"type": "plain_text_input", "action_id": "goal_text"},
            },
            {
                "type": "input",
                "block_id": "level",
                "label": {"type": "plain_text", "text": "Level"},
                "element": {
                    "type": "static_select",
                    "action_id": "level_pick",
                    "options": [
                        {"text": {"type": "plain_text", "text": "New"}, "value": "new"},
                        {"text": {"type": "plain_text", "text": "Pro"}, "value": "pro"},
                    ],
                },
            },
        ],
    }
    submitted: list[dict[str, Any]] = []

    @bolt.command("/tandem")
    def open_modal(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    @bolt.view("goal")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        submitted.append(values)
        if not values["goal"]["goal_text"]["value"]:
            ack(response_action="errors", errors={"goal": "Please write a goal"})
        else:
            ack()

    carol = sb.persona(sb.add_user("carol"))
    assert carol.slash().ok
    [view] = carol.open_views()
    assert view["id"].startswith("V") and view["callback_id"] == "goal"

    carol.submit(view["id"], {"level_pick": "pro"})
    assert submitted[0]["goal"]["goal_text"] == {"type": "plain_text_input", "value": None}
    assert submitted[0]["level"]["level_pick"]["selected_option"]["value"] == "pro"
    assert sb.view_errors(view["id"]) == {"goal": "Please write a goal"}
    assert len(carol.open_views()) == 1

    carol.submit(view["id"], {"goal_text": "Learn TikTok", "level_pick": "new"})
    assert carol.open_views() == []

    trigger = sb.issue_trigger(carol.id)
    clock.advance(timedelta(seconds=4))
    with pytest.raises(SlackApiError) as expired:
        client.views_open(trigger_id=trigger, view=modal)
    assert expired.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError) as unknown:
        client.views_open(trigger_id="12345.98765.abcd", view=modal)
    assert unknown.value.response["error"] == "invalid_trigger_id"
    fresh = sb.issue_trigger(carol.id)
    assert client.views_open(trigger_id=fresh, view=modal)["ok"]
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=fresh, view=modal)
    assert reused.value.response["error"] == "exchanged_trigger_id"


def test_button_click_and_replace_original(sb: Sandbox, bolt: App, client: WebClient) -> None:
    clicks: list[dict[str, Any]] = []

    @bolt.action("accept")
    def on_accept(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        clicks.append(body)
        if body["actions"][0]["value"] == "pair-7":
            respond(replace_original=True, text="Accepted!")

    dan = sb.persona(sb.add_user("dan"))
    posted = client.chat_postMessage(
        channel=dan.id,
        text="Meet your partner",
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "Meet your partner"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "accept",
                        "value": "pair-7",
                        "text": {"type": "plain_text", "text": "Accept"},
                    }
                ],
            },
        ],
    )
    assert dan.click("accept", message=posted["message"], value="overridden").ok
    assert clicks[0]["actions"][0]["value"] == "overridden"
    assert dan.dm_messages()[0]["text"] == "Meet your partner"
    delivery = dan.click("accept", message=posted["ts"])
    assert delivery.ok
    action = clicks[1]["actions"][0]
    assert action["value"] == "pair-7" and action["block_id"]
    assert clicks[1]["container"]["message_ts"] == posted["ts"]
    assert [m["text"] for m in dan.dm_messages()] == ["Accepted!"]


def test_home_tab_publish(sb: Sandbox, bolt: App) -> None:
    @bolt.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"Hi <@{event['user']}>"}}],
            },
        )

    erin = sb.persona(sb.add_user("erin"))
    assert erin.home() is None
    erin.open_home()
    home = erin.home()
    assert home is not None and home["type"] == "home"
    erin.open_home()
    assert erin.home()["id"] == home["id"] and erin.home()["hash"] != home["hash"]


def test_member_joined_channel_event_on_invite(sb: Sandbox, bolt: App) -> None:
    joined: list[dict[str, Any]] = []
    bolt.event("member_joined_channel")(lambda event: joined.append(event))
    fay = sb.add_user("fay")
    channel = sb.create_channel("mentoring", members=[sb.bot_user_id])
    delivery = sb.invite(channel, fay, inviter=sb.bot_user_id)
    assert delivery is not None and delivery.ok
    assert joined == [
        {**joined[0], "type": "member_joined_channel", "user": fay, "channel": channel, "channel_type": "C"}
    ]


# ---------------------------------------------------------------------------- Web API


def test_post_message_to_a_user_id_lands_in_their_dm(sb: Sandbox, client: WebClient) -> None:
    gus = sb.add_user("gus")
    first = client.chat_postMessage(channel=gus, text="Welcome")
    second = client.chat_postMessage(channel=gus, text="Again")
    assert first["channel"].startswith("D") and first["channel"] == second["channel"] == sb.dm_channel(gus)
    assert float(second["ts"]) > float(first["ts"]), "ts grows while the simulated clock stands still"
    assert [m["text"] for m in sb.persona("gus").dm_messages()] == ["Welcome", "Again"]


def test_threads_metadata_update_and_delete(sb: Sandbox, client: WebClient) -> None:
    channel = sb.create_channel("general", members=[sb.bot_user_id])
    meta = {"event_type": "pair_created", "event_payload": {"pair_id": 3}}
    parent = client.chat_postMessage(channel=channel, text="parent", metadata=meta)
    client.chat_postMessage(channel=channel, text="reply", thread_ts=parent["ts"])
    replies = client.conversations_replies(channel=channel, ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"] and replies[0]["reply_count"] == 1
    assert sb.messages(channel)[0]["metadata"] == meta
    client.chat_update(channel=channel, ts=parent["ts"], text="edited")
    assert sb.messages(channel)[0]["text"] == "edited"
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=channel, ts="1.000001", text="x")
    assert missing.value.response["error"] == "message_not_found"
    client.chat_delete(channel=channel, ts=parent["ts"])
    assert sb.messages(channel) == []


def test_errors_slack_would_answer(sb: Sandbox, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("chat.teleport")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as no_channel:
        client.api_call("chat.postMessage", json={"text": "hi"})
    assert no_channel.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as too_many:
        client.chat_postMessage(channel=sb.add_user("hal"), text="x", blocks=[{"type": "divider"}] * 51)
    assert too_many.value.response["error"] == "invalid_blocks"
    assert too_many.value.response["response_metadata"]["messages"]
    with pytest.raises(SlackApiError) as bad_token:
        WebClient(base_url=sb.api_url, token="xoxb-wrong").auth_test()
    assert bad_token.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as no_token:
        WebClient(base_url=sb.api_url).api_call("auth.test")
    assert no_token.value.response["error"] == "not_authed"
    failed = [c for c in sb.calls if not c["ok"]]
    assert [c["error"] for c in failed] == [
        "unknown_method",
        "channel_not_found",
        "invalid_blocks",
        "invalid_auth",
        "not_authed",
    ]


def test_injected_faults(sb: Sandbox, client: WebClient) -> None:
    sb.inject("auth.test", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        client.auth_test()
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"
    assert client.auth_test()["user_id"] == sb.bot_user_id
    sb.inject(None, status=503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as down:
            client.team_info()
        assert down.value.response.status_code == 503
    assert client.team_info()["team"]["id"] == sb.team_id
    assert [c["status"] for c in sb.calls] == [429, 200, 503, 503, 200]

    sb.fault_rates(rate_429=0.5, seed=3)
    outcomes = []
    for _ in range(20):
        try:
            outcomes.append(client.auth_test()["ok"])
        except SlackApiError:
            outcomes.append(False)
    sb.fault_rates(rate_429=0.5, seed=3)
    again = []
    for _ in range(20):
        try:
            again.append(client.auth_test()["ok"])
        except SlackApiError:
            again.append(False)
    assert outcomes == again and True in outcomes and False in outcomes


def test_users_info_timezone_follows_dst(sb: Sandbox, client: WebClient, clock: SimulatedClock) -> None:
    ida = sb.add_user("ida", real_name="Ida Berg", tz="Europe/Berlin", locale="de-DE", is_admin=True)
    winter = client.users_info(user=ida, include_locale=True)["user"]
    assert winter["tz_offset"] == 3600 and winter["locale"] == "de-DE" and winter["is_admin"] is True
    assert winter["profile"]["real_name"] == "Ida Berg" and winter["tz_label"] == "Central European Time"
    clock.set(datetime(2025, 7, 15, 9, 0, tzinfo=UTC))
    summer = client.users_info(user=ida)["user"]
    assert summer["tz_offset"] == 7200 and "locale" not in summer
    with pytest.raises(SlackApiError) as missing:
        client.users_info(user="U404")
    assert missing.value.response["error"] == "user_not_found"


def test_conversations_open_members_and_ephemeral_rules(sb: Sandbox, client: WebClient) -> None:
    jo, kim, lea = sb.add_user("jo"), sb.add_user("kim"), sb.add_user("lea")
    im = client.conversations_open(users=jo)["channel"]["id"]
    assert im.startswith("D") and client.conversations_open(users=[jo])["channel"]["id"] == im
    group = client.conversations_open(users=[jo, kim])["channel"]
    assert group["id"].startswith("G") and group["is_mpim"]
    assert client.conversations_open(users=f"{kim},{jo}")["channel"]["id"] == group["id"]

    channel = sb.create_channel("cohort", members=[sb.bot_user_id, jo, kim, lea])
    page1 = client.conversations_members(channel=channel, limit=2)
    page2 = client.conversations_members(channel=channel, limit=2, cursor=page1["response_metadata"]["next_cursor"])
    assert page1["members"] + page2["members"] == [sb.bot_user_id, jo, kim, lea]
    assert page2["response_metadata"]["next_cursor"] == ""

    outsider = sb.add_user("max")
    with pytest.raises(SlackApiError) as not_member:
        client.chat_postEphemeral(channel=channel, user=outsider, text="psst")
    assert not_member.value.response["error"] == "user_not_in_channel"
    lonely = sb.create_channel("lonely", members=[jo])
    with pytest.raises(SlackApiError) as bot_out:
        client.chat_postEphemeral(channel=lonely, user=jo, text="psst")
    assert bot_out.value.response["error"] == "not_in_channel"
    assert client.chat_postEphemeral(channel=channel, user=jo, text="psst")["message_ts"]
    assert client.chat_postEphemeral(channel=im, user=jo, text="in the dm")["ok"]
    assert [m["text"] for m in sb.ephemeral_messages(jo)] == ["psst", "in the dm"]
    info = client.conversations_info(channel=channel)["channel"]
    assert info["name"] == "cohort" and info["is_member"] is True


def test_form_bodies_get_params_and_record(sb: Sandbox, client: WebClient, tmp_path: Any) -> None:
    nia = sb.add_user("nia")
    blocks = json.dumps([{"type": "section", "text": {"type": "plain_text", "text": "form"}}])
    response = client.api_call("chat.postMessage", data={"channel": nia, "blocks": blocks})
    assert response["ok"] and response["message"]["blocks"][0]["text"]["text"] == "form"
    assert client.api_call("users.info", http_verb="GET", params={"user": nia})["user"]["name"] == "nia"
    assert client.api_call("dnd.info")["ok"], "known but unimplemented methods answer ok"
    path = tmp_path / "calls.jsonl"
    sb.write_record(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["method"] for line in lines] == ["chat.postMessage", "users.info", "dnd.info"]
    assert lines[0]["args"]["blocks"][0]["type"] == "section" and "token" not in lines[0]["args"]


def test_file_upload_v2(sb: Sandbox, client: WebClient) -> None:
    oli = sb.add_user("oli")
    dm = sb.open_dm(oli)
    client.files_upload_v2(channel=dm, content="a,b\n1,2\n", filename="report.csv", title="Report")
    [stored] = sb.files.values()
    assert stored["title"] == "Report" and stored["uploaded"] == len("a,b\n1,2\n") and stored["completed"]
    assert sb.messages(dm)[-1]["files"][0]["id"] == stored["id"]


def test_response_url_rejects_invalid_blocks(sb: Sandbox) -> None:
    pia = sb.add_user("pia")
    url = sb.issue_response_url(sb.open_dm(pia), pia)
    from slack_sdk.webhook import WebhookClient

    bad = WebhookClient(url).send(text="x", blocks=[{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}])
    assert bad.status_code == 400 and bad.body == "invalid_blocks"
    good = WebhookClient(url).send(text="fine", response_type="in_channel")
    assert good.status_code == 200
    assert [m["text"] for m in sb.messages(sb.open_dm(pia))] == ["fine"]


def test_delivery_needs_an_app_url(sb: Sandbox) -> None:
    with pytest.raises(RuntimeError):
        sb.deliver_event({"type": "app_home_opened"})
    assert isinstance(Delivery(kind="event"), Delivery) and not Delivery(kind="event").ok


def test_persona_view_interactions(sb: Sandbox, bolt: App, client: WebClient) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    options = [{"text": {"type": "plain_text", "text": t}, "value": t} for t in ("mon", "tue", "wed")]

    def label(text: str) -> dict[str, str]:
        return {"type": "plain_text", "text": text}

    prefs = {
        "type": "modal",
        "callback_id": "prefs",
        "title": label("Preferences"),
        "submit": label("Save"),
        "notify_on_close": True,
        "blocks": [
            {
                "type": "section",
                "block_id": "tip",
                "text": {"type": "mrkdwn", "text": "Pick days"},
                "accessory": {"type": "button", "action_id": "more", "text": label("More"), "value": "m"},
            },
            {
                "type": "input",
                "block_id": "days",
                "label": label("Days"),
                "element": {"type": "checkboxes", "action_id": "days", "options": options},
            },
            {
                "type": "input",
                "block_id": "start",
                "label": label("Start"),
                "optional": True,
                "element": {"type": "datepicker", "action_id": "start"},
            },
            {
                "type": "input",
                "block_id": "buddy",
                "label": label("Buddy"),
                "element": {"type": "users_select", "action_id": "buddy"},
            },
        ],
    }

    @bolt.command("/tandem")
    def open_prefs(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=prefs)

    @bolt.action("more")
    def more(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        events.append(("action", body))
        client.views_push(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "title": label("More"),
                "notify_on_close": True,
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Details"}}],
            },
        )

    @bolt.view("prefs")
    def save(ack: Any, view: dict[str, Any]) -> None:
        events.append(("submit", view))
        ack()

    @bolt.view_closed("")
    def closed(ack: Any, body: dict[str, Any]) -> None:
        ack()
        events.append(("closed", body))

    quinn = sb.persona(sb.add_user("quinn"))
    rosa = sb.add_user("rosa")
    quinn.slash()
    [root] = quinn.open_views()
    quinn.click("more")
    action_body = events[0][1]
    assert action_body["container"] == {"type": "view", "view_id": root["id"]}
    assert action_body["actions"][0]["value"] == "m"
    assert quinn.open_views()[0]["id"] == root["id"] and len(quinn.open_views()) == 2
    pushed = quinn.open_views()[1]
    assert pushed["previous_view_id"] == root["id"] and pushed["root_view_id"] == root["id"]
    closing = quinn.close(pushed["id"])
    assert closing is not None and closing.ok and events[-1][0] == "closed"
    quinn.submit(root["id"], {"days": ["mon", "wed"], "buddy": rosa})
    values = events[-1][1]["state"]["values"]
    assert [o["value"] for o in values["days"]["days"]["selected_options"]] == ["mon", "wed"]
    assert values["start"]["start"] == {"type": "datepicker", "selected_date": None}
    assert values["buddy"]["buddy"]["selected_user"] == rosa
    assert quinn.open_views() == []
    with pytest.raises(KeyError):
        quinn.submit(root["id"], {"nope": 1})


def test_say_in_channels_and_response_url_limits(sb: Sandbox, bolt: App, clock: SimulatedClock) -> None:
    heard: list[dict[str, Any]] = []
    bolt.event("message")(lambda event: heard.append(event))
    sam, tia = sb.add_user("sam"), sb.add_user("tia")
    public = sb.create_channel("public", members=[sam, sb.bot_user_id])
    private = sb.create_channel("secret", is_private=True, members=[sam, sb.bot_user_id])
    quiet = sb.create_channel("quiet", members=[sam])
    sam_p = sb.persona(sam)
    parent = sam_p.say(public, "hello all")
    assert parent is not None and parent.ok
    sam_p.say(public, "in thread", thread_ts=heard[0]["ts"])
    sam_p.say(private, "psst")
    assert sam_p.say(quiet, "no bot here") is None
    with pytest.raises(ValueError):
        sb.persona(tia).say(public, "not a member")
    assert [(e["channel_type"], e["text"]) for e in heard] == [
        ("channel", "hello all"),
        ("channel", "in thread"),
        ("group", "psst"),
    ]
    assert heard[1]["thread_ts"] == heard[0]["ts"]
    assert sb.messages(public)[0]["reply_count"] == 1

    from slack_sdk.webhook import WebhookClient

    url = sb.issue_response_url(public, sam)
    statuses = [WebhookClient(url).send(text=f"n{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    late = sb.issue_response_url(public, sam)
    clock.advance(timedelta(minutes=31))
    assert WebhookClient(late).send(text="late").body == "expired_url"


def test_a_workspace_admin_can_make_a_channel_public_archive_it_and_share_it(
    sb: Sandbox, bolt: App, client: WebClient
) -> None:
    """conversations.info answers as Slack does after each change; archiving and sharing deliver Slack's events,
    making a channel public delivers none (as in Slack)."""
    heard: list[dict[str, Any]] = []
    for kind in ("group_archive", "group_unarchive", "channel_archive", "channel_shared", "channel_unshared"):
        bolt.event(kind)(lambda event: heard.append(event))
    sam = sb.add_user("sam")
    channel = sb.create_channel("hosts", is_private=True, members=[sam, sb.bot_user_id])

    def info() -> dict[str, Any]:
        return client.conversations_info(channel=channel)["channel"]

    assert (info()["is_private"], info()["is_archived"], info()["is_ext_shared"], info()["is_shared"]) == (
        True,
        False,
        False,
        False,
    )
    assert sb.archive(channel, sam).ok and info()["is_archived"]
    assert sb.archive(channel, sam, archived=False).ok and not info()["is_archived"]
    sb.set_private(channel, False)
    assert not info()["is_private"]
    assert sb.share(channel, "T0PARTNER").ok
    shared = info()
    assert shared["is_ext_shared"] and shared["is_shared"] and shared["shared_team_ids"] == [sb.team_id, "T0PARTNER"]
    assert sb.share(channel, "T0PARTNER", shared=False).ok and not info()["is_ext_shared"]
    assert sb.archive(channel, sam).ok
    assert [e["type"] for e in heard] == [
        "group_archive",
        "group_unarchive",
        "channel_shared",
        "channel_unshared",
        "channel_archive",  # public by then
    ]
    assert heard[2]["connected_team_id"] == "T0PARTNER" and heard[3]["is_ext_shared"] is False
    with pytest.raises(SlackApiError, match="is_archived"):
        client.chat_postMessage(channel=channel, text="into an archived channel")
