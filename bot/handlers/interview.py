"""The onboarding interview's buttons and modals, "Continue", and the profile editor from App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import interview
from bot.flows.interview import MessageRef
from bot.handlers.context import caller, db, now
from bot.handlers.home import publish_home
from bot.ids import ID
from bot.slack import direct


def _clicked(body: dict[str, Any]) -> MessageRef | None:
    """The message whose button was clicked (None for buttons in views)."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return None
    return MessageRef.of({"channel": container.get("channel_id"), "ts": container.get("message_ts")})


def on_choice(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    note = interview.choose(
        db(context),
        participant=caller(context, client),
        action_id=action["action_id"],
        value=action.get("value") or "",
        clicked=_clicked(body),
        now=now(context),
    )
    if note is not None and context.respond is not None:
        context.respond(replace_original=False, response_type="ephemeral", **note)


def on_skip(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    note = interview.skip(
        db(context),
        participant=caller(context, client),
        value=action.get("value") or "",
        clicked=_clicked(body),
        now=now(context),
    )
    if note is not None and context.respond is not None:
        context.respond(replace_original=False, response_type="ephemeral", **note)


def on_open(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    view, note = interview.open_step(
        db(context),
        participant=caller(context, client),
        value=action.get("value") or "",
        clicked=_clicked(body),
        now=now(context),
    )
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    if note is not None and context.respond is not None:
        context.respond(replace_original=False, response_type="ephemeral", **note)


def on_continue(ack: Ack, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    note = interview.continue_interview(
        db(context), participant=participant, value=action.get("value"), now=now(context)
    )
    if note is None:
        return
    if context.respond is not None:  # from a message: shown to the clicker alone
        context.respond(replace_original=False, response_type="ephemeral", **note)
    else:  # from App Home: a DM, sent at once (nothing stored)
        direct.answer(client, channel=direct.dm_channel(client, participant.slack_user_id), message=note)


def on_step_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    errors = interview.submit_step(db(context), participant=caller(context, client), view=view, now=now(context))
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def on_profile_edit(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    client.views_open(trigger_id=body["trigger_id"], view=interview.profile_form(db(context), participant=participant))


def on_profile_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    participant = caller(context, client)
    errors = interview.save_profile(db(context), participant=participant, view=view, now=now(context))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    publish_home(client, db(context), participant=participant, now=now(context))


def register(app: App) -> None:
    for action_id in interview.CHOICES:
        app.action(action_id)(on_choice)
    app.action(ID.INTERVIEW_OPEN.value)(on_open)
    app.action(ID.INTERVIEW_SKIP.value)(on_skip)
    app.action(ID.INTERVIEW_SETTINGS_CHANGE.value)(on_open)
    app.action(ID.INTERVIEW_CONTINUE.value)(on_continue)
    app.action(ID.PROFILE_EDIT.value)(on_profile_edit)
    app.view(ID.INTERVIEW_MODAL.value)(on_step_submit)
    app.view(ID.PROFILE_MODAL.value)(on_profile_submit)
