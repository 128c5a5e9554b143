"""The Bolt app: built once per process from settings, a session factory and a clock."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import logs
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers.adapter import register_all
from bot.slack.client import interactive_client

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


# The Bolt App's name: the loggers it derives per request and listener are named after it, so it sits under
# ``tandem.slack`` (``bot.logs.LIBRARIES``: never below INFO, bodies withheld)
APP_NAME = "tandem.slack.app"


def build_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session],
    clock: Clock | None = None,
    client: WebClient | None = None,
    token_verification: bool = True,
    engine: Engine | None = None,
) -> App:
    """Create the Bolt app with every listener, a database session per request and one error handler.

    Bolt runs each listener to its end (``process_before_response``), but in a listener thread: Slack gets its
    answer as soon as the listener calls ``ack()`` (``bot.handlers.middleware``), so work after the ack, like the
    few direct calls a person waits for, never delays it; the per-request session stays open for exactly as long
    as the listener runs.

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, workspaces install Tandem over OAuth (``/slack/install``,
    ``/slack/oauth_redirect``) and each request runs with its workspace's token from the installation store;
    otherwise every request uses SLACK_BOT_TOKEN.
    """
    settings.require_slack()
    clock = clock or SystemClock()
    oauth_settings = None
    if settings.multi_workspace:
        # no token of its own: Bolt gives each request a client with its workspace's token (and this base URL)
        client = client or interactive_client(token=None, base_url=settings.slack_api_url)
        oauth_settings = _oauth_settings(
            settings,
            engine=engine if engine is not None else session_factory.kw["bind"],
            session_factory=session_factory,
            clock=clock,
        )
    client = client or interactive_client(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        token=None,  # the client carries the token (and the API URL)
        signing_secret=settings.slack_signing_secret,
        client=client,
        oauth_settings=oauth_settings,
        process_before_response=True,
        token_verification_enabled=token_verification,
        logger=logs.guarded("bolt"),  # never below INFO, bodies withheld: Bolt logs its responses' bodies at DEBUG
        name=APP_NAME,  # the loggers Bolt derives per request and listener are named after it: Slack's, guarded too
    )
    register_all(app, session_factory=session_factory, clock=clock)
    return app


def _oauth_settings(
    settings: Settings, *, engine: Engine, session_factory: sessionmaker[Session], clock: Clock
) -> OAuthSettings:
    from bot.slack import install

    def page(args: SuccessArgs | FailureArgs, status: int, body: str) -> BoltResponse:
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
        }
        return BoltResponse(status=status, headers=headers, body=body)

    def locale(args: SuccessArgs | FailureArgs) -> str:
        return install.page_locale(next(iter(args.request.headers.get("accept-language") or []), None))

    def success(args: SuccessArgs) -> BoltResponse:
        try:
            _installed(args, settings=settings, session_factory=session_factory, clock=clock)
        except Exception:
            log.exception("an installation was stored but its workspace could not be recorded")
            return failure(
                FailureArgs(
                    request=args.request,
                    reason="storage_error",
                    suggested_status_code=500,
                    settings=args.settings,
                    default=args.default,
                )
            )
        i = args.installation
        return page(
            args, 200, install.success_page(locale(args), team_name=i.team_name, team_id=i.team_id, app_id=i.app_id)
        )

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an installation failed: %s", args.reason)
        body = install.failure_page(locale(args), reason=args.reason, install_path=args.settings.install_path)
        return page(args, args.suggested_status_code, body)

    assert settings.slack_client_id and settings.slack_client_secret
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(install.bot_scopes()),
        user_scopes=[],
        redirect_uri=settings.slack_oauth_redirect_uri,
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,  # /slack/install sends the browser straight on to Slack
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.slack_authorize_url,
        callback_options=CallbackOptions(success=success, failure=failure),
        installation_store=install.installation_store(settings, engine),
        installation_store_bot_only=True,  # Tandem asks for no user scopes; a revoked bot token is gone at once
        state_store=install.state_store(engine),
        state_expiration_seconds=install.STATE_SECONDS,
        logger=logs.guarded("oauth"),
    )


def _installed(args: SuccessArgs, *, settings: Settings, session_factory: sessionmaker[Session], clock: Clock) -> None:
    """The installation is in the store: record the workspace (created, or refreshed and no longer uninstalled) and
    welcome whoever installed Tandem with the welcome DM everyone gets, unless Tandem wrote to them before (asked
    of Slack: nothing about them is stored)."""
    from bot.services import installs, people
    from bot.slack import direct
    from bot.slack.profiles import lookup_profile

    installation = args.installation
    team_id = installation.team_id
    if not team_id:  # an org-wide (Enterprise Grid) install: not supported (org_deploy_enabled is off)
        log.warning("an installation without a workspace was stored and is not used")
        return
    with session_factory() as session:
        installs.installed(
            session,
            team_id=team_id,
            name=installation.team_name,
            bot_user_id=installation.bot_user_id,
            now=clock.now(),
        )
        if not installation.user_id:
            return
        installer_id = installation.user_id
        installs.forget_installer(session, team_id=team_id)  # who installed Tandem is not kept
        client = interactive_client(token=installation.bot_token, base_url=settings.slack_api_url)
        try:
            installer = people.person(
                session,
                team_id=team_id,
                user_id=installer_id,
                bot_user_id=installation.bot_user_id,
                lookup=lambda uid: lookup_profile(client, uid),
                now=clock.now(),
            )
            direct.welcome_once(
                client,
                user_id=installer_id,
                bot_user_id=installation.bot_user_id,
                locale=installer.locale,
                name=installer.display_name,
            )
        except Exception:  # Slack did not tell us who it was, or took no message: they meet Tandem later
            session.rollback()
            log.warning("the installer could not be welcomed", exc_info=True)
