"""Buttons and other block actions."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.help import help_modal
from bot.handlers.context import caller
from bot.ids import ID


def on_home_help(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    client.views_open(trigger_id=body["trigger_id"], view=help_modal(participant.locale))


def register(app: App) -> None:
    app.action(ID.HOME_HELP.value)(on_home_help)
