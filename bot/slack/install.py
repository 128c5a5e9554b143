"""Several workspaces (OAuth): slack_sdk's installation and state stores on Tandem's database, the bot scopes from
the manifest (``bot.manifest``), and the outbox worker's WebClient per workspace.

The stores' tables come from migration 0015 (never from ``create_tables``). In token mode (``SLACK_BOT_TOKEN``)
none of this is used except ``client_factory``, which then hands out the one token's client.

Tokens are stored encrypted with ``TANDEM_SECRET_KEY`` (:class:`EncryptedInstallationStore`; see
``bot.services.installs`` for plaintext rows written before, and for rotating the key).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, Table, Text
from sqlalchemy.types import TypeDecorator

from bot import crypto
from bot.config import Settings
from bot.manifest import SCOPES
from bot.services.installs import TOKEN_COLUMNS, TOKEN_PURPOSE
from bot.slack.client import outbox_client

log = logging.getLogger(__name__)

STATE_SECONDS = 600  # how long an install link's state is good for (Slack's own default)
TOKEN_TTL = 60.0  # seconds the worker keeps a workspace's token before asking the store again (a reinstall's new one)


@cache
def bot_scopes() -> tuple[str, ...]:
    """The bot scopes Tandem asks for: the manifest's (``bot.manifest.SCOPES``, the app's one definition)."""
    return tuple(SCOPES)


class EncryptedToken(TypeDecorator[str]):
    """A token column: encrypted with the process's key on the way in, decrypted on the way out. A plaintext value
    (written before encryption) reads as it is; one no listed key opens reads as no token (Slack then answers
    ``not_authed``, and the log says why, without the value)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None or crypto.is_encrypted(value):
            return value
        return crypto.keyring().encrypt_text(TOKEN_PURPOSE, str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return crypto.keyring().decrypt_text(TOKEN_PURPOSE, str(value))
        except crypto.CannotOpen:
            log.error("a stored Slack token cannot be decrypted: its key is not in TANDEM_SECRET_KEY")
            return None


def _encrypted(table: Table) -> Table:
    for name in TOKEN_COLUMNS[table.name]:
        table.c[name].type = EncryptedToken()
    return table


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store, its token columns encrypted at rest (``EncryptedToken``)."""

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypted(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypted(super().build_bots_table(metadata, table_name))


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """Installations and bot tokens per workspace (tables ``slack_installations``, ``slack_bots``), tokens
    encrypted with TANDEM_SECRET_KEY."""
    if not settings.slack_client_id:
        raise ValueError("the installation store needs SLACK_CLIENT_ID")
    return EncryptedInstallationStore(client_id=settings.slack_client_id, engine=engine)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """The one-time ``state`` of each install link (table ``slack_oauth_states``)."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)


class TokenClients:
    """``client_for(team_id)`` from the installation store: a client with the workspace's newest bot token, kept for
    ``ttl`` seconds. A workspace without one (never installed, uninstalled, token revoked) gets a client without a
    token, which Slack answers with ``not_authed``: the outbox parks the message."""

    def __init__(
        self,
        store: SQLAlchemyInstallationStore,
        *,
        base_url: str,
        ttl: float = TOKEN_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, WebClient]] = {}

    def token(self, team_id: str) -> str | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id) if team_id else None
        return bot.bot_token if bot is not None else None

    def __call__(self, team_id: str) -> WebClient:
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(team_id)
            if cached is not None and cached[0] > now:
                return cached[1]
        client = outbox_client(token=self.token(team_id), base_url=self.base_url)
        with self._lock:
            self._cache[team_id] = (now + self.ttl, client)
        return client


def client_factory(settings: Settings, engine: Engine) -> Callable[[str], WebClient]:
    """The outbox worker's ``client_for``: per workspace from the installation store (OAuth), or the one token."""
    if settings.multi_workspace:
        return TokenClients(installation_store(settings, engine), base_url=settings.slack_api_url)
    client = outbox_client(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    return lambda _team: client


# ---------------------------------------------------------------------------------------------- the install pages
def page_locale(accept_language: str | None) -> str:
    """The first language of the browser's Accept-Language that Tandem speaks, else English."""
    from bot.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES

    for part in (accept_language or "").split(","):
        lang = part.split(";")[0].strip().split("-")[0].lower()
        if lang in SUPPORTED_LOCALES:
            return lang
    return DEFAULT_LOCALE


def _page(locale: str, title: str, text: str, link: str, label: str) -> str:
    from bot.pages import render

    return render("install", locale=locale, title=title, text=text, link=link, label=label)


def success_page(locale: str, *, team_name: str | None, team_id: str | None, app_id: str | None) -> str:
    """What the person who installed Tandem sees at the end (HTML; the template escapes every value)."""
    from urllib.parse import urlencode

    from bot.i18n import plain

    link = "slack://app?" + urlencode({"team": team_id or "", "id": app_id or ""})
    return _page(
        locale,
        plain(locale, "install", "title_done"),
        plain(locale, "install", "done", team=team_name or team_id or "Slack"),
        link,
        plain(locale, "install", "open_slack"),
    )


def failure_page(locale: str, *, reason: str, install_path: str) -> str:
    """What the person sees when the installation failed (HTML, escaped), with a link to start again."""
    from bot.i18n import plain

    return _page(
        locale,
        plain(locale, "install", "title_failed"),
        plain(locale, "install", "failed", reason=reason),
        install_path,
        plain(locale, "install", "again"),
    )
