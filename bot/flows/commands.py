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
from bot.services import enrollments, goals, people, programs

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


# The answers that need nothing stored; which word gets which is the route table's (bot.routes).
def help_answer(locale: str) -> dict[str, Any]:
    return help_message(locale)


def goals_answer(session: Session, *, participant: Participant | None, locale: str) -> dict[str, Any]:
    """The button that opens the caller's goals, and an Accept button for each goal a partner proposed to them."""
    return agreement.goals_command(locale, waiting=goals.waiting_for(session, participant))


def unknown_answer(word: str, *, locale: str) -> dict[str, Any]:
    return unknown_command(locale, word)


def too_long_answer(typed: str, *, locale: str) -> dict[str, Any]:
    """A text over ``COMMAND_TEXT_MAX`` is refused as a whole, never cut: all of it is shown back to its author."""
    return too_long(locale, typed=typed, limit=COMMAND_TEXT_MAX, where="command")


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
