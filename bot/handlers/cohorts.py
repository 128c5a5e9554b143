"""Cohorts listeners: *Start the next cohort* (its modal is the program modal: ``bot.handlers.admin``), *Invite
alumni as co-hosts* and its modal."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import cohorts as flow
from bot.handlers.admin import button, who
from bot.handlers.context import db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin


def on_alumni_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_alumni(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.COHORT_NEXT.value)(button(flow.next_button))
    app.action(ID.COHORT_ALUMNI.value)(button(flow.alumni_button))
    app.view(ID.COHORT_ALUMNI_MODAL.value)(on_alumni_submit)
