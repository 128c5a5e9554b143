"""Anonymous mood polls' listeners: "Answer the pulse" and its modal (which turns into a thank-you, so an answer
leaves no message behind); the hosts' "Pulse settings" button and modal."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import polls as flow
from bot.handlers.admin import button, who
from bot.handlers.agreement import caller_ids, show_answer
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
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    team_id, user_id = caller_ids(context)
    submitted = flow.submit_form(
        db(context),
        team_id=team_id,
        user_id=user_id,
        view=view,
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    if submitted.errors:
        ack(response_action="errors", errors=submitted.errors)
    elif submitted.view is not None:
        ack(response_action="update", view=submitted.view)
    else:
        ack()


def on_settings_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_settings(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.POLL_OPEN.value)(on_open)
    app.view(ID.POLL_MODAL.value)(on_submit)
    app.action(ID.POLL_SETTINGS.value)(button(flow.settings_button))
    app.view(ID.POLL_SETTINGS_MODAL.value)(on_settings_submit)
