"""Hosts' listeners: program buttons and the program and invite modals (``/tandem admin`` arrives through
bot.handlers.commands)."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import admin
from bot.flows import matching as matching_flow
from bot.handlers.context import caller, db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin


def who(context: BoltContext, client: WebClient, channel_id: str | None) -> admin.Caller:
    """The person acting in the admin flow; nothing about them is stored (a refusal stores nothing)."""
    participant = caller(context, client)
    return admin.Caller(
        team_id=context.team_id or "",
        bot_user_id=context.bot_user_id,
        user_id=participant.slack_user_id,
        channel_id=channel_id,
        locale=participant.locale,
        tz=participant.tz,
        name=participant.display_name,
    )


def show(reply: admin.Reply, *, client: WebClient, trigger_id: str | None, respond=None) -> None:  # type: ignore[no-untyped-def]
    if reply.view is not None and trigger_id:
        client.views_open(trigger_id=trigger_id, view=reply.view)
    if reply.message is not None and respond is not None:
        respond(response_type="ephemeral", replace_original=False, **reply.message)


def on_program_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    reply = admin.program_action(
        db(context),
        who(context, client, channel),
        action["action_id"],
        str(action.get("value") or ""),
        slack=SlackAdmin(client),
        now=now(context),
    )
    show(reply, client=client, trigger_id=body.get("trigger_id"), respond=context.respond)


def on_match_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    reply, updated = matching_flow.action(
        db(context),
        who(context, client, channel),
        action["action_id"],
        str(action.get("value") or ""),
        slack=SlackAdmin(client),
        now=now(context),
    )
    if updated is not None and context.respond is not None:
        context.respond(replace_original=True, **updated)
    show(reply, client=client, trigger_id=body.get("trigger_id"), respond=context.respond)


def button(flow):  # type: ignore[no-untyped-def]
    """A listener for an admin-channel button whose value names what it acts on: ``flow(session, who, value,
    slack=..., now=...)`` returns the Reply to show."""

    def listener(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        reply = flow(
            db(context),
            who(context, client, channel),
            str(action.get("value") or ""),
            slack=SlackAdmin(client),
            now=now(context),
        )
        show(reply, client=client, trigger_id=body.get("trigger_id"), respond=context.respond)

    return listener


def _submit(flow, ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:  # type: ignore[no-untyped-def]
    reply = flow(db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context))
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def on_program_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    _submit(admin.submit_program, ack, view, context, client)


def on_invite_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    _submit(admin.submit_invites, ack, view, context, client)


def on_swap_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    _submit(matching_flow.submit_swap, ack, view, context, client)


def register(app: App) -> None:
    for action_id in (
        ID.PROGRAM_EDIT,
        ID.PROGRAM_PAUSE,
        ID.PROGRAM_RESUME,
        ID.PROGRAM_CLOSE,
        ID.PROGRAM_INVITE,
        ID.PROGRAM_SIGNUP,
    ):
        app.action(action_id.value)(on_program_button)
    for action_id in (ID.MATCH_APPROVE, ID.MATCH_RERUN, ID.MATCH_DISCARD, ID.MATCH_LOCK, ID.MATCH_SWAP):
        app.action(action_id.value)(on_match_button)
    app.action(ID.MATCH_RUN.value)(button(matching_flow.run))
    app.view(ID.PROGRAM_MODAL.value)(on_program_submit)
    app.view(ID.INVITE_MODAL.value)(on_invite_submit)
    app.view(ID.MATCH_SWAP_MODAL.value)(on_swap_submit)
