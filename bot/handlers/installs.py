"""Slack telling Tandem it was uninstalled from a workspace (``app_uninstalled``) or that its tokens there were
revoked (``tokens_revoked``).

With several workspaces (OAuth) the workspace's installation leaves the installation store, as Bolt's own
token-revocation listeners do it, and Tandem stops acting there (``bot.services.installs``) until a reinstall.
With one workspace (SLACK_BOT_TOKEN) there is nothing to clean up: the event is logged and acknowledged.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.handlers.context import db, now
from bot.services import installs

log = logging.getLogger(__name__)


def register(app: App) -> None:
    store = app.installation_store
    revocation = TokenRevocationListeners(store) if store is not None else None

    def gone(context: BoltContext, why: str) -> None:
        team_id = context.team_id or ""
        if revocation is None:
            log.warning("%s: the bot token of this workspace no longer works; set a new SLACK_BOT_TOKEN", why)
            return
        revocation.handle_app_uninstalled_events(context)  # every installation and bot token of the workspace
        parked = installs.uninstalled(db(context), team_id=team_id, now=now(context))
        log.info("%s: installation removed, %d queued messages parked", why, parked)

    def on_app_uninstalled(context: BoltContext) -> None:
        gone(context, "app uninstalled")

    def on_tokens_revoked(event: dict, context: BoltContext) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):  # without its bot token Tandem can do nothing here: as good as uninstalled
            gone(context, "bot token revoked")
        elif revocation is not None:
            revocation.handle_tokens_revoked_events(event, context)  # user tokens (Tandem asks for none)

    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
