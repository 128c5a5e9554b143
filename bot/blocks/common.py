"""Small messages: errors, replies, greetings."""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.blocks.help import help_message


def error_message(locale: str) -> dict[str, Any]:
    text = i18n.text(locale, "common", "error")
    return kit.message(text, [kit.section(text)])


def unknown_command(locale: str, command: str) -> dict[str, Any]:
    return help_message(locale, preface=i18n.text(locale, "common", "unknown_command", command=command))


def dm_reply(locale: str) -> dict[str, Any]:
    text = i18n.text(locale, "common", "dm_reply")
    return kit.message(text, [kit.section(text)])


def joined_channel(locale: str) -> dict[str, Any]:
    text = i18n.text(locale, "common", "joined_channel")
    return kit.message(text, [kit.section(text)])


def welcome_dm(locale: str, *, name: str) -> dict[str, Any]:
    return kit.message(
        i18n.text(locale, "welcome", "fallback", name=name),
        [
            kit.section(i18n.text(locale, "welcome", "greeting", name=name)),
            kit.context(i18n.text(locale, "welcome", "next")),
        ],
    )
