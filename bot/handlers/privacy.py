"""Data rights: the *Send me my data* and *Delete my data* buttons (``/tandem privacy``, ``/tandem forget-me``)
and the hosts' *Remove* button (``/tandem admin remove``). The commands arrive through bot.handlers.commands."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import privacy as blocks
from bot.flows import privacy as flow
from bot.handlers.admin import show, who
from bot.handlers.context import caller, db, now
from bot.ids import ID
from bot.services import people
from bot.slack.admin_port import SlackAdmin


def _user(body: dict) -> str:
    return str((body.get("user") or {}).get("id") or "")


def on_export(ack: Ack, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    if people.is_guest(participant):  # nothing stored, nothing to send
        message = flow.nothing_stored(participant.locale)
    else:
        message = flow.export(db(context), participant=participant, now=now(context))
    if context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=False, **message)


def on_forget(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """Only ever the clicker's own data: whatever the button carries, it names nobody."""
    ack()
    user_id = _user(body)
    message = flow.forget(db(context), team_id=context.team_id or "", user_id=user_id, now=now(context))
    if context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=True, **message)
    # Slack keeps the last published Home tab: replace it, without registering the person again
    client.views_publish(user_id=user_id, view=blocks.forgotten_home(message))


def on_remove(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    reply, notice = flow.remove(
        db(context),
        who(context, client, channel),
        str(action.get("value") or ""),
        slack=SlackAdmin(client),
        now=now(context),
    )
    if notice is None:  # refused, or nobody to remove
        show(reply, client=client, trigger_id=body.get("trigger_id"), respond=context.respond)
        return
    if reply.message is not None and context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=True, **reply.message)
    # sent directly, not through the outbox: no stored copy of a message to the removed person may stay
    user_id, message = notice
    client.chat_postMessage(channel=user_id, **message)
    client.views_publish(user_id=user_id, view=blocks.forgotten_home(message))


def register(app: App) -> None:
    app.action(ID.PRIVACY_EXPORT.value)(on_export)
    app.action(ID.PRIVACY_FORGET.value)(on_forget)
    app.action(ID.PRIVACY_REMOVE.value)(on_remove)
