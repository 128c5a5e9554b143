"""Learning cards' listeners: *Write a learning card* (``/tandem card``, App Home), the card modal, and the draft's
Publish, Edit and Delete buttons (the author's DM, App Home)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import cards as flow
from bot.handlers.agreement import caller_ids, modal_submitted, show_answer
from bot.handlers.context import db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


def _in_view(body: dict[str, Any]) -> bool:
    """Clicked in App Home or a modal (no message to answer under)."""
    return (body.get("container") or {}).get("type") == "view" or bool(body.get("view"))


def on_open(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.open_form(
        db(context),
        team_id=team_id,
        user_id=user_id,
        in_view=_in_view(body),
        lookup=lambda uid: lookup_profile(client, uid),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_edit(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.open_edit(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        in_view=_in_view(body),
        lookup=lambda uid: lookup_profile(client, uid),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_publish(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.publish(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        bot_user_id=context.bot_user_id,
        slack=SlackAdmin(client),
        in_view=_in_view(body),
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_delete(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.delete(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        in_view=_in_view(body),
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def register(app: App) -> None:
    app.action(ID.CARD_OPEN.value)(on_open)
    app.view(ID.CARD_MODAL.value)(modal_submitted(flow.submit_form))
    app.action(ID.CARD_PUBLISH.value)(on_publish)
    app.action(ID.CARD_EDIT.value)(on_edit)
    app.action(ID.CARD_DELETE.value)(on_delete)
