"""Notes: ``/tandem note`` / ``notes`` / ``help-me`` (from bot.handlers.commands), "Add a note", the message
shortcut "Save to Tandem notes", the note modal, "Mark red" / "Lift red" and "Export my notes"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.flows import notes as flow
from bot.flows.common import as_int
from bot.handlers import escalation
from bot.handlers.context import caller, db, now
from bot.handlers.home import publish_home
from bot.i18n import locale_from_slack
from bot.ids import ID
from bot.models import Participant

COMMANDS = flow.COMMANDS


def command(command: dict, context: BoltContext, participant: Participant) -> Any:
    """``/tandem note …``, ``/tandem notes …`` and ``/tandem help-me``: the reply (a view to open and/or a message)."""
    name, _, args = (command.get("text") or "").strip().partition(" ")
    return flow.command(
        db(context),
        participant=participant,
        name=name.lower(),
        args=args.strip(),
        channel_id=command.get("channel_id"),
        now=now(context),
    )


def _from_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def on_add(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    value = str(action.get("value") or "")
    view = flow.open_modal(
        db(context),
        participant=caller(context, client),
        source="home" if _from_home(body) else "button",
        pair_id=as_int(value),
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:  # a conversation Tandem cannot see: the note keeps the text without the link
        return None


def on_shortcut(ack: Ack, shortcut: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    view = flow.shortcut(
        db(context),
        participant=caller(context, client),
        message=message,
        permalink=_permalink(client, channel, message.get("ts") or shortcut.get("message_ts")),
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def on_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    participant = caller(context, client)
    errors, saved, source = flow.submit(db(context), participant=participant, view=view, now=now(context))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if saved is None:
        ack()
        return
    ack(response_action="update", view=saved)
    if source == "home":
        publish_home(client, db(context), participant=participant, now=now(context))


def on_toggle_red(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    message = flow.toggle_red(
        db(context), participant=participant, value=str(action.get("value") or ""), now=now(context)
    )
    if _from_home(body):
        publish_home(client, db(context), participant=participant, now=now(context))
    elif context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=False, **message)


def on_share(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    message, replace = flow.share(
        db(context),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        value=str(action.get("value") or ""),
        yes=action.get("action_id") == ID.NOTE_SHARE_YES.value,
        locale=locale_from_slack((body.get("user") or {}).get("locale")),
        now=now(context),
    )
    if context.respond is not None:
        if replace:
            context.respond(replace_original=True, **message)
        else:
            context.respond(response_type="ephemeral", replace_original=False, **message)


def on_export(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    message = flow.export(db(context), participant=participant, now=now(context))
    if context.respond is not None and not _from_home(body):
        context.respond(response_type="ephemeral", replace_original=False, **message)


def register(app: App) -> None:
    """Notes and escalations ("I need help", the hosts' answers)."""
    escalation.register(app)
    app.action(ID.NOTE_ADD.value)(on_add)
    app.action(ID.NOTE_TOGGLE_RED.value)(on_toggle_red)
    app.action(ID.NOTE_SHARE_YES.value)(on_share)
    app.action(ID.NOTE_SHARE_NO.value)(on_share)
    app.action(ID.NOTES_EXPORT.value)(on_export)
    app.shortcut(ID.NOTE_SHORTCUT.value)(on_shortcut)
    app.view(ID.NOTE_MODAL.value)(on_submit)
