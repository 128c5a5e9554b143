"""``/tandem <subcommand>``: parse the text and say what to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.common import unknown_command
from bot.blocks.help import help_message

MAX_COMMAND_TEXT = 2000


@dataclass(frozen=True)
class Command:
    name: str
    args: str


def parse(text: str | None) -> Command:
    """``"help"`` -> Command("help", ""); empty text means help; names are case-insensitive."""
    text = (text or "").strip()[:MAX_COMMAND_TEXT]
    if not text:
        return Command("help", "")
    name, _, args = text.partition(" ")
    return Command(name.lower(), args.strip())


def answer(command: Command, *, locale: str) -> dict[str, Any]:
    """The ephemeral answer to a participant's command."""
    if command.name in ("help", "hilfe", "?"):
        return help_message(locale)
    return unknown_command(locale, command.name)
