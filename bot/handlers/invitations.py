"""Participants answering invitations: Join / Not now (in the DM or on Home), and picking a program."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import invite as blocks
from bot.flows.commands import JOIN_OUTCOME
from bot.flows.common import as_int
from bot.handlers.context import caller, db, now, registered
from bot.handlers.home import publish_home
from bot.ids import ID
from bot.models import Enrollment, Participant, Program
from bot.services import enrollments, programs


def _answer(context: BoltContext, client: WebClient, body: dict, message: dict) -> None:
    """Replace the invitation in the DM, or refresh Home when the button was there."""
    if (body.get("container") or {}).get("type") == "view" or body.get("view"):
        participant = caller(context, client)
        publish_home(client, db(context), participant=participant, now=now(context))
    elif context.respond is not None:
        context.respond(replace_original=True, **message)


def _own_enrollment(context: BoltContext, client: WebClient, action: dict) -> tuple[Participant, Enrollment | None]:
    """The clicker and the enrollment behind the button, if it is theirs (else they are told, and None)."""
    participant = caller(context, client)
    value = str(action.get("value") or "")
    enrollment_id = as_int(value)
    enrollment = (
        enrollments.mine(db(context), participant=participant, enrollment_id=enrollment_id)
        if enrollment_id is not None
        else None
    )
    if enrollment is None and context.respond is not None:
        context.respond(
            replace_original=False, response_type="ephemeral", **blocks.note(participant.locale, "not_yours")
        )
    return participant, enrollment


def on_join(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant, enrollment = _own_enrollment(context, client, action)
    if enrollment is None:
        return
    program = db(context).get(Program, enrollment.program_id)
    outcome = enrollments.join(db(context), enrollment=enrollment, now=now(context))
    name = program.name if program else ""
    _answer(context, client, body, blocks.answer(participant.locale, JOIN_OUTCOME[outcome], program=name))


def on_decline(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant, enrollment = _own_enrollment(context, client, action)
    if enrollment is None:
        return
    program = db(context).get(Program, enrollment.program_id)
    declined = enrollments.decline(db(context), enrollment=enrollment, now=now(context))
    name = program.name if program else ""
    _answer(
        context, client, body, blocks.answer(participant.locale, "declined" if declined else "already", program=name)
    )


def on_pick(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    participant = caller(context, client)
    session = db(context)
    open_programs = {p.id: p for p in programs.open_for_signup(session, workspace_id=participant.workspace_id)}
    value = str(action.get("value") or "")
    program = open_programs.get(as_int(value) or 0)
    if program is None:
        message = blocks.note(participant.locale, "no_open")
    else:
        participant = registered(context, client, participant)  # joining: now they are stored
        _, outcome = enrollments.signup(session, program=program, participant=participant, now=now(context))
        message = blocks.answer(participant.locale, JOIN_OUTCOME[outcome], program=program.name)
    if context.respond is not None:
        context.respond(replace_original=True, **message)


def register(app: App) -> None:
    app.action(ID.INVITE_JOIN.value)(on_join)
    app.action(ID.INVITE_DECLINE.value)(on_decline)
    app.action(ID.JOIN_PICK.value)(on_pick)
