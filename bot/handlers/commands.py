"""The ``/tandem`` slash command: participants' subcommands, and ``/tandem admin ...`` for hosts."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import admin, commands, rhythm
from bot.handlers import notes
from bot.handlers.admin import who
from bot.handlers.context import caller, db, now
from bot.slack.admin_port import SlackAdmin


def on_tandem(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    parsed = commands.parse(command.get("text"))
    # joining or hosting is itself the start of the conversation: no generic welcome DM on top
    participant = caller(context, client, welcome=parsed.name not in ("join", "admin"))
    if parsed.name == "admin":
        reply = admin.command(
            db(context),
            who(context, client, command.get("channel_id")),
            parsed.args,
            slack=SlackAdmin(client),
            now=now(context),
        )
        if reply.view is not None:
            client.views_open(trigger_id=command["trigger_id"], view=reply.view)
        if reply.message is not None:
            ack(response_type="ephemeral", **reply.message)
        else:
            ack()
        return
    if parsed.name == "join":
        ack(response_type="ephemeral", **commands.join(db(context), participant=participant, now=now(context)))
        return
    if parsed.name in notes.COMMANDS:  # note, notes, help-me
        notes.command(ack, command, context, client, participant)
        return
    if parsed.name in ("metric", "metrics", "metrik"):
        from bot.flows import impact

        ack(response_type="ephemeral", **impact.metric_command(db(context), participant=participant))
        return
    if parsed.name in ("card", "karte", "learning-card"):
        from bot.flows import cards

        ack(response_type="ephemeral", **cards.command(db(context), participant=participant))
        return
    if parsed.name in ("pause", "pausieren"):
        reply = rhythm.pause_command(db(context), participant=participant, args=parsed.args, now=now(context))
        ack(response_type="ephemeral", **reply)
        return
    ack(response_type="ephemeral", **commands.answer(parsed, locale=participant.locale))


def register(app: App) -> None:
    app.command("/tandem")(on_tandem)
