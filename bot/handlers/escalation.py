"""Escalations: "I need help" (button and modal; ``/tandem help-me`` arrives through bot.handlers.commands), and
the hosts' "Answer" button and modal in the admin channel."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import escalation as flow
from bot.handlers.admin import button, who
from bot.handlers.context import caller, db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin


def on_help_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    view = flow.open_help(db(context), participant=caller(context, client))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_help_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    errors, sent = flow.submit_help(db(context), participant=caller(context, client), view=view, now=now(context))
    if errors:
        ack(response_action="errors", errors=errors)
    elif sent is not None:
        ack(response_action="update", view=sent)
    else:
        ack()


def on_answer_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_answer(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.HELP_ME.value)(on_help_button)
    app.view(ID.HELP_ME_MODAL.value)(on_help_submit)
    app.action(ID.ESCALATION_ANSWER.value)(button(flow.open_answer))
    app.view(ID.ESCALATION_ANSWER_MODAL.value)(on_answer_submit)
