"""Help: as a message (``/tandem help``) and as a modal (App Home button)."""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.ids import ID

# The commands a participant can use today, each with its help line in templates/<locale>/help.j2.
COMMAND_HELP_BLOCKS = (
    "cmd_help",
    "cmd_join",
    "cmd_goals",
    "cmd_metric",
    "cmd_card",
    "cmd_cards",
    "cmd_note",
    "cmd_notes",
    "cmd_pause",
    "cmd_slot",
    "cmd_help_me",
    "cmd_privacy",
    "cmd_admin",
)


def _content(locale: str) -> list[kit.Block]:
    focus = i18n.plain(locale, "common", "focus_question")
    commands = "\n".join(i18n.text(locale, "help", key) for key in COMMAND_HELP_BLOCKS)
    return [
        kit.section(i18n.text(locale, "help", "intro")),
        kit.section(
            i18n.text(locale, "help", "how_title") + "\n" + i18n.text(locale, "help", "how", focus_question=focus)
        ),
        kit.section(i18n.text(locale, "help", "commands_title") + "\n" + commands, block_id=ID.HELP_BLOCK_COMMANDS),
        kit.context(i18n.text(locale, "help", "home_hint"), i18n.text(locale, "help", "language_hint")),
    ]


def help_message(locale: str, *, preface: str | None = None) -> dict[str, Any]:
    blocks = [kit.header(i18n.plain(locale, "help", "title"))]
    if preface:
        blocks.insert(0, kit.section(preface))
    return kit.message(i18n.plain(locale, "help", "fallback"), blocks + _content(locale))


def help_modal(locale: str) -> dict[str, Any]:
    return kit.modal(
        title=i18n.plain(locale, "help", "modal_title"),
        close=i18n.plain(locale, "help", "close"),
        blocks=_content(locale),
        callback_id=ID.HELP_MODAL,
    )
