"""One error handler: log the failure, tell the person in their language, never show a traceback."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.common import error_message
from bot.i18n import locale_from_slack
from bot.services import people
from bot.slack.profiles import lookup_profile

log = logging.getLogger("tandem.errors")


def _user_id(body: dict[str, Any]) -> str | None:
    if "user_id" in body:  # slash command
        return body["user_id"]
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return event["user"]
    return None


def register(app: App, *, session_factory: sessionmaker[Session]) -> None:
    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> BoltResponse | None:
        log.exception(
            "listener failed (team=%s kind=%s)",
            context.team_id,
            body.get("type") or body.get("command"),
            exc_info=error,
        )
        user_id = _user_id(body)
        if not user_id:
            return None
        locale = "en"
        try:
            with session_factory() as session:
                found = people.find_participant(session, team_id=context.team_id or "", user_id=user_id)
                if found is not None:
                    locale = found.locale
                else:  # someone Tandem does not store: their Slack language
                    locale = locale_from_slack(lookup_profile(client, user_id).slack_locale)
        except Exception:  # the database (or Slack) may be what failed
            log.warning("could not look up the locale of the failing request's user")
        message = error_message(locale)
        if "command" in body and context.ack.response is None and not getattr(context.ack, "too_late", False):
            # A slash command not yet acknowledged: the answer is the HTTP response itself, shown only to the caller.
            return BoltResponse(status=200, body={"response_type": "ephemeral", **message})
        try:
            if body.get("response_url") and context.respond is not None:
                context.respond(response_type="ephemeral", **message)
            else:
                client.chat_postMessage(channel=user_id, **message)
        except Exception:
            log.warning("could not tell the user about the failure")
        if body.get("type") == "view_submission":
            # A non-200 keeps the modal open with Slack's own error line: nothing typed is lost.
            return None
        # The person was told; a 200 stops Slack from redelivering the same failing event.
        return BoltResponse(status=200, body="")
