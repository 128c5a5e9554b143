"""The ``/tandem`` slash command: participants' subcommands, and ``/tandem admin ...`` for hosts."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import admin, commands, rhythm
from bot.handlers import notes
from bot.handlers.admin import who
from bot.handlers.context import caller, db, now
from bot.models import Participant
from bot.slack.admin_port import SlackAdmin


def on_tandem(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    """The answer (shown only to the caller) is the acknowledgement; a modal opens after it, with the command's
    trigger. (Should the answer take longer than Slack waits, it follows through the response_url: see
    ``bot.handlers.middleware``.)"""
    parsed = commands.parse(command.get("text"))
    # joining or hosting is itself the start of the conversation: no generic welcome DM on top
    participant = caller(context, client, welcome=parsed.name not in ("join", "admin"))
    view, message = _reply(parsed, command, context, client, participant)
    if message is not None:
        ack(response_type="ephemeral", **message)
    else:
        ack()
    if view is not None:
        client.views_open(trigger_id=command["trigger_id"], view=view)


def _reply(
    parsed: commands.Command, command: dict, context: BoltContext, client: WebClient, participant: Participant
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(a view to open, a message to answer with) for one ``/tandem`` command."""
    if parsed.name == "admin":
        reply = admin.command(
            db(context),
            who(context, client, command.get("channel_id")),
            parsed.args,
            slack=SlackAdmin(client),
            now=now(context),
        )
        return reply.view, reply.message
    if parsed.name == "join":
        return None, commands.join(db(context), participant=participant, now=now(context))
    if parsed.name in notes.COMMANDS:  # note, notes, help-me
        reply = notes.command(command, context, participant)
        return reply.view, reply.message
    if parsed.name in ("metric", "metrics", "metrik"):
        from bot.flows import impact

        return None, impact.metric_command(db(context), participant=participant)
    if parsed.name in ("card", "karte", "learning-card"):
        from bot.flows import cards

        return None, cards.command(db(context), participant=participant)
    if parsed.name in ("pause", "pausieren"):
        return None, rhythm.pause_command(db(context), participant=participant, args=parsed.args, now=now(context))
    return None, commands.answer(parsed, locale=participant.locale)


def register(app: App) -> None:
    app.command("/tandem")(on_tandem)
