"""``/tandem <subcommand>``: parse the text and say what to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import agreement, invite
from bot.blocks.common import too_long, unknown_command
from bot.blocks.help import help_message
from bot.domain.text import COMMAND_TEXT_MAX
from bot.models import Participant
from bot.services import enrollments, people, programs

TOO_LONG = " too long"  # the name of a command whose text is over the limit (has a space: nobody can type it)


@dataclass(frozen=True)
class Command:
    name: str
    args: str


def parse(text: str | None) -> Command:
    """``"help"`` -> Command("help", ""); empty text means help; names are case-insensitive. A text longer than
    ``COMMAND_TEXT_MAX`` is Command(TOO_LONG, text): refused as a whole, never cut."""
    text = (text or "").strip()
    if len(text) > COMMAND_TEXT_MAX:
        return Command(TOO_LONG, text)
    if not text:
        return Command("help", "")
    name, _, args = text.partition(" ")
    return Command(name.lower(), args.strip())


def answer(command: Command, *, locale: str) -> dict[str, Any]:
    """The ephemeral answer to a participant's command."""
    if command.name == TOO_LONG:
        return too_long(locale, typed=command.args, limit=COMMAND_TEXT_MAX, where="command")
    if command.name in ("help", "hilfe", "?"):
        return help_message(locale)
    if command.name in ("goals", "ziele"):
        return agreement.goals_command(locale)  # its button opens the caller's goals
    return unknown_command(locale, command.name)


JOIN_OUTCOME = {"started": "joined", "already": "already", "closed": "closed"}


def join(session: Session, *, participant: Participant, now: datetime) -> dict[str, Any]:
    """``/tandem join``: sign up for the one open program, or pick among several."""
    open_programs = programs.open_for_signup(session, workspace_id=participant.workspace_id)
    if not open_programs:
        return invite.note(participant.locale, "no_open")
    if len(open_programs) > 1:
        return invite.pick_program(participant.locale, open_programs)
    program = open_programs[0]
    participant = people.register(session, participant=participant, now=now)  # joining: now they are stored
    _, outcome = enrollments.signup(session, program=program, participant=participant, now=now)
    return invite.answer(participant.locale, JOIN_OUTCOME[outcome], program=program.name)
