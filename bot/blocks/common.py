"""Small messages: errors, replies, greetings."""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.blocks.help import help_message
from bot.domain.text import echo_chunks, escape_mrkdwn
from bot.ids import ID


def too_long(locale: str, *, typed: str, limit: int, where: str) -> dict[str, Any]:
    """Refused because ``typed`` is longer than ``limit``: says so, and shows all of it again (escaped, as code)
    so its author can copy it and send it shorter or in parts. ``where``: "command" or "reply"."""
    text = i18n.text(locale, "common", f"too_long_{where}", length=len(typed), limit=limit)
    pieces = echo_chunks(typed)
    blocks = [kit.section(text), *(kit.section(f"```{escape_mrkdwn(p)}```") for p in pieces)]
    if sum(len(p) for p in pieces) < len(typed):
        blocks.append(kit.context(i18n.text(locale, "common", "too_long_cut", shown=sum(len(p) for p in pieces))))
    return kit.message(text, blocks)


def error_message(locale: str) -> dict[str, Any]:
    text = i18n.text(locale, "common", "error")
    return kit.message(text, [kit.section(text)])


def unknown_command(locale: str, command: str) -> dict[str, Any]:
    return help_message(locale, preface=i18n.text(locale, "common", "unknown_command", command=command))


def not_yours(locale: str) -> dict[str, Any]:
    """The route adapter's refusal of a pair's or a person's thing to someone Tandem doesn't store."""
    text = i18n.text(locale, "common", "not_yours")
    return kit.message(text, [kit.section(text)])


def refused_modal(locale: str, message: dict[str, Any]) -> dict[str, Any]:
    """What a refused modal turns into when it has no field to show the refusal under."""
    return kit.modal(
        title="Tandem",
        close=i18n.plain(locale, "common", "close"),
        blocks=list(message.get("blocks") or [kit.section(str(message.get("text") or ""))]),
        callback_id=ID.REFUSED_MODAL,
    )


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
