"""The ``/tandem`` slash command: participants' subcommands, and ``/tandem admin ...`` for hosts."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.flows import admin, commands, rhythm
from bot.handlers import notes
from bot.handlers.admin import who
from bot.handlers.context import caller, db, now
from bot.models import Participant
from bot.services import people
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


def on_tandem(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    """The answer (shown only to the caller) is the acknowledgement; a modal opens after it, with the command's
    trigger. (Should the answer take longer than Slack waits, it follows through the response_url: see
    ``bot.handlers.middleware``.)"""
    parsed = commands.parse(command.get("text"))
    if parsed.name in PRIVACY_COMMANDS:  # asking what is stored must not store anything: nobody is registered
        ack(response_type="ephemeral", **_privacy(parsed.name, command, context, client))
        return
    # someone in no program stays a guest: nothing about them is stored by asking (bot.services.people.guest)
    participant = caller(context, client)
    view, message = _reply(parsed, command, context, client, participant)
    if message is not None:
        ack(response_type="ephemeral", **message)
    else:
        ack()
    if view is not None:
        client.views_open(trigger_id=command["trigger_id"], view=view)


def _reply(
    parsed: commands.Command, command: dict, context: BoltContext, client: WebClient, participant: Participant
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(a view to open, a message to answer with) for one ``/tandem`` command."""
    if parsed.name == "admin":
        reply = admin.command(
            db(context),
            who(context, client, command.get("channel_id")),
            parsed.args,
            slack=SlackAdmin(client),
            now=now(context),
        )
        return reply.view, reply.message
    if parsed.name == "join":
        return None, commands.join(db(context), participant=participant, now=now(context))
    if parsed.name in notes.COMMANDS:  # note, notes, help-me
        reply = notes.command(command, context, participant)
        return reply.view, reply.message
    if parsed.name in ("metric", "metrics", "metrik"):
        from bot.flows import impact

        return None, impact.metric_command(db(context), participant=participant)
    if parsed.name in ("card", "karte", "learning-card"):
        from bot.flows import cards

        return None, cards.command(db(context), participant=participant)
    if parsed.name in ("pause", "pausieren"):
        return None, rhythm.pause_command(db(context), participant=participant, args=parsed.args, now=now(context))
    return None, commands.answer(parsed, locale=participant.locale)


PRIVACY_COMMANDS = {
    "privacy": "privacy",
    "datenschutz": "privacy",
    "export-my-data": "export",
    "meine-daten": "export",
    "forget-me": "forget",
    "vergiss-mich": "forget",
}


def _privacy(name: str, command: dict, context: BoltContext, client: WebClient) -> dict[str, Any]:
    """``/tandem privacy``, ``/tandem export-my-data``, ``/tandem forget-me`` (and their German names), for
    someone Tandem knows; someone it doesn't is told so, in their Slack language, and stays unknown."""
    from bot.flows import privacy

    session = db(context)
    participant = people.find_participant(session, team_id=context.team_id or "", user_id=command.get("user_id") or "")
    if participant is None:
        locale = people.locale_of(
            session,
            team_id=context.team_id or "",
            user_id=command.get("user_id") or "",
            lookup=lambda uid: lookup_profile(client, uid),
        )
        return privacy.nothing_stored(locale)
    what = PRIVACY_COMMANDS[name]
    if what == "privacy":
        return privacy.overview(session, participant=participant, now=now(context))
    if what == "export":
        return privacy.export(session, participant=participant, now=now(context))
    return privacy.forget_question(session, participant=participant)


def register(app: App) -> None:
    app.command("/tandem")(on_tandem)
