"""The sandbox: a local Slack workspace that an unchanged Bolt app and slack_sdk's WebClient talk to.

* Web API at ``POST|GET /api/<method>`` (``api_url``): params from the query string, a form body or a JSON
  body; token from ``Authorization: Bearer`` or ``token``. Every call is checked with
  :func:`bot.sandbox.blockkit.check_call` and recorded in ``calls``. The methods the bot uses are implemented
  with state (see ``Sandbox._METHODS``); every other *known* method answers ``{"ok": true}`` and is recorded.
* ``GET /oauth/v2/authorize`` and ``oauth.v2.access``: installing the app over OAuth, and uninstalling it
  (``bot.sandbox.oauth``, ``Sandbox.oauth``). Calls are recorded with the token they used.
* ``POST /response/<token>``: response_url posts (ephemeral or in_channel, replace/delete original).
* ``POST /upload/<file_id>``: the upload URL handed out by ``files.getUploadURLExternal``.
* ``GET /files-pri/<team>-<file_id>/<name>``: a file's ``url_private``, for a request with a valid token in
  ``Authorization: Bearer`` (as Slack does; without one, Slack's HTML sign-in page). ``upload_as`` puts a file a
  member uploaded (what a ``file_input`` carries in ``view_submission``); downloads are recorded in ``downloads``.
* Members have e-mail addresses (``users.lookupByEmail``) and custom profile fields (``add_profile_field``,
  ``set_profile_field``; ``team.profile.get``, ``users.profile.get``).
* Deliveries to the app (``app_url``): events (with Slack's retries), slash commands, interactions and
  url_verification, signed with the signing secret and the real wall-clock time. They run on the calling
  thread; the HTTP handler never delivers anything, so a Bolt app may call the Web API while it handles a
  delivery.
* Socket Mode (``bot.sandbox.socket_mode``): ``apps.connections.open`` with the app-level token (``app_token``;
  a bot token is refused with ``not_allowed_token_type``, an unknown one with ``invalid_auth``) answers a one-time
  ``ws://127.0.0.1:<port>/link/?ticket=...``; the link says ``hello``, and from then on events, commands and
  interactions go as envelopes (``events_api``, ``slash_commands``, ``interactive``; not signed) instead of
  POSTs. An acknowledgement's payload is handled as the HTTP answer would be (a command's answer, a modal's
  ``response_action``); an event not acknowledged within ``event_timeout`` is sent again with ``retry_attempt``
  and ``retry_reason``. ``disconnect_socket("refresh_requested")`` makes the app reconnect,
  ``"link_disabled"`` ends Socket Mode (``link.envelopes`` and ``link.acks`` record the traffic).

Not modelled: the bot's own messages produce no events, ``app_mention`` is not derived from mentions,
Enterprise Grid, scopes (every call is allowed), legacy ``files.upload`` and multipart bodies; in Socket Mode,
the ``warning`` disconnect, Slack's own pings and several connections sharing the envelopes (the newest gets
them all), and ``apps.connections.open`` while Socket Mode is off (the first call turns it on).

Time in the workspace (message ts, trigger age, response_url age, users' UTC offsets) comes from ``clock``.

The parts, one job each: ``bot.sandbox.workspace`` (the state), ``bot.sandbox.webapi`` (the Web API's method table
and the app's other requests), ``bot.sandbox.transport`` (the HTTP server and signed requests),
``bot.sandbox.deliveries`` (events, commands, interactions, with retries), ``bot.sandbox.socket_mode`` (the
WebSocket side of Socket Mode), ``bot.sandbox.faults`` (injected errors, rate limits, stalls), ``bot.sandbox.common``
(what they share). :class:`Sandbox` puts them together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.sandbox.common import (
    BOT_SCOPES,
    MAX_VIEW_STACK,
    RESPONSE_URL_TTL,
    RESPONSE_URL_USES,
    TRIGGER_TTL,
    VERIFICATION_TOKEN,
    Delivery,
    SlackError,
)
from bot.sandbox.personas import Persona
from bot.sandbox.webapi import WebApi

__all__ = [
    "BOT_SCOPES",
    "MAX_VIEW_STACK",
    "RESPONSE_URL_TTL",
    "RESPONSE_URL_USES",
    "TRIGGER_TTL",
    "VERIFICATION_TOKEN",
    "Delivery",
    "Sandbox",
    "SlackError",
]


class Sandbox(WebApi):
    """A local Slack workspace. All state sits behind ``lock``; see the module docstring."""

    def __init__(
        self,
        *,
        signing_secret: str,
        bot_token: str = "xoxb-sandbox",
        app_token: str = "xapp-sandbox",
        clock: Clock | None = None,
        team_id: str = "T0TANDEM",
        team_domain: str = "tandem-sandbox",
        app_id: str = "A0TANDEM",
        bot_user_id: str = "U0TANDEMBOT",
        retries: int = 3,
        event_timeout: float = 3.0,
    ) -> None:
        super().__init__(
            signing_secret=signing_secret,
            bot_token=bot_token,
            app_token=app_token,
            clock=clock,
            team_id=team_id,
            team_domain=team_domain,
            app_id=app_id,
            bot_user_id=bot_user_id,
            retries=retries,
            event_timeout=event_timeout,
        )

    def persona(self, name_or_id: str) -> Persona:
        return Persona(self, self.find_user(name_or_id))

    # ------------------------------------------------------------------ helpers for tests and demos
    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
        """Poll ``predicate`` until it returns something truthy (Bolt runs listeners after the ack)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout:.1f} s")
            time.sleep(interval)
