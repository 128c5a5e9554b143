"""``tandem doctor``: each check, with its thing broken in turn against the sandbox, says what is wrong and how to
fix it; and the real command is green against a healthy stack (and red, exit 1, when one thing is not)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from slack_sdk import WebClient
from sqlalchemy import select

from bot import doctor
from bot.cli import main
from bot.db import make_engine
from bot.models import Workspace
from bot.sandbox.common import BOT_SCOPES
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET, LocalStack
from bot.services import outbox
from tests.conftest import on_sqlite_only
from tests.helpers import admin_channel, clear_slack_stores, install, persona, shared_engine


def _client(stack: LocalStack, token: str = BOT_TOKEN) -> WebClient:
    return WebClient(token=token, base_url=stack.sandbox.api_url)


def _auth(stack: LocalStack) -> Any:
    check, answer = doctor.slack_auth(_client(stack))
    assert check.ok, check
    return answer


def _admin(stack: LocalStack, session: Any) -> doctor.Check:
    return doctor.admin_channel(session, _client(stack), stack.sandbox.team_id)


def _workspace_only(stack: LocalStack) -> None:
    assert persona(stack, "Ada").slash("help").ok  # the first request makes the workspace's row
    stack.settle()


def _queue(stack: LocalStack, session: Any, channel: str, *, age: timedelta = timedelta(0)) -> None:
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == stack.sandbox.team_id))
    now = stack.clock.now()
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=channel,
        message={"text": "doctor test"},
        now=now - age,
        not_before=now - age,
        about=outbox.About(),
    )
    session.commit()


def _socket(stack: LocalStack, token: str) -> doctor.Check:
    return doctor.socket_mode(WebClient(base_url=stack.sandbox.api_url), token)


# (what is broken, what doctor says) -> the check's result; each case its own stack
Case = Callable[[LocalStack, Any, Path], doctor.Check]
CASES: dict[str, tuple[Case, bool, str]] = {
    "tokens fine": (
        lambda s, db, tmp: doctor.tokens({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}),
        True,
        "SLACK_BOT_TOKEN is a bot token, SLACK_APP_TOKEN is an app-level token",
    ),
    "tokens swapped": (
        lambda s, db, tmp: doctor.tokens({"SLACK_BOT_TOKEN": "xapp-1-A-1-x", "SLACK_APP_TOKEN": "xoxb-1"}),
        False,
        "are swapped",
    ),
    "user token as bot token": (
        lambda s, db, tmp: doctor.tokens({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_APP_TOKEN": None}),
        False,
        "SLACK_BOT_TOKEN holds a user token, not a bot token (xoxb-) — fix: put the Bot User OAuth Token",
    ),
    "settings without the signing secret": (
        lambda s, db, tmp: doctor.configuration(
            lambda: doctor.load_settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="")
        )[0],
        False,
        "SLACK_SIGNING_SECRET: not set",
    ),
    "auth.test fine": (
        lambda s, db, tmp: doctor.slack_auth(_client(s))[0],
        True,
        "team Tandem Sandbox (T0TANDEM), bot user @tandem (U0TANDEMBOT)",
    ),
    "token revoked": (
        lambda s, db, tmp: (
            setattr(s.sandbox.oauth, "configured_token_revoked", True),
            doctor.slack_auth(_client(s))[0],
        )[1],
        False,
        "auth.test failed: token_revoked — fix: reinstall the app",
    ),
    "token unknown": (
        lambda s, db, tmp: doctor.slack_auth(_client(s, "xoxb-not-known"))[0],
        False,
        "auth.test failed: invalid_auth",
    ),
    "all scopes granted": (lambda s, db, tmp: doctor.scopes(_auth(s).headers), True, "all 16 the manifest asks for"),
    "a scope missing, one extra": (
        lambda s, db, tmp: (
            setattr(s.sandbox, "granted_scopes", BOT_SCOPES.replace(",files:read", "") + ",chat:write.public"),
            doctor.scopes(_auth(s).headers),
        )[1],
        False,
        "missing files:read; note: also granted chat:write.public, which Tandem does not use — fix: update the app",
    ),
    "socket mode fine": (lambda s, db, tmp: _socket(s, s.sandbox.app_token), True, "said hello"),
    "socket mode switched off at Slack": (
        lambda s, db, tmp: (
            _socket(s, s.sandbox.app_token),  # the link is up ...
            s.sandbox.disconnect_socket("link_disabled"),  # ... until Socket Mode is switched off
            _socket(s, s.sandbox.app_token),
        )[2],
        False,
        "its WebSocket did not open or say hello",
    ),
    "bot token for socket mode": (
        lambda s, db, tmp: _socket(s, BOT_TOKEN),
        False,
        "failed: not_allowed_token_type — fix: SLACK_APP_TOKEN must be an app-level token",
    ),
    "request URL fine": (
        lambda s, db, tmp: doctor.request_url(s.base_url, SIGNING_SECRET),
        True,
        "/slack/events answers a signed url_verification with its challenge",
    ),
    "request URL, wrong signing secret": (
        lambda s, db, tmp: doctor.request_url(s.base_url, "not-the-apps-secret"),
        False,
        "refused a request signed with SLACK_SIGNING_SECRET (401) — fix: set SLACK_SIGNING_SECRET",
    ),
    "request URL, nothing there": (
        lambda s, db, tmp: doctor.request_url(s.base_url + "/nothing", SIGNING_SECRET),
        False,
        "answered 404 without the challenge",
    ),
    "database migrated": (lambda s, db, tmp: doctor.database(s.engine), True, "(head)"),
    "database not migrated": (
        lambda s, db, tmp: (
            (tmp / "empty.sqlite3").touch(),
            doctor.database(make_engine(f"sqlite:///{tmp}/empty.sqlite3")),
        )[1],
        False,
        "at no migration, the newest is",
    ),
    "database file missing": (
        lambda s, db, tmp: doctor.database(make_engine(f"sqlite:///{tmp}/gone.sqlite3")),
        False,
        "gone.sqlite3 — fix: run Tandem in the folder that has it",
    ),
    "database unreachable": (
        lambda s, db, tmp: doctor.database(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")),
        False,
        "cannot connect to postgresql+psycopg://nobody@127.0.0.1:1/none",
    ),
    "workspace unknown": (lambda s, db, tmp: _admin(s, db), False, "knows no workspace T0TANDEM yet"),
    "admin channel not set": (
        lambda s, db, tmp: (_workspace_only(s), _admin(s, db))[1],
        False,
        "admin channel: not set up — fix: in a private channel, invite @Tandem and run `/tandem admin setup`",
    ),
    "admin channel private": (
        lambda s, db, tmp: (admin_channel(s, persona(s, "Hana", is_admin=True)), _admin(s, db))[1],
        True,
        "#tandem-hosts",
    ),
    "admin channel public": (
        lambda s, db, tmp: (
            s.sandbox.set_private(admin_channel(s, persona(s, "Hana", is_admin=True)), False),
            _admin(s, db),
        )[1],
        False,
        "is public: nobody is a host — fix: make it private again",
    ),
    "clock ticking": (
        lambda s, db, tmp: (s.tick(), doctor.clock(s.engine, s.clock.now()))[1],
        True,
        "the last tick was 0 s ago",
    ),
    "clock never ticked": (
        lambda s, db, tmp: doctor.clock(s.engine, s.clock.now()),
        False,
        "— fix: start `tandem clock`",  # SQLite: it never ticked; PostgreSQL: nobody holds the clock's lock
    ),
    "clock stopped": (
        lambda s, db, tmp: (s.tick(), doctor.clock(s.engine, s.clock.now() + timedelta(minutes=10)))[1],
        False,
        "the last tick was 10 min ago — fix: start `tandem clock`",
    ),
    "clock ahead": (
        lambda s, db, tmp: (s.tick(), doctor.clock(s.engine, s.clock.now() - timedelta(minutes=5)))[1],
        False,
        "the last tick is 5 min ahead of this machine's time — fix: set both machines' clocks right",
    ),
    "outbox empty": (lambda s, db, tmp: doctor.outbox(db, s.clock.now()), True, "0 due; 0 parked in the last 24 h"),
    "outbox waiting for a worker": (
        lambda s, db, tmp: (
            _workspace_only(s),
            _queue(s, db, s.sandbox.open_dm(s.sandbox.find_user("Ada")), age=timedelta(minutes=7)),
            doctor.outbox(db, s.clock.now()),
        )[2],
        False,
        "1 due, the oldest for 7 min; 0 parked in the last 24 h — fix: run `tandem worker`",
    ),
    "outbox with parked messages": (
        lambda s, db, tmp: (
            _workspace_only(s),
            _queue(s, db, "C0GONE"),
            s.worker.drain(),
            doctor.outbox(db, s.clock.now()),
        )[3],
        False,
        "0 due; 1 parked in the last 24 h (chat.postMessage: channel_not_found ×1) — fix: Slack refused",
    ),
}


# what asks the database runs on both backends; the rest (tokens, Slack, the request URL) once, on SQLite
ON_THE_DATABASE = ("database migrated", "workspace", "admin channel", "clock", "outbox")
PARAMS = [
    pytest.param(*case, id=name) if name.startswith(ON_THE_DATABASE) else on_sqlite_only(*case, id=name)
    for name, case in CASES.items()
]


@pytest.mark.parametrize(("case", "ok", "says"), PARAMS)
def test_each_check_says_what_is_wrong_and_how_to_fix_it(
    stack: LocalStack, session: Any, tmp_path: Path, case: Case, ok: bool, says: str
) -> None:
    check = case(stack, session, tmp_path)
    assert check.ok is ok, check.line()
    assert says in check.line(), check.line()
    assert "\n" not in check.line() and ("— fix: " in check.line()) is (not ok)


def _environment(stack: LocalStack, database_url: str) -> dict[str, str | None]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stack.sandbox.api_url,
        "SLACK_APP_TOKEN": None,
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "DATABASE_URL": database_url,
    }


def test_tandem_doctor_is_green_on_a_healthy_setup_and_red_when_one_thing_is_not(
    database_url: str, session_factory: Any
) -> None:
    """The real command, on the wall clock (a clock that just ticked, a worker that sent everything)."""
    stack = LocalStack(database_url, migrate=False, engine=shared_engine(database_url)).start()
    try:
        admin_channel(stack, persona(stack, "Hana", is_admin=True))
        stack.tick()
        stack.worker.drain()
        env = _environment(stack, database_url)
        result = CliRunner().invoke(main, ["doctor", "--url", stack.base_url], env=env)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert [line.split(":")[0] for line in lines[:-1]] == [
            "✓ token kinds",
            "✓ settings",
            "✓ Slack bot token",
            "✓ scopes",
            "✓ request URL",
            "✓ database",
            "✓ admin channel",
            "✓ clock",
            "✓ outbox",
        ]
        assert lines[-1] == "all 9 checks hold"
        if stack.engine.dialect.name == "postgresql":  # who holds the clock's lock: this stack's clock
            assert "✓ clock: the lock is held by backend pid " in result.output

        stack.sandbox.granted_scopes = BOT_SCOPES.replace(",groups:write", "")
        result = CliRunner().invoke(main, ["doctor"], env=env)
        assert result.exit_code == 1
        assert "✗ scopes: missing groups:write" in result.output
        assert "– request URL: not checked (HTTP mode: give --url" in result.output
        assert "2 of 9 checks do not hold" in result.output
    finally:
        stack.stop()


def test_tandem_doctor_checks_each_installed_workspace_with_several(database_url: str, session_factory: Any) -> None:
    """Several workspaces (OAuth): each installed workspace's stored token, scopes and admin channel."""
    stack = LocalStack(database_url, migrate=False, oauth=True, engine=shared_engine(database_url))
    clear_slack_stores(shared_engine(database_url))
    stack.start()
    try:
        env = {
            **_environment(stack, database_url),
            "SLACK_BOT_TOKEN": None,
            "SLACK_CLIENT_ID": stack.sandbox.oauth.client_id,
            "SLACK_CLIENT_SECRET": stack.sandbox.oauth.client_secret,
        }
        stack.tick()
        result = CliRunner().invoke(main, ["doctor", "--url", stack.base_url], env=env)
        assert result.exit_code == 1 and "✗ workspaces: no workspace has installed Tandem yet" in result.output
        assert install(stack)[0] == 200
        admin_channel(stack, persona(stack, "Hana", is_admin=True))
        result = CliRunner().invoke(main, ["doctor", "--url", stack.base_url], env=env)
        assert result.exit_code == 0, result.output
        assert "✓ Slack bot token (T0TANDEM): team Tandem Sandbox" in result.output
        assert (
            "✓ scopes (T0TANDEM): all 16" in result.output
            and "✓ admin channel (T0TANDEM): #tandem-hosts" in result.output
        )
    finally:
        stack.stop()
        clear_slack_stores(shared_engine(database_url))
