"""``tandem doctor``: checks a real setup and says in plain words what to fix.

Each check is a function returning a :class:`Check`: whether it holds (``ok``; None: it could not be made, and
``detail`` says why), what was found, and what to do when it does not hold. :func:`run` makes them in order, a check
that needs an earlier one (Slack's answer, the database) being "not checked" when that one failed. The command
(``bot.cli``) prints one line per check and exits 0 only when every check holds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot.config import ConfigError, Settings, load_settings
from bot.manifest import EVENTS_PATH, SCOPES

TIMEOUT = 10  # seconds for each request doctor makes
CLOCK_SILENT = timedelta(minutes=3)  # the clock ticks every minute: this long without a tick, it is not running
OUTBOX_WAIT = timedelta(minutes=5)  # a due message waiting this long: no worker is sending
PARKED_RECENT = timedelta(hours=24)  # parked messages this recent count as a problem to look at
TOKEN_KINDS = {
    "xoxb-": "a bot token",
    "xapp-": "an app-level token",
    "xoxp-": "a user token",
    "xoxe": "a refresh or config token",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not checked (detail says why)
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "–"}[self.ok]
        text = f"{mark} {self.name}: {self.detail}"
        return text + (f" — fix: {self.fix}" if self.fix and self.ok is not True else "")


def not_checked(name: str, why: str) -> Check:
    return Check(name, None, f"not checked ({why})")


# -- the environment -------------------------------------------------------------------------------------------
def raw_environment(names: tuple[str, ...] = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")) -> dict[str, str | None]:
    """The variables as the settings will read them (the environment first, then ``.env``), before any check."""
    from dotenv import dotenv_values

    dotenv = dotenv_values(".env") if Path(".env").is_file() else {}
    return {name: os.environ.get(name, dotenv.get(name)) for name in names}


def _kind(token: str) -> str:
    return next((kind for prefix, kind in TOKEN_KINDS.items() if token.startswith(prefix)), "not a Slack token")


def tokens(values: Mapping[str, str | None]) -> Check:
    """SLACK_BOT_TOKEN holds a bot token (xoxb-), SLACK_APP_TOKEN an app-level token (xapp-): named when swapped."""
    name = "token kinds"
    bot, app = (values.get("SLACK_BOT_TOKEN") or "").strip(), (values.get("SLACK_APP_TOKEN") or "").strip()
    if bot.startswith("xapp-") and app.startswith("xoxb-"):
        return Check(
            name,
            False,
            "SLACK_BOT_TOKEN and SLACK_APP_TOKEN are swapped (the bot token is in SLACK_APP_TOKEN)",
            "exchange their values: SLACK_BOT_TOKEN=xoxb-..., SLACK_APP_TOKEN=xapp-...",
        )
    problems, fixes = [], []
    if bot and not bot.startswith("xoxb-"):
        problems.append(f"SLACK_BOT_TOKEN holds {_kind(bot)}, not a bot token (xoxb-)")
        fixes.append("put the Bot User OAuth Token (OAuth & Permissions, xoxb-...) in SLACK_BOT_TOKEN")
    if app and not app.startswith("xapp-"):
        problems.append(f"SLACK_APP_TOKEN holds {_kind(app)}, not an app-level token (xapp-)")
        fixes.append("put an app-level token with connections:write (Basic Information, xapp-...) in SLACK_APP_TOKEN")
    if problems:
        return Check(name, False, "; ".join(problems), "; ".join(fixes))
    found = [f"{var} is {_kind(value)}" for var, value in (("SLACK_BOT_TOKEN", bot), ("SLACK_APP_TOKEN", app)) if value]
    return Check(name, True, ", ".join(found) if found else "no token set (several workspaces over OAuth?)")


def configuration(load: Callable[[], Settings] = load_settings) -> tuple[Check, Settings | None]:
    """The settings load, and hold what ``tandem serve``, ``worker`` and ``clock`` need."""
    name = "settings"
    try:
        settings = load()
        settings.require_slack()
        settings.require_secret_key()
    except ConfigError as exc:
        return Check(name, False, str(exc), "set the variable named (environment or .env); see the README"), None
    mode = "several workspaces (OAuth)" if settings.multi_workspace else "one workspace (SLACK_BOT_TOKEN)"
    serve = "Socket Mode" if settings.slack_app_token else "HTTP"
    return Check(name, True, f"{mode}, {serve}"), settings


# -- Slack -----------------------------------------------------------------------------------------------------
def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


REINSTALL = "reinstall the app to the workspace (Install App) and put its new Bot User OAuth Token in SLACK_BOT_TOKEN"


def slack_auth(client: WebClient) -> tuple[Check, Any]:
    """``auth.test`` with the bot token: the team and the bot user it belongs to."""
    name = "Slack bot token"
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = _slack_error(exc)
        fix = {
            "invalid_auth": REINSTALL + " (Slack does not know this token)",
            "token_revoked": REINSTALL + " (this one was revoked or the app uninstalled)",
            "account_inactive": REINSTALL + " (the token's workspace or app was deactivated)",
            "not_authed": "set SLACK_BOT_TOKEN",
        }.get(error, REINSTALL)
        return Check(name, False, f"auth.test failed: {error}", fix), None
    except Exception as exc:  # no answer at all
        return (
            Check(
                name,
                False,
                f"Slack did not answer at {client.base_url} ({_slack_error(exc)})",
                "check the network and SLACK_API_URL",
            ),
            None,
        )
    detail = (
        f"team {answer.get('team')} ({answer.get('team_id')}), bot user @{answer.get('user')} ({answer.get('user_id')})"
    )
    return Check(name, True, detail), answer


def granted_scopes(headers: Mapping[str, Any]) -> set[str] | None:
    """The scopes in Slack's ``X-OAuth-Scopes`` response header (any Web API answer has it), None when absent."""
    for key, value in headers.items():
        if key.lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) else str(value)
            return {s.strip() for s in text.split(",") if s.strip()}
    return None


def scopes(headers: Mapping[str, Any], wanted: tuple[str, ...] = tuple(SCOPES)) -> Check:
    """The token's granted scopes against the manifest's: missing ones fail, extra ones are a note."""
    name = "scopes"
    granted = granted_scopes(headers)
    if granted is None:
        return not_checked(name, "Slack's answer did not say which scopes the token has (no X-OAuth-Scopes header)")
    missing = [s for s in wanted if s not in granted]
    extra = sorted(granted - set(wanted))
    note = f"; note: also granted {', '.join(extra)}, which Tandem does not use" if extra else ""
    if missing:
        return Check(
            name,
            False,
            f"missing {', '.join(missing)}{note}",
            "update the app from `tandem manifest` (App Manifest) or add them under OAuth & Permissions, then reinstall"
            " the app and use its new bot token",
        )
    return Check(name, True, f"all {len(wanted)} the manifest asks for{note}")


def socket_mode(client: WebClient, app_token: str, *, timeout: float = TIMEOUT) -> Check:
    """``apps.connections.open`` with the app-level token answers with a Socket Mode URL, and the WebSocket there opens
    and says ``hello``."""
    name = "Socket Mode"
    try:
        answer = client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = _slack_error(exc)
        fix = {
            "not_allowed_token_type": "SLACK_APP_TOKEN must be an app-level token (xapp-), not a bot or user token",
            "invalid_auth": "create an app-level token with connections:write (Basic Information) for SLACK_APP_TOKEN",
            "token_revoked": "create a new app-level token with connections:write for SLACK_APP_TOKEN",
        }.get(error, "turn Socket Mode on in the app's settings (or use `tandem manifest`) and check SLACK_APP_TOKEN")
        return Check(name, False, f"apps.connections.open failed: {error}", fix)
    except Exception as exc:
        return Check(name, False, f"Slack did not answer ({_slack_error(exc)})", "check the network and SLACK_API_URL")
    url = str(answer.get("url") or "")
    if not url.startswith(("wss://", "ws://")):
        return Check(
            name, False, f"apps.connections.open answered without a WebSocket URL ({url!r})", "ask Slack support"
        )
    return _hello(name, url, timeout=timeout)


def _hello(name: str, url: str, *, timeout: float) -> Check:
    """Open the WebSocket Slack named and wait for its ``hello``, then close it (at once: while it is open, Slack may
    hand it a request meant for the running ``tandem serve``)."""
    from websockets.sync.client import connect

    try:
        with connect(url, open_timeout=timeout, close_timeout=1) as link:
            first = link.recv(timeout=timeout)
    except Exception as exc:
        return Check(
            name,
            False,
            f"apps.connections.open gave a URL, but its WebSocket did not open or say hello ({_slack_error(exc)})",
            "allow outgoing WebSocket connections (wss://, port 443) from this machine",
        )
    try:
        kind = json.loads(first).get("type")
    except (ValueError, AttributeError):
        kind = None
    if kind != "hello":
        return Check(
            name, False, f"the WebSocket's first message was not hello ({str(first)[:80]!r})", "ask Slack support"
        )
    return Check(name, True, "connected: Slack's WebSocket said hello")


def events_url(url: str) -> str:
    """The URL Slack sends requests to: ``url`` itself, or ``url`` + /slack/events when it has no path."""
    parts = urlsplit(url.strip())
    return url.strip().rstrip("/") + EVENTS_PATH if parts.path in ("", "/") else url.strip()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` under the signing secret."""
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def request_url(url: str, signing_secret: str, *, timeout: float = TIMEOUT) -> Check:
    """A signed ``url_verification`` request, as Slack sends when a request URL is saved: Tandem must answer with
    the challenge (it checks the signature first, so a wrong SLACK_SIGNING_SECRET shows here)."""
    name = "request URL"
    target = events_url(url)
    if urlsplit(target).scheme not in ("http", "https"):
        return Check(name, False, f"{url!r} is not an http(s) URL", "give --url https://your.host")
    challenge = secrets.token_urlsafe(16)
    body = json.dumps({"token": "tandem-doctor", "challenge": challenge, "type": "url_verification"}).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(signing_secret, timestamp, body),
            "User-Agent": "tandem-doctor",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, ""
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(
            name,
            False,
            f"nothing answers at {target} ({reason})",
            "start `tandem serve` and make that URL reach it (DNS, TLS, proxy)",
        )
    if status == 401:
        return Check(
            name,
            False,
            f"{target} refused a request signed with SLACK_SIGNING_SECRET (401)",
            "set SLACK_SIGNING_SECRET to the app's Signing Secret (Basic Information) where `tandem serve` runs, and"
            " check its clock",
        )
    try:
        echoed = json.loads(answer).get("challenge") if answer.strip().startswith("{") else answer.strip()
    except ValueError:
        echoed = None
    if status != 200 or echoed != challenge:
        return Check(
            name,
            False,
            f"{target} answered {status} without the challenge",
            f"point the URL at `tandem serve` ({EVENTS_PATH})",
        )
    plain = " (Slack itself sends only to https://)" if not target.startswith("https://") else ""
    return Check(name, True, f"{target} answers a signed url_verification with its challenge{plain}")


# -- the database ----------------------------------------------------------------------------------------------
def database(engine: Engine) -> Check:
    """The database answers and is migrated to the newest revision (alembic head)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config

    name = "database"
    where = engine.url.render_as_string(hide_password=True)
    file = engine.url.database if engine.dialect.name == "sqlite" else None
    if file and file != ":memory:" and not Path(file).is_file():  # connecting would make an empty one
        return Check(
            name,
            False,
            f"no SQLite file at {Path(file).resolve()}",
            "run Tandem in the folder that has it, or set DATABASE_URL; a new one: `tandem db upgrade`",
        )
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return Check(
            name,
            False,
            f"cannot connect to {where} ({_slack_error(exc)})",
            "check DATABASE_URL and that the database server runs",
        )
    heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
    if current == heads:
        return Check(name, True, f"{engine.dialect.name}, migrated to {', '.join(sorted(heads))} (head)")
    at = ", ".join(sorted(current)) or "no migration"
    return Check(name, False, f"at {at}, the newest is {', '.join(sorted(heads))}", "run `tandem db upgrade`")


def admin_channel(session: Session, client: WebClient, team_id: str) -> Check:
    """The workspace's admin channel is set up, visible to Tandem, private, not archived, not shared."""
    from bot.domain.hosts import ChannelProblem, ChannelStatus
    from bot.models import Workspace

    name = "admin channel"
    setup = "in a private channel, invite @Tandem and run `/tandem admin setup`"
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if workspace is None:
        return Check(
            name,
            False,
            f"the database knows no workspace {team_id} yet",
            f"open Tandem's Home tab in Slack (or run /tandem help), then {setup}",
        )
    if workspace.uninstalled_at is not None:
        return Check(name, False, f"workspace {team_id} is marked uninstalled", "install the app again")
    channel = workspace.admin_channel_id
    if not channel:
        return Check(name, False, "not set up", setup)
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        return Check(
            name,
            False,
            f"Tandem cannot see {channel} ({_slack_error(exc)})",
            f"invite @Tandem back into the channel, or {setup} in a new one",
        )
    problems = ChannelStatus.of(info).problems()
    if problems:
        words = {
            ChannelProblem.PUBLIC: ("is public", "make it private again"),
            ChannelProblem.ARCHIVED: ("is archived", "unarchive it"),
            ChannelProblem.SHARED: ("is shared with another workspace or organisation", "stop sharing it"),
        }
        return Check(
            name,
            False,
            f"#{info.get('name', channel)} ({channel}) {' and '.join(words[p][0] for p in problems)}: nobody is a host",
            "; ".join(words[p][1] for p in problems) + f" (or {setup} in a new one)",
        )
    return Check(name, True, f"#{info.get('name', channel)} ({channel}), private")


# -- the processes ---------------------------------------------------------------------------------------------
def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def clock(engine: Engine, now: datetime) -> Check:
    """Is a clock running? PostgreSQL: who holds the clock's advisory lock; every database: when it last ticked."""
    from bot.models import ClockTick
    from bot.scheduler import CLOCK_LOCK_KEY

    name = "clock"
    holder = ""
    with Session(engine) as session:
        last = session.scalar(select(func.max(ClockTick.ran_at)))
        if engine.dialect.name == "postgresql":
            row = session.execute(
                text(
                    "SELECT l.pid, a.application_name, host(a.client_addr), a.backend_start FROM pg_locks l"
                    " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    " AND l.classid::bigint = :hi AND l.objid::bigint = :lo"
                ),
                {"hi": CLOCK_LOCK_KEY >> 32, "lo": CLOCK_LOCK_KEY & 0xFFFF_FFFF},
            ).first()
            if row is None:
                return Check(
                    name,
                    False,
                    "no clock holds the clock's lock: none is running",
                    "start `tandem clock` (one is enough; more stand by)",
                )
            pid, app, addr, started = row
            holder = (
                f"the lock is held by backend pid {pid}"
                + (f" from {addr}" if addr else "")
                + (f" ({app})" if app else "")
                + (f" since {started:%Y-%m-%d %H:%M} UTC" if started else "")
            )
        else:
            holder = "SQLite: one clock, no lock"
    if last is None:
        return Check(name, False, f"{holder}; it has never ticked", "start `tandem clock`")
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last - now > timedelta(minutes=1):
        return Check(
            name,
            False,
            f"{holder}; the last tick is {_ago(last - now).removesuffix(' ago')} ahead of this machine's time",
            "set both machines' clocks right (NTP)",
        )
    if now - last > CLOCK_SILENT:
        return Check(
            name,
            False,
            f"{holder}; the last tick was {_ago(now - last)}",
            "start `tandem clock` (is it running, and on this DATABASE_URL?)",
        )
    return Check(name, True, f"{holder}; the last tick was {_ago(now - last)}")


def outbox(session: Session, now: datetime) -> Check:
    """The outbox's depth: due messages waiting (and since when), and messages parked recently."""
    from bot.models import OutboxMessage, OutboxStatus

    name = "outbox"
    due = (OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
    waiting, oldest = session.execute(select(func.count(), func.min(OutboxMessage.not_before)).where(*due)).one()
    since = now - PARKED_RECENT
    parked = session.execute(
        select(OutboxMessage.method, OutboxMessage.last_error, func.count())
        .where(OutboxMessage.status == OutboxStatus.PARKED, OutboxMessage.parked_at >= since)
        .group_by(OutboxMessage.method, OutboxMessage.last_error)
        .order_by(func.count().desc())
    ).all()
    parked_total = sum(count for _, _, count in parked)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    parts = [f"{waiting} due" + (f", the oldest for {_ago(now - oldest).removesuffix(' ago')}" if oldest else "")]
    parts.append(f"{parked_total} parked in the last 24 h")
    if parked:
        parts[-1] += " (" + ", ".join(f"{method}: {error} ×{count}" for method, error, count in parked[:3]) + ")"
    problems = []
    if oldest is not None and now - oldest > OUTBOX_WAIT:
        problems.append("run `tandem worker` (is one running, on this DATABASE_URL and with a working token?)")
    if parked_total:
        problems.append(
            "Slack refused the parked messages for good: fix what their errors name (a missing scope: reinstall;"
            " not_in_channel or channel_not_found: invite @Tandem back); they are not sent again"
        )
    return Check(name, not problems, "; ".join(parts), "; ".join(problems))


# -- everything ------------------------------------------------------------------------------------------------
def _one_token(settings: Settings) -> tuple[list[Check], WebClient, Any]:
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT)
    check, auth = slack_auth(client)
    return (
        [check, scopes(auth.headers) if auth is not None else not_checked("scopes", "auth.test failed")],
        client,
        auth,
    )


def _installed(settings: Settings, engine: Engine, session: Session) -> list[Check]:
    """Several workspaces (OAuth): for each workspace Tandem is installed in, its stored bot token, its scopes and
    its admin channel."""
    from bot.models import Workspace
    from bot.slack.install import installation_store

    store = installation_store(settings, engine)
    teams = list(session.scalars(select(Workspace.team_id).where(Workspace.uninstalled_at.is_(None))))
    if not teams:
        return [
            Check(
                "workspaces",
                False,
                "no workspace has installed Tandem yet",
                "open https://your.host/slack/install in a browser and approve the app",
            )
        ]
    checks = []
    for team in sorted(teams):
        bot = store.find_bot(enterprise_id=None, team_id=team)
        name = f"Slack bot token ({team})"
        if bot is None or not bot.bot_token:
            checks.append(
                Check(
                    name,
                    False,
                    "no stored installation with a bot token Tandem can read",
                    "install Tandem again from /slack/install (and check TANDEM_SECRET_KEY lists the key it was stored"
                    " under)",
                )
            )
            continue
        client = WebClient(token=bot.bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT)
        check, auth = slack_auth(client)
        checks.append(replace(check, name=name))
        if auth is None:
            checks.append(not_checked(f"scopes ({team})", "auth.test failed"))
            checks.append(not_checked(f"admin channel ({team})", "auth.test failed"))
            continue
        checks.append(replace(scopes(auth.headers), name=f"scopes ({team})"))
        checks.append(replace(admin_channel(session, client, team), name=f"admin channel ({team})"))
    return checks


def run(
    *,
    url: str | None = None,
    now: datetime | None = None,
    environment: Mapping[str, str | None] | None = None,
    load: Callable[[], Settings] = load_settings,
) -> list[Check]:
    """Every check, in order; later ones are "not checked" when what they need failed."""
    from bot.db import make_engine

    now = now or datetime.now(UTC)
    checks = [tokens(environment if environment is not None else raw_environment())]
    config, settings = configuration(load)
    checks.append(config)
    if settings is None:
        return checks + [not_checked(n, "the settings do not load") for n in ("Slack", "database")]
    auth: Any = None
    if not settings.multi_workspace:
        found, client, auth = _one_token(settings)
        checks += found
    if settings.slack_app_token:
        app_client = WebClient(base_url=settings.slack_api_url, timeout=TIMEOUT)
        checks.append(socket_mode(app_client, settings.slack_app_token))
    elif url:
        checks.append(request_url(url, settings.slack_signing_secret or ""))
    else:
        checks.append(
            not_checked("request URL", "HTTP mode: give --url https://your.host, the address in the app's request URLs")
        )
    engine = make_engine(settings.database_url)
    try:
        db = database(engine)
        checks.append(db)
        if not db.ok:
            return checks + [not_checked(n, "the database is not ready") for n in ("admin channel", "clock", "outbox")]
        with Session(engine) as session:
            if settings.multi_workspace:
                checks += _installed(settings, engine, session)
            elif auth is not None:
                checks.append(admin_channel(session, client, str(auth["team_id"])))
            else:
                checks.append(not_checked("admin channel", "no working bot token to ask Slack with"))
            checks.append(clock(engine, now))
            checks.append(outbox(session, now))
    finally:
        engine.dispose()
    return checks
