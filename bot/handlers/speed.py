"""Speed dating: the hosts' modal and program-card button, and participants' answers on their cards."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import speed as flow
from bot.handlers.admin import button, who
from bot.handlers.context import caller, db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin


def on_answer(ack: Ack, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    card, note = flow.answer(
        db(context), caller(context, client), action["action_id"], str(action.get("value") or ""), now=now(context)
    )
    if context.respond is None:
        return
    if card is not None:
        context.respond(replace_original=True, **card)
    if note is not None:
        context.respond(replace_original=False, response_type="ephemeral", **note)


def on_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit(db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context))
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    for action_id in (ID.SPEED_YES, ID.SPEED_MAYBE, ID.SPEED_NO):
        app.action(action_id.value)(on_answer)
    app.action(ID.SPEED_START.value)(button(flow.program_button))
    app.view(ID.SPEED_MODAL.value)(on_submit)
