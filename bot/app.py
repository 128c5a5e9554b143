"""The Bolt app: built once per process from settings, a session factory and a clock."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import register_all
from bot.slack.client import interactive_client


def build_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session],
    clock: Clock | None = None,
    client: WebClient | None = None,
    token_verification: bool = True,
) -> App:
    """Create the Bolt app with every listener, a database session per request and one error handler.

    Bolt runs each listener to its end (``process_before_response``), but in a listener thread: Slack gets its
    answer as soon as the listener calls ``ack()`` (``bot.handlers.middleware``), so work after the ack, like the
    few direct calls a person waits for, never delays it; the per-request session stays open for exactly as long
    as the listener runs.
    """
    settings.require_slack()
    client = client or interactive_client(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        token=None,  # the client carries the token (and the API URL)
        signing_secret=settings.slack_signing_secret,
        client=client,
        process_before_response=True,
        token_verification_enabled=token_verification,
        logger=logging.getLogger("tandem.bolt"),
    )
    register_all(app, session_factory=session_factory, clock=clock or SystemClock())
    return app
