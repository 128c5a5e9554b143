"""The ``/tandem`` slash command."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import commands
from bot.handlers.context import caller


def on_tandem(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    participant = caller(context, client)
    ack(
        response_type="ephemeral",
        **commands.answer(commands.parse(command.get("text")), locale=participant.locale),
    )


def register(app: App) -> None:
    app.command("/tandem")(on_tandem)
