"""Impact listeners: the program card's *Impact*, *Add a metric* and its modal, *Log a value* (hosts and pairs)
and its modal, *Send me the export*. Slow work is none: each answers within Slack's 3 seconds from the database."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import impact as blocks
from bot.flows import impact as flow
from bot.handlers.admin import button, who
from bot.handlers.context import caller, db, now
from bot.ids import ID
from bot.slack.admin_port import SlackAdmin


def on_log(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """*Log a value*: ``host:<program>`` for hosts (checked as hosts), ``pair:<pair>`` for a pair's partners."""
    value = str(action.get("value") or "")
    if value.startswith("host:"):
        button(flow.host_log_button)(ack, body, action, context, client)
        return
    ack()
    view, note = flow.pair_log_view(db(context), participant=caller(context, client), value=value, now=now(context))
    if view is not None and body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=view)
    if note is not None and context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=False, **note)


def on_log_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    host = str(flow._meta(view).get("scope") or "").startswith("host:")
    errors, done = flow.submit_log(
        db(context),
        view=view,
        participant=None if host else caller(context, client),
        host=who(context, client, None) if host else None,
        slack=SlackAdmin(client) if host else None,
        now=now(context),
    )
    if errors:
        ack(response_action="errors", errors=errors)
    elif done is not None:
        ack(response_action="update", view=blocks.done_view(caller(context, client).locale, done))
    else:
        ack()


def on_metric_submit(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    reply = flow.submit_metric(
        db(context), who(context, client, None), view, slack=SlackAdmin(client), now=now(context)
    )
    if reply.errors:
        ack(response_action="errors", errors=reply.errors)
    else:
        ack()


def register(app: App) -> None:
    app.action(ID.METRICS_OPEN.value)(button(flow.open_button))
    app.action(ID.METRIC_ADD.value)(button(flow.add_button))
    app.view(ID.METRIC_MODAL.value)(on_metric_submit)
    app.action(ID.METRIC_LOG.value)(on_log)
    app.view(ID.METRIC_LOG_MODAL.value)(on_log_submit)
    app.action(ID.IMPACT_EXPORT.value)(button(flow.export_button))
