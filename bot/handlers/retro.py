"""Retro rituals' listeners: the pair's "Fill in our retro" button, modal and quote consent buttons; the hosts'
"Post to community channel" and "Retro settings" buttons and the settings modal."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import retro as flow
from bot.handlers.admin import button, who
from bot.handlers.agreement import caller_ids, modal_submitted, show_answer
from bot.handlers.context import db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


def on_open(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.open_form(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        lookup=lambda uid: lookup_profile(client, uid),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_consent(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.consent(
        db(context),
        team_id=team_id,
        user_id=user_id,
        action_id=action["action_id"],
        value=str(action.get("value") or ""),
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_settings_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_settings(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.RETRO_OPEN.value)(on_open)
    app.view(ID.RETRO_MODAL.value)(modal_submitted(flow.submit_form))
    app.action(ID.RETRO_CONSENT_YES.value)(on_consent)
    app.action(ID.RETRO_CONSENT_NO.value)(on_consent)
    app.action(ID.RETRO_POST_QUOTE.value)(button(flow.post_quote))
    app.action(ID.RETRO_SETTINGS.value)(button(flow.settings_button))
    app.view(ID.RETRO_SETTINGS_MODAL.value)(on_settings_submit)
