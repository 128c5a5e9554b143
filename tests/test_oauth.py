"""Several workspaces: installing Tandem over OAuth from the sandbox, over HTTP against the real WSGI server, a
token per workspace for requests and for the outbox worker, and uninstalling (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, MetaData, func, select, text

from bot.clock import SimulatedClock
from bot.config import ConfigError, load_settings
from bot.db import SLACK_STORE_TABLES
from bot.jobs import DUE_JOBS
from bot.models import OutboxMessage, OutboxStatus, Participant, Workspace
from bot.sandbox.server import Sandbox
from bot.sandbox.stack import SIGNING_SECRET, LocalStack
from bot.services import installs, outbox
from bot.services.ticks import tick
from bot.slack.install import TokenClients, bot_scopes, client_factory, installation_store, state_store
from tests.helpers import (
    SECOND,
    START,
    approve,
    assert_calls_ok,
    browser_get,
    clear_slack_stores,
    command_body,
    install,
    signed_post,
    start_install,
)

# ---------------------------------------------------------------------------------------------- helpers


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def workspace(stack: LocalStack, team_id: str) -> Workspace | None:
    with stack.session_factory() as s:
        return s.scalar(select(Workspace).where(Workspace.team_id == team_id))


@pytest.fixture
def stores_clean(engine: Engine) -> Iterator[None]:
    clear_slack_stores(engine)
    yield
    clear_slack_stores(engine)


@pytest.fixture
def stack(database_url: str, session_factory, stores_clean) -> Iterator[LocalStack]:
    """Tandem for several workspaces: no bot token of its own, workspaces install it over OAuth."""
    s = LocalStack(database_url, clock=SimulatedClock(START), migrate=False, oauth=True)
    s.sandbox.oauth.add_team(SECOND, "Second Team")
    s.start()
    yield s
    assert_calls_ok(s)
    s.stop()


# ---------------------------------------------------------------------------------------------- settings
def test_settings_choose_between_one_token_and_oauth(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    oauth = load_settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s", SLACK_SIGNING_SECRET="x")
    oauth.require_slack()  # no SLACK_BOT_TOKEN needed
    assert oauth.multi_workspace and oauth.slack_authorize_url == "https://slack.com/oauth/v2/authorize"
    token = load_settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="x")
    token.require_slack()
    assert not token.multi_workspace
    for overrides, variable in (
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_SECRET": "s"}, "SLACK_CLIENT_ID"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN"),
        ({}, "SLACK_BOT_TOKEN"),
    ):
        with pytest.raises(ConfigError) as err:
            load_settings(SLACK_SIGNING_SECRET="x", **overrides).require_slack()
        assert str(err.value).startswith(f"{variable}:") and "\n" not in str(err.value)
    with pytest.raises(ConfigError, match=r"^SLACK_AUTHORIZE_URL:"):
        load_settings(SLACK_AUTHORIZE_URL="slack.com/oauth")


def test_scopes_come_from_the_manifest() -> None:
    from bot.manifest import build

    for manifest in (build(), build("https://tandem.example.com", oauth=True)):
        assert list(bot_scopes()) == manifest["oauth_config"]["scopes"]["bot"] and "chat:write" in bot_scopes()


# ---------------------------------------------------------------------------------------------- the stores
def test_the_stores_tables_are_exactly_slack_sdks_and_work(engine: Engine, stores_clean) -> None:
    settings = load_settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")
    store, states = installation_store(settings, engine), state_store(engine)
    # the migration wrote the stores' own table definitions out: no difference in columns, types or indexes
    theirs = MetaData()
    for table in (store.installations, store.bots, states.oauth_states):
        table.to_metadata(theirs)
    assert set(theirs.tables) == SLACK_STORE_TABLES
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    type_ != "table" or name in SLACK_STORE_TABLES
                ),
            },
        )
        assert compare_metadata(context, theirs) == []

    first = Installation(
        app_id="A1", team_id="T1", team_name="One", bot_token="xoxb-1", bot_id="B1", bot_user_id="UB",
        bot_scopes="chat:write", user_id="U1", installed_at=1_800_000_000.0,
    )  # fmt: skip
    store.save(first)
    newer = Installation(
        app_id="A1", team_id="T1", team_name="One", bot_token="xoxb-2", bot_id="B1", bot_user_id="UB",
        bot_scopes="chat:write", user_id="U1", installed_at=1_800_000_100.0,
    )  # fmt: skip
    store.save(newer)
    found = store.find_installation(enterprise_id=None, team_id="T1")
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert found is not None and found.bot_token == "xoxb-2" and found.team_name == "One"
    assert bot is not None and bot.bot_token == "xoxb-2" and bot.bot_scopes == ["chat:write"]
    assert store.find_bot(enterprise_id=None, team_id="T2") is None
    store.delete_all(enterprise_id=None, team_id="T1")
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert count(engine, "slack_bots") == count(engine, "slack_installations") == 0

    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False  # once only
    assert states.consume("not-issued") is False


def test_token_mode_needs_no_store(engine: Engine) -> None:
    settings = load_settings(SLACK_BOT_TOKEN="xoxb-one", SLACK_SIGNING_SECRET="x", SLACK_API_URL="http://127.0.0.1:9/")
    client_for = client_factory(settings, engine)
    assert client_for("T1").token == client_for("T2").token == "xoxb-one"


# ---------------------------------------------------------------------------------------------- installing
def test_installing_over_http_stores_a_token_and_tandem_answers_with_it(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    host = sandbox.persona(sandbox.add_user("hana", real_name="Hana Host", is_admin=True, tz="Europe/Berlin"))
    # before the install Tandem has no token for the workspace: Bolt answers with its "reinstall" note, nothing else
    ben = sandbox.persona(sandbox.add_user("ben", tz="Europe/Lisbon"))
    assert ben.slash("help").ok
    assert "reinstall" in json.dumps(ben.ephemeral_messages())
    assert workspace(stack, sandbox.team_id) is None

    authorize_url, cookie = start_install(stack)
    url = urllib.parse.urlsplit(authorize_url)
    query = dict(urllib.parse.parse_qsl(url.query))
    assert authorize_url.startswith(sandbox.oauth.authorize_url)
    assert query["client_id"] == sandbox.oauth.client_id and query["scope"] == ",".join(bot_scopes())
    assert cookie == f"slack-app-oauth-state={query['state']}"
    with stack.engine.connect() as conn:  # the state is in the state store until it is used
        assert conn.execute(text("SELECT state FROM slack_oauth_states")).scalars().all() == [query["state"]]

    redirect = approve(authorize_url)
    assert redirect.startswith(f"{stack.base_url}/slack/oauth_redirect?code=")
    status, headers, page = browser_get(redirect, cookie=cookie)
    assert status == 200 and "Tandem is installed" in page and "Tandem Sandbox" in page, page
    assert headers["Set-Cookie"].startswith("slack-app-oauth-state=deleted;")  # the browser forgets the state
    assert count(stack.engine, "slack_oauth_states") == 0  # used up

    [token] = sandbox.oauth.tokens_of(sandbox.team_id)
    bot = installation_store(stack.settings, stack.engine).find_bot(enterprise_id=None, team_id=sandbox.team_id)
    assert bot is not None and bot.bot_token == token and bot.bot_user_id == sandbox.bot_user_id
    ws = workspace(stack, sandbox.team_id)
    assert ws is not None and (ws.name, ws.bot_user_id, ws.uninstalled_at) == (
        "Tandem Sandbox",
        sandbox.bot_user_id,
        None,
    )
    [access] = sandbox.calls_to("oauth.v2.access")
    assert access["ok"] and access["token"] is None and access["args"]["client_secret"] == "(redacted)"

    # whoever installed it gets the welcome DM everyone gets, at once with the workspace's token (nothing stored)
    [welcome] = sandbox.calls_to("chat.postMessage")
    assert welcome["token"] == token and welcome["args"]["channel"] == sandbox.dm_channel(host.id)
    assert "Hi hana" in welcome["args"]["text"]
    from bot.services.privacy import traces

    assert traces(stack.engine, [host.id]) == [], "who installed Tandem is not kept, in no table (slack_sdk's too)"

    # a command and an event from the workspace are answered with its installed token
    assert host.slash("help").ok
    host.open_home()
    [publish] = sandbox.calls_to("views.publish")
    assert publish["ok"] and publish["token"] == token
    status, body = signed_post(
        sandbox.app_url,
        command_body(user_id=host.id, text="help", team_id=sandbox.team_id),
        content_type="application/x-www-form-urlencoded",
        secret=SIGNING_SECRET,
    )
    assert status == 200 and json.loads(body)["response_type"] == "ephemeral"
    assert {c["token"] for c in sandbox.calls if c["method"] != "oauth.v2.access"} == {token}


def test_a_bad_or_reused_state_is_refused_and_stores_nothing(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    store = installation_store(stack.settings, stack.engine)

    # a state nobody issued (and a cookie to match it): refused before any code is exchanged
    authorize_url, _cookie = start_install(stack)
    redirect = approve(authorize_url.replace("state=", "state=forged", 1))
    forged = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query))["state"]
    status, _, page = browser_get(redirect, cookie=f"slack-app-oauth-state={forged}")
    assert status == 401 and "Tandem was not installed" in page and "invalid_state" in page
    # the right state without the browser's cookie: refused too
    status, _, _ = browser_get(approve(authorize_url))
    assert status == 400
    assert sandbox.calls_to("oauth.v2.access") == []
    assert store.find_bot(enterprise_id=None, team_id=sandbox.team_id) is None

    # the right state and cookie, but a made-up code: Slack refuses it, nothing is stored
    authorize_url, cookie = start_install(stack)
    redirect = approve(authorize_url)
    status, _, _ = browser_get(redirect.replace("code=", "code=made-up", 1), cookie=cookie)
    assert status == 401 and sandbox.calls_to("oauth.v2.access")[-1]["error"] == "invalid_code"
    assert count(stack.engine, "slack_installations") == 0 and workspace(stack, sandbox.team_id) is None

    # an install goes through once; replaying its redirect (state and code used up) is refused
    authorize_url, cookie = start_install(stack)
    redirect = approve(authorize_url)
    assert browser_get(redirect, cookie=cookie)[0] == 200
    exchanges = len(sandbox.calls_to("oauth.v2.access"))
    assert browser_get(redirect, cookie=cookie)[0] == 401
    assert len(sandbox.calls_to("oauth.v2.access")) == exchanges
    assert count(stack.engine, "slack_installations") == 1 and len(sandbox.oauth.tokens_of(sandbox.team_id)) == 1

    # the person says no on Slack's page: Slack sends them back with an error, nothing is stored
    sandbox.oauth.deny_next = True
    authorize_url, cookie = start_install(stack)
    status, _, _ = browser_get(approve(authorize_url), cookie=cookie)
    assert status == 200 and count(stack.engine, "slack_installations") == 1
    assert len(sandbox.calls_to("oauth.v2.access")) == exchanges


def test_uninstalling_stops_tandem_for_the_workspace_and_a_reinstall_brings_it_back(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    host = sandbox.persona(sandbox.add_user("hana", real_name="Hana Host", is_admin=True))
    assert install(stack)[0] == 200
    [old_token] = sandbox.oauth.tokens_of(sandbox.team_id)
    ana = sandbox.persona(sandbox.add_user("ana", tz="Europe/Lisbon"))
    with stack.session_factory() as s:  # Ana is in a program: what Tandem tells her goes through the outbox
        assert s.scalar(select(Participant.id)) is None  # nobody yet: the installer is not stored
        ws_id = s.scalars(select(Workspace.id).where(Workspace.team_id == sandbox.team_id)).one()
        s.add(Participant(workspace_id=ws_id, slack_user_id=ana.id, created_at=START, updated_at=START))
        s.commit()
    ana.send_dm("hello?")  # the answer is queued
    with stack.session_factory() as s:
        pending = s.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
        assert len(pending) == 1
    posted = len(sandbox.calls_to("chat.postMessage"))

    deliveries = sandbox.oauth.uninstall()
    assert [d.ok for d in deliveries] == [True, True]
    store = installation_store(stack.settings, stack.engine)
    assert store.find_bot(enterprise_id=None, team_id=sandbox.team_id) is None
    assert count(stack.engine, "slack_installations") == count(stack.engine, "slack_bots") == 0
    ws = workspace(stack, sandbox.team_id)
    assert ws is not None and ws.uninstalled_at == START
    with stack.session_factory() as s:
        message = s.get(OutboxMessage, pending[0].id)
        assert message is not None and (message.status, message.last_error) == (OutboxStatus.PARKED, "uninstalled")

    # the clock does nothing for it: whatever its jobs queue for the workspace is parked in the same tick
    def queue_for_it(session, now) -> int:
        outbox.post(session, workspace_id=ws.id, channel=ana.id, message={"text": "due"}, now=now, about=outbox.NOBODY)
        return 1

    with stack.session_factory() as s:
        summary = tick(s, now=START + timedelta(minutes=1), jobs={"test.queue": queue_for_it, **DUE_JOBS})
        assert summary is not None and summary["installs.park_uninstalled"] == 1
    stack.advance(timedelta(minutes=3))
    assert len(sandbox.calls_to("chat.postMessage")) == posted  # nothing more reached Slack
    with stack.session_factory() as s:
        pending_now = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        assert s.scalar(pending_now) == 0
    # and Slack no longer takes the old token
    with pytest.raises(SlackApiError, match="token_revoked"):
        WebClient(base_url=sandbox.api_url, token=old_token, retry_handlers=[]).auth_test()

    # a reinstall brings it back, with a new token, for requests and (once its minute is up) the worker
    status, page = install(stack, language="de-DE,de;q=0.9,en;q=0.5")
    assert status == 200 and "Tandem ist installiert" in page
    [new_token] = sandbox.oauth.tokens_of(sandbox.team_id)
    assert new_token != old_token
    ws = workspace(stack, sandbox.team_id)
    assert ws is not None and ws.uninstalled_at is None
    host.open_home()
    assert sandbox.calls_to("views.publish")[-1]["token"] == new_token
    stack.advance(timedelta(minutes=2))
    sandbox.persona(sandbox.add_user("carl", tz="Europe/Berlin")).open_messages_tab()
    stack.settle()
    last = sandbox.calls_to("chat.postMessage")[-1]
    assert last["ok"] and last["token"] == new_token


def test_revoking_the_bot_token_is_an_uninstall_too(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    sandbox.add_user("hana", is_admin=True)
    assert install(stack)[0] == 200
    delivery = sandbox.oauth.deliver(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [sandbox.bot_user_id]}}, team_id=sandbox.team_id
    )
    assert delivery.ok
    assert count(stack.engine, "slack_bots") == count(stack.engine, "slack_installations") == 0
    ws = workspace(stack, sandbox.team_id)
    assert ws is not None and ws.uninstalled_at is not None


# ---------------------------------------------------------------------------------------------- the worker
def test_the_worker_sends_with_each_workspaces_token(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    someone = sandbox.add_user("hana", is_admin=True)
    assert install(stack)[0] == 200
    assert install(stack, team=SECOND)[0] == 200
    [first] = sandbox.oauth.tokens_of(sandbox.team_id)
    [second] = sandbox.oauth.tokens_of(SECOND)
    stack.settle()  # the installer's welcome, in each workspace
    with stack.session_factory() as s:
        ids = {w.team_id: w.id for w in s.scalars(select(Workspace))}
        assert set(ids) == {sandbox.team_id, SECOND}
        third = installs.installed(s, team_id="T0NOTOKEN", name="Never installed", bot_user_id=None, now=START)[0]
        for workspace_id in (ids[sandbox.team_id], ids[SECOND], third.id):
            outbox.post(
                s, workspace_id=workspace_id, channel=someone, message={"text": "hi"}, now=START, about=outbox.NOBODY
            )
        s.commit()
    before = len(sandbox.calls)
    stack.worker.drain()
    sent = [c for c in sandbox.calls[before:] if c["method"] == "chat.postMessage"]
    assert sorted((c["token"] or "", c["ok"], c["error"]) for c in sent) == sorted(
        [(first, True, None), (second, True, None), ("", False, "not_authed")]
    )
    with stack.session_factory() as s:
        parked = s.scalars(select(OutboxMessage).where(OutboxMessage.workspace_id == third.id)).one()
        assert (parked.status, parked.last_error) == (OutboxStatus.PARKED, "not_authed")


def test_tandem_worker_once_uses_the_installed_token(
    database_url: str, session_factory, stores_clean, tmp_path
) -> None:
    with Sandbox(signing_secret=SIGNING_SECRET) as sandbox:
        user = sandbox.add_user("ana", is_admin=True)
        query = urllib.parse.urlencode({"client_id": sandbox.oauth.client_id, "redirect_uri": "http://127.0.0.1:9/r"})
        code = dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(approve(f"{sandbox.oauth.authorize_url}?{query}")).query)
        )
        granted = WebClient(base_url=sandbox.api_url).oauth_v2_access(
            client_id=sandbox.oauth.client_id,
            client_secret=sandbox.oauth.client_secret,
            code=code["code"],
            redirect_uri="http://127.0.0.1:9/r",
        )
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_CLIENT_ID": sandbox.oauth.client_id,
            "SLACK_CLIENT_SECRET": sandbox.oauth.client_secret,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": sandbox.api_url,
        }
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        settings = load_settings(DATABASE_URL=database_url, SLACK_CLIENT_ID=sandbox.oauth.client_id)
        with session_factory() as s:
            installation_store(settings, s.get_bind()).save(
                Installation(
                    app_id=granted["app_id"],
                    team_id=sandbox.team_id,
                    bot_token=granted["access_token"],
                    bot_id="B0TANDEMBOT",
                    bot_user_id=granted["bot_user_id"],
                    user_id=user,
                )
            )
            now = datetime.now(UTC)  # the worker runs on the system clock
            ws = installs.installed(s, team_id=sandbox.team_id, name="Tandem Sandbox", bot_user_id=None, now=now)[0]
            outbox.post(
                s, workspace_id=ws.id, channel=user, message={"text": "queued earlier"}, now=now, about=outbox.NOBODY
            )
            s.commit()
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", "worker", "--once"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        [post] = sandbox.calls_to("chat.postMessage")
        assert post["ok"] and post["token"] == granted["access_token"]


def test_the_workers_token_is_kept_a_minute(engine: Engine, stores_clean) -> None:
    settings = load_settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")
    store = installation_store(settings, engine)
    now = [0.0]
    clients = TokenClients(store, base_url="http://127.0.0.1:9/api/", ttl=60, monotonic=lambda: now[0])
    assert clients("T1").token is None  # not installed: Slack will say not_authed
    store.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-a", bot_id="B", user_id="U", installed_at=1.0))
    now[0] = 30
    assert clients("T1").token is None  # still the cached answer
    now[0] = 61
    assert clients("T1").token == "xoxb-a"
    store.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-b", bot_id="B", user_id="U", installed_at=2.0))
    now[0] = 122
    assert clients("T1").token == "xoxb-b"  # a reinstall's new token
    assert clients("T1") is clients("T1")


# ---------------------------------------------------------------------------------------------- the sandbox
def test_the_sandboxs_oauth_answers_like_slack(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    client = WebClient(base_url=sandbox.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as err:
        client.oauth_v2_access(client_id=sandbox.oauth.client_id, client_secret="wrong", code="x")
    assert err.value.response["error"] == "bad_client_secret"
    with pytest.raises(SlackApiError) as err:
        client.oauth_v2_access(client_id="nope", client_secret=sandbox.oauth.client_secret, code="x")
    assert err.value.response["error"] == "invalid_client_id"
    query = urllib.parse.urlencode({"client_id": sandbox.oauth.client_id, "scope": "chat:write", "team": SECOND})
    redirect = approve(f"{sandbox.oauth.authorize_url}?{query}")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query))["code"]
    granted = client.oauth_v2_access(
        client_id=sandbox.oauth.client_id, client_secret=sandbox.oauth.client_secret, code=code
    )
    assert granted["token_type"] == "bot" and granted["team"] == {"id": SECOND, "name": "Second Team"}
    assert granted["is_enterprise_install"] is False and granted["enterprise"] is None
    with pytest.raises(SlackApiError) as err:  # a code is good once
        client.oauth_v2_access(client_id=sandbox.oauth.client_id, client_secret=sandbox.oauth.client_secret, code=code)
    assert err.value.response["error"] == "invalid_code"
    token = granted["access_token"]
    assert WebClient(base_url=sandbox.api_url, token=token).auth_test()["team_id"] == SECOND
    assert WebClient(base_url=sandbox.api_url, token=token).auth_revoke()["revoked"] is True
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=sandbox.api_url, token=token, retry_handlers=[]).auth_test()
    assert err.value.response["error"] == "token_revoked"
    assert browser_get(f"{sandbox.oauth.authorize_url}?client_id=wrong")[0] == 400
