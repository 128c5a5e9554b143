"""The invitation DM and the answers to it."""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.blocks import notice as notice_blocks
from bot.blocks.programs import date_text, fields_text, rhythm_text
from bot.ids import ID
from bot.models import Program


def invitation_message(
    locale: str, *, program: Program, host_id: str | None, enrollment_id: int, name: str, reminder: str | None = None
) -> dict[str, Any]:
    """The DM with Join / Not now. ``reminder`` ("reminder" or "last_reminder") turns it into a reminder."""
    value = str(enrollment_id)
    greeting = (
        i18n.text(locale, "invite", "greeting_host", name=name, host=host_id, program=program.name)
        if host_id
        else i18n.text(locale, "invite", "greeting", name=name, program=program.name)
    )
    blocks = []
    if reminder:
        blocks.append(kit.section(i18n.text(locale, "invite", reminder, program=program.name)))
    blocks += [
        kit.section(greeting),
        kit.section(i18n.text(locale, "invite", "what")),
        kit.section(
            i18n.text(
                locale,
                "invite",
                "details",
                fields=fields_text(program),
                start=date_text(locale, program.start_date),
                weeks=program.duration_weeks,
                rhythm=rhythm_text(locale, program.rhythm),
            )
        ),
        *([kit.context(notice)] if (notice := notice_blocks.for_participants(locale, program)) else []),
        kit.context(i18n.text(locale, "invite", "next")),
        kit.actions(
            kit.button(i18n.plain(locale, "invite", "join"), ID.INVITE_JOIN, value=value, style="primary"),
            kit.button(i18n.plain(locale, "invite", "decline"), ID.INVITE_DECLINE, value=value),
        ),
    ]
    return kit.message(i18n.plain(locale, "invite", "fallback", program=program.name), blocks)


def answer(locale: str, block: str, *, program: str) -> dict[str, Any]:
    """What replaces the invitation once answered (joined, declined, already, closed)."""
    text = i18n.text(locale, "invite", block, program=program)
    return kit.message(text, [kit.section(text)])


def note(locale: str, block: str) -> dict[str, Any]:
    text = i18n.text(locale, "invite", block)
    return kit.message(text, [kit.section(text)])


def pick_program(locale: str, programs: list[Program]) -> dict[str, Any]:
    text = i18n.text(locale, "invite", "pick")
    # one actions block per program: an action_id is unique within its block, and every button is "join.pick"
    buttons = [kit.button(p.name, ID.JOIN_PICK, value=str(p.id)) for p in programs[:25]]
    return kit.message(text, [kit.section(text), *(kit.actions(b) for b in buttons)])
