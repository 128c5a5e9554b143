"""The weekly rhythm's listeners: the prompt's four buttons and their modals, Home's break buttons and modal,
``/tandem pause``, and (from ``bot.handlers.events``) replies in a week's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import rhythm as flow
from bot.handlers.context import caller, db, now
from bot.handlers.home import publish_home
from bot.i18n import locale_from_slack
from bot.ids import ID
from bot.services import people
from bot.slack.profiles import lookup_profile


def on_thread_reply(event: dict[str, Any], context: BoltContext) -> None:
    flow.thread_reply(db(context), team_id=context.team_id or "", event=event, now=now(context))


def on_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """Someone Tandem has never met is not registered by a click: a click on a pair that is not theirs changes
    nothing at all."""
    ack()
    assert context.team_id and context.user_id
    participant = people.find_participant(db(context), team_id=context.team_id, user_id=context.user_id)
    locale = (
        participant.locale if participant else locale_from_slack(lookup_profile(client, context.user_id).slack_locale)
    )
    opened = flow.open_modal(
        db(context),
        participant=participant,
        locale=locale,
        action_id=action["action_id"],
        value=str(action.get("value") or ""),
        now=now(context),
    )
    if opened.view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=opened.view)
    elif opened.note is not None and context.respond is not None:
        context.respond(replace_original=False, response_type="ephemeral", **opened.note)


def on_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    errors = flow.submit(
        db(context),
        participant=caller(context, client),
        callback_id=view.get("callback_id") or "",
        view=view,
        now=now(context),
    )
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def on_pause_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    view = flow.pause_modal(caller(context, client), now=now(context))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_pause_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    participant = caller(context, client)
    errors = flow.submit_pause(db(context), participant=participant, view=view, now=now(context))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    publish_home(client, db(context), participant=participant, now=now(context))


def on_resume(ack: Ack, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    flow.resume(db(context), participant=participant, now=now(context))
    publish_home(client, db(context), participant=participant, now=now(context))


def register(app: App) -> None:
    for action_id in (ID.RHYTHM_ANSWER, ID.RHYTHM_AGREED, ID.RHYTHM_CANCEL, ID.RHYTHM_MOVE):
        app.action(action_id.value)(on_button)
    for callback_id in (ID.RHYTHM_ANSWER_MODAL, ID.RHYTHM_AGREED_MODAL, ID.RHYTHM_CANCEL_MODAL, ID.RHYTHM_MOVE_MODAL):
        app.view(callback_id.value)(on_submit)
    app.action(ID.RHYTHM_PAUSE.value)(on_pause_button)
    app.action(ID.RHYTHM_RESUME.value)(on_resume)
    app.view(ID.RHYTHM_PAUSE_MODAL.value)(on_pause_submit)
