"""The working agreement's and the goals' buttons and modals (group DM, reminder DMs, App Home), and the hosts'
Agreement button on a program card with its template modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import agreement as flow
from bot.handlers.admin import button, who
from bot.handlers.context import db, now
from bot.handlers.home import publish_home
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


def _clicked(body: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message whose button was clicked (None for buttons in views)."""
    container = body.get("container") or {}
    if container.get("type") != "message" or not container.get("channel_id") or not container.get("message_ts"):
        return None
    return str(container["channel_id"]), str(container["message_ts"])


def _in_view(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view" or bool(body.get("view"))


def show_answer(answer: flow.Answer, *, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    if answer.view is not None and body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=answer.view)
    if context.respond is not None:
        if answer.replace is not None:
            context.respond(replace_original=True, **answer.replace)
        if answer.note is not None:
            context.respond(replace_original=False, response_type="ephemeral", **answer.note)
    if answer.home and answer.participant is not None:
        publish_home(client, db(context), participant=answer.participant, now=now(context))


def caller_ids(context: BoltContext) -> tuple[str, str]:
    assert context.team_id and context.user_id
    return context.team_id, context.user_id


def on_accept(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.accept(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        clicked=_clicked(body),
        in_view=_in_view(body),
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_propose(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.open_change(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        lookup=lambda uid: lookup_profile(client, uid),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_open_goals(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.open_goals(
        db(context),
        team_id=team_id,
        user_id=user_id,
        value=str(action.get("value") or ""),
        lookup=lambda uid: lookup_profile(client, uid),
    )
    show_answer(answer, body=body, context=context, client=client)


def on_mark_goal(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    team_id, user_id = caller_ids(context)
    answer = flow.mark_goal(
        db(context),
        team_id=team_id,
        user_id=user_id,
        action_id=action["action_id"],
        value=str(action.get("value") or ""),
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )
    show_answer(answer, body=body, context=context, client=client)


def modal_submitted(submit):  # type: ignore[no-untyped-def]
    """A view_submission listener for a participant's modal: errors keep it open; else it closes."""

    def listener(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
        team_id, user_id = caller_ids(context)
        answer = submit(
            db(context),
            team_id=team_id,
            user_id=user_id,
            view=view,
            lookup=lambda uid: lookup_profile(client, uid),
            now=now(context),
        )
        if answer.errors:
            ack(response_action="errors", errors=answer.errors)
            return
        ack()
        if answer.home and answer.participant is not None:
            publish_home(client, db(context), participant=answer.participant, now=now(context))

    return listener


def on_template_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_template(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.AGREEMENT_ACCEPT.value)(on_accept)
    app.action(ID.AGREEMENT_PROPOSE.value)(on_propose)
    app.view(ID.AGREEMENT_MODAL.value)(modal_submitted(flow.submit_change))
    app.action(ID.AGREEMENT_TEMPLATE.value)(button(flow.template_button))
    app.view(ID.AGREEMENT_TEMPLATE_MODAL.value)(on_template_submit)
    app.action(ID.GOAL_OPEN.value)(on_open_goals)
    app.view(ID.GOAL_MODAL.value)(modal_submitted(flow.submit_goals))
    for action_id in (ID.GOAL_PROGRESS_25, ID.GOAL_PROGRESS_50, ID.GOAL_PROGRESS_75, ID.GOAL_DONE, ID.GOAL_REOPEN):
        app.action(action_id.value)(on_mark_goal)
