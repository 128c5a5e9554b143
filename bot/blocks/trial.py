"""The trial check-in: the private question by DM, the answers to a click, how it came out, and the hosts'
counts. Nothing here ever names who asked to switch: the messages after a switch are the same for both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ConfirmObject

from bot import i18n
from bot.blocks import kit
from bot.blocks.programs import date_text, weekday_text
from bot.domain import trial as rules
from bot.ids import ID


def deadline_text(locale: str, closes_at: datetime, tz: str) -> str:
    """When the question closes, on the reader's wall clock: "Saturday 6 Feb 2027, 22:00"."""
    local = rules.local(closes_at, tz)
    return i18n.plain(
        locale,
        "trial",
        "deadline",
        weekday=weekday_text(locale, local.weekday()),
        date=date_text(locale, local.date()),
        time=local.strftime("%H:%M"),
    )


def _note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = i18n.text(locale, "trial", block, **context)
    return kit.message(text, [kit.section(text)])


def question(locale: str, *, check_id: int, partner: str, program: str, deadline: str) -> dict[str, Any]:
    """The DM "continue or switch?" with its two buttons (value: the check id)."""
    t = lambda block, **kw: i18n.text(locale, "trial", block, **kw)  # noqa: E731
    p = lambda block, **kw: i18n.plain(locale, "trial", block, **kw)  # noqa: E731
    value = str(check_id)
    switch = kit.button(p("switch"), ID.TRIAL_SWITCH, value=value)
    switch.confirm = ConfirmObject(
        title=p("switch_confirm_title"),
        text=t("switch_confirm_text"),
        confirm=p("switch_confirm_yes"),
        deny=p("switch_confirm_no"),
    )
    return kit.message(
        t("question_fallback", partner=partner),
        [
            kit.section(t("question", partner=partner, program=program)),
            kit.section(t("question_private", partner=partner)),
            kit.context(t("question_deadline", deadline=deadline)),
            kit.actions(kit.button(p("continue"), ID.TRIAL_CONTINUE, value=value, style="primary"), switch),
        ],
    )


def answered(locale: str, *, switch: bool, partner: str, deadline: str) -> dict[str, Any]:
    """What replaces the question after a click: thanks, and the privacy promise again; no buttons."""
    return _note(locale, "thanks_switch" if switch else "thanks_continue", partner=partner, deadline=deadline)


def closed(locale: str) -> dict[str, Any]:
    return _note(locale, "closed")


def waiting(locale: str, *, partner: str, when: str) -> dict[str, Any]:
    """A switch pressed before the partner has their question: not taken yet, and why; ``when``: when theirs is
    due (empty: it could not be delivered)."""
    return _note(locale, "waiting", partner=partner, when=when)


def not_yours(locale: str) -> dict[str, Any]:
    return _note(locale, "not_yours")


def ended(locale: str, *, partner: str, program: str) -> dict[str, Any]:
    """After a switch, to each partner alike: neutral, and no hint of who asked."""
    text = i18n.text(locale, "trial", "ended", partner=partner, program=program)
    return kit.message(i18n.text(locale, "trial", "ended_fallback", partner=partner), [kit.section(text)])


def continues(locale: str, *, partner: str, program: str) -> dict[str, Any]:
    """After a "continue" outcome, to each partner alike."""
    text = i18n.text(locale, "trial", "continues", partner=partner, program=program)
    return kit.message(i18n.text(locale, "trial", "continues_fallback", partner=partner), [kit.section(text)])


def summary(locale: str, *, program_id: int, program: str, continued: int, switched: int, waiting: int) -> dict:
    """The hosts' counts for one program: never a pair or a person by name."""
    text = i18n.text(
        locale, "trial", "summary", program=program, continued=continued, switched=switched, waiting=waiting
    )
    blocks: list[kit.Block] = [kit.section(text)]
    if waiting:
        blocks.append(
            kit.actions(kit.button(i18n.plain(locale, "trial", "run_matching"), ID.MATCH_RUN, value=str(program_id)))
        )
    return kit.message(i18n.text(locale, "trial", "summary_fallback", program=program), blocks)
