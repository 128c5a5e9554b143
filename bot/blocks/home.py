"""App Home: the welcome view."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import i18n
from bot.blocks import kit
from bot.ids import ID


def welcome_home(*, locale: str, name: str, tz: str, now: datetime) -> dict[str, Any]:
    local = now.astimezone(ZoneInfo(tz))
    focus = i18n.plain(locale, "common", "focus_question")
    blocks = [
        kit.header(i18n.plain(locale, "home", "header", name=name)),
        kit.section(i18n.text(locale, "help", "intro")),
        kit.section(
            i18n.text(locale, "help", "how_title")
            + "\n"
            + i18n.text(locale, "help", "how", focus_question=focus)
        ),
        kit.actions(kit.button(i18n.plain(locale, "home", "help_button"), ID.HOME_HELP, style="primary")),
        kit.divider(),
        kit.section(i18n.text(locale, "home", "status")),
        kit.context(i18n.text(locale, "home", "profile", tz=tz, local_time=local.strftime("%H:%M"))),
    ]
    return kit.home(blocks=blocks)
