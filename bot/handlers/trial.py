"""The trial check-in's two buttons in a partner's DM: Continue and Switch."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import trial as flow
from bot.handlers.context import db, now
from bot.ids import ID
from bot.slack.profiles import lookup_profile


def on_answer(ack: Ack, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    assert context.team_id and context.user_id
    message, replace = flow.click(
        db(context),
        team_id=context.team_id,
        user_id=context.user_id,
        switch=action["action_id"] == ID.TRIAL_SWITCH,
        value=str(action.get("value") or ""),
        lookup=lambda user_id: lookup_profile(client, user_id),
        now=now(context),
    )
    if context.respond is None:
        return
    if replace:
        context.respond(replace_original=True, **message)
    else:
        context.respond(replace_original=False, response_type="ephemeral", **message)


def register(app: App) -> None:
    app.action(ID.TRIAL_CONTINUE.value)(on_answer)
    app.action(ID.TRIAL_SWITCH.value)(on_answer)
