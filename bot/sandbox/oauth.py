"""The sandbox's side of installing an app over OAuth, as Slack plays it.

* ``GET /oauth/v2/authorize`` (``authorize_url``): Slack's approval page. Given ``client_id``, ``scope``, ``state``
  and (optionally) ``redirect_uri`` and ``team``, the installing person "approves" at once and the browser is
  redirected to the app's redirect URL with a one-time ``code`` (10 minutes) and the ``state``. Set ``deny_next``
  to have the next one refused (``error=access_denied``).
* ``oauth.v2.access``: the app exchanges the code (with its client id and secret, in HTTP Basic auth as slack_sdk
  sends them) for a NEW bot token of the team; ``auth.test`` answers for that team.
* Every Web API method accepts the tokens issued here besides the sandbox's configured bot token; a revoked one
  gets ``token_revoked``. ``auth.revoke`` revokes the calling token.
* ``uninstall(team_id)``: revokes the team's tokens and delivers signed ``tokens_revoked`` and ``app_uninstalled``
  events to the app, as Slack does when someone removes the app.

Teams: the sandbox's own (``Sandbox.team_id``), and more with ``add_team``; they share the sandbox's one world of
users and conversations (only the team id and name in tokens and events differ).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.pages import render
from bot.sandbox.common import VERIFICATION_TOKEN, Delivery, SlackError

if TYPE_CHECKING:
    from bot.sandbox.deliveries import Deliveries

CLIENT_ID = "1000000000.2000000000"  # the sandbox app's client id and secret (Settings > Basic Information)
CLIENT_SECRET = "sandbox-client-secret"
CODE_TTL = timedelta(minutes=10)
METHODS = frozenset({"oauth.v2.access", "auth.test", "auth.revoke"})  # answered here
NO_TOKEN_METHODS = frozenset({"oauth.v2.access"})  # the app's client id and secret instead of a token


@dataclass
class IssuedToken:
    token: str
    team_id: str
    scope: str
    installer: str
    issued_at: datetime
    revoked: bool = False


def basic_credentials(authorization: str | None) -> dict[str, str]:
    """``client_id`` and ``client_secret`` from an ``Authorization: Basic`` header (oauth.v2.access), else {}."""
    if not authorization or not authorization.lower().startswith("basic "):
        return {}
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, _, client_secret = decoded.partition(":")
    return {"client_id": client_id, "client_secret": client_secret}


def redacted(credentials: dict[str, str]) -> dict[str, str]:
    """Credentials as the call record keeps them: the secret never."""
    return {k: ("(redacted)" if k == "client_secret" else v) for k, v in credentials.items()}


class SandboxOAuth:
    """OAuth state of one sandbox; every method runs under ``sandbox.lock`` (the Web API's) or takes it."""

    def __init__(self, sandbox: Deliveries, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.sandbox = sandbox
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_url: str | None = None  # the app's configured Redirect URL (used when none is asked for)
        self.installer: str | None = None  # who approves; default: the first workspace admin, else the first person
        self.deny_next = False
        self.configured_token_revoked = False  # the sandbox's own bot token, after its team uninstalled the app
        self.teams: dict[str, str] = {sandbox.team_id: "Tandem Sandbox"}  # team id -> name
        self.tokens: dict[str, IssuedToken] = {}
        self.approvals: list[dict[str, Any]] = []  # what the authorize page approved, in order
        self._codes: dict[str, dict[str, Any]] = {}

    @property
    def authorize_url(self) -> str:
        """Where an app sends people to install it (``SLACK_AUTHORIZE_URL``)."""
        return self.sandbox.base_url + "oauth/v2/authorize"

    def add_team(self, team_id: str, name: str) -> None:
        with self.sandbox.lock:
            self.teams[team_id] = name

    def tokens_of(self, team_id: str, *, live: bool = True) -> list[str]:
        """The bot tokens issued for ``team_id``, oldest first (only those not revoked, unless ``live`` is False)."""
        with self.sandbox.lock:
            return [t.token for t in self.tokens.values() if t.team_id == team_id and (not live or not t.revoked)]

    # ------------------------------------------------------------------ the browser: Slack's approval page
    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """``GET /oauth/v2/authorize``: (HTTP status, headers, HTML body)."""
        with self.sandbox.lock:
            if query.get("client_id") != self.client_id:
                return self._page(400, "invalid_client_id")
            redirect = query.get("redirect_uri") or self.redirect_url
            if not redirect or (self.redirect_url and redirect != self.redirect_url):
                return self._page(400, "bad_redirect_uri")
            team_id = query.get("team") or self.sandbox.team_id
            if team_id not in self.teams:
                return self._page(400, "invalid_team")
            state = query.get("state", "")
            if self.deny_next:
                self.deny_next = False
                return self._redirect(redirect, {"error": "access_denied", "state": state})
            code = f"{self.sandbox._next('oauth-code')}.{secrets.token_hex(12)}"
            self._codes[code] = {
                "team_id": team_id,
                "scope": query.get("scope", ""),
                "redirect_uri": query.get("redirect_uri"),
                "installer": self._installer(),
                "issued_at": self.sandbox._now(),
            }
            self.approvals.append({"team_id": team_id, "scope": query.get("scope", ""), "state": state})
            return self._redirect(redirect, {"code": code, "state": state})

    def _installer(self) -> str:
        if self.installer:
            return self.installer
        people = [u for u in self.sandbox._users.values() if not u["is_bot"] and not u["deleted"]]
        admins = [u for u in people if u["is_admin"] or u["is_owner"]]
        if admins or people:
            return (admins or people)[0]["id"]
        return self.sandbox.add_user("installer", real_name="Installer", is_admin=True)

    @staticmethod
    def _redirect(url: str, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        location = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return 302, {"Location": location}, ""

    @staticmethod
    def _page(status: int, error: str) -> tuple[int, dict[str, str], str]:
        return status, {}, render("sandbox_error", error=error)

    # ------------------------------------------------------------------ the Web API
    def team_of(self, token: str) -> str:
        """The team a token belongs to; raises Slack's error for one it does not know or that was revoked."""
        if token == self.sandbox.bot_token:
            if self.configured_token_revoked:
                raise SlackError("token_revoked")
            return self.sandbox.team_id
        issued = self.tokens.get(token)
        if issued is None:
            raise SlackError("invalid_auth")
        if issued.revoked:
            raise SlackError("token_revoked")
        return issued.team_id

    def call(
        self, method: str, args: dict[str, Any], token: str | None, own: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """``oauth.v2.access``, ``auth.test`` and ``auth.revoke`` (under the lock, the token already checked).
        ``own``: the sandbox's answer to ``auth.test`` for its own team, which a token of another team adjusts."""
        if method == "oauth.v2.access":
            return self._access(args)
        assert token is not None
        if method == "auth.revoke":
            test = str(args.get("test", "")).lower() in ("1", "true")
            if not test and token in self.tokens:
                self.tokens[token].revoked = True
            return {"revoked": not test}
        result = dict(own or {})
        team_id = self.team_of(token)
        result.update({"team_id": team_id, "team": self.teams.get(team_id, result["team"])})
        return result

    def _access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("client_id") != self.client_id:
            raise SlackError("invalid_client_id")
        if args.get("client_secret") != self.client_secret:
            raise SlackError("bad_client_secret")
        grant = self._codes.pop(str(args.get("code") or ""), None)  # one use, even when it fails below
        if grant is None or self.sandbox._now() - grant["issued_at"] > CODE_TTL:
            raise SlackError("invalid_code")
        if grant["redirect_uri"] and args.get("redirect_uri") != grant["redirect_uri"]:
            raise SlackError("bad_redirect_uri")
        team_id = grant["team_id"]
        token = f"xoxb-{team_id}-{self.sandbox._next('oauth-token')}-{secrets.token_hex(12)}"
        self.tokens[token] = IssuedToken(
            token=token,
            team_id=team_id,
            scope=grant["scope"],
            installer=grant["installer"],
            issued_at=self.sandbox._now(),
        )
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": grant["scope"],
            "bot_user_id": self.sandbox.bot_user_id,
            "app_id": self.sandbox.app_id,
            "team": {"id": team_id, "name": self.teams[team_id]},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": grant["installer"]},
        }

    # ------------------------------------------------------------------ removing the app
    def uninstall(self, team_id: str | None = None) -> list[Delivery]:
        """Someone removed the app from ``team_id`` (default: the sandbox's team): its tokens (the configured one
        too, for the sandbox's team) stop working, and the app gets ``tokens_revoked`` and ``app_uninstalled``."""
        sandbox = self.sandbox
        team_id = team_id or sandbox.team_id
        with sandbox.lock:
            for issued in self.tokens.values():
                if issued.team_id == team_id:
                    issued.revoked = True
            if team_id == sandbox.team_id:
                self.configured_token_revoked = True
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [sandbox.bot_user_id]}}
        return [
            self.deliver(revoked, team_id=team_id),
            self.deliver({"type": "app_uninstalled"}, team_id=team_id),
        ]

    def deliver(self, event: dict[str, Any], *, team_id: str) -> Delivery:
        """An event of ``team_id`` in its signed ``event_callback`` envelope, with Slack's retries."""
        sandbox = self.sandbox
        with sandbox.lock:
            event = {**event, "event_ts": sandbox.next_ts()}
            event_id = f"Ev{sandbox._next('event'):08d}"
            envelope = {
                "token": VERIFICATION_TOKEN,
                "team_id": team_id,
                "context_team_id": team_id,
                "api_app_id": sandbox.app_id,
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(sandbox._now().timestamp()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": team_id,
                        "user_id": sandbox.bot_user_id,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": f"4-sandbox-{event_id}",
            }
        body = json.dumps(envelope).encode("utf-8")
        return sandbox._send("event", envelope, body, "application/json", retries=sandbox.retries, event_id=event_id)
