"""Escalations: "I need help" (button and modal), what reaches the hosts (only what the person chose to share, or
for a pattern only the program and a count), the hosts' answer modal, and the answer by DM."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ButtonElement

from bot import i18n
from bot.blocks import kit
from bot.blocks.inputs import checkboxes, input_block, option, text_input
from bot.domain.notes import ANSWER_TEXT_MAX, HELP_TEXT_MAX, Share
from bot.ids import ID
from bot.models import EscalationKind


def _t(locale: str, block: str, **kw: Any) -> str:
    return i18n.text(locale, "escalation", block, **kw)


def _p(locale: str, block: str, **kw: Any) -> str:
    return i18n.plain(locale, "escalation", block, **kw)


def help_button(locale: str) -> ButtonElement:
    """ "I need help": opens the help-me modal (for App Home, the pair's thread and Tandem's messages)."""
    return kit.button(_p(locale, "help_button"), ID.HELP_ME)


# -- the person's side ----------------------------------------------------------------------------------------
def help_modal(
    locale: str, *, name: str, partners: list[str], programs: list[str], initial: str | None = None
) -> dict[str, Any]:
    """What to tell the hosts and what they may see: nothing is ticked to begin with."""
    choices = [option(_p(locale, "share_name", name=name), Share.NAME.value)]
    if partners:
        choices.append(option(_p(locale, "share_partner", partner=", ".join(partners)), Share.PARTNER.value))
    if programs:
        choices.append(option(_p(locale, "share_program", program=", ".join(programs)), Share.PROGRAM.value))
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        callback_id=ID.HELP_ME_MODAL,
        blocks=[
            kit.section(_t(locale, "modal_intro")),
            input_block(
                ID.HELP_ME_TEXT,
                _p(locale, "f_text"),
                text_input(
                    multiline=True,
                    max_length=HELP_TEXT_MAX,
                    initial=initial,
                    placeholder=_p(locale, "f_text_placeholder"),
                ),
                optional=True,
            ),
            input_block(ID.HELP_ME_SHARE, _p(locale, "f_share"), checkboxes(choices), optional=True),
            kit.context(_t(locale, "modal_privacy")),
        ],
    )


def shown_lines(locale: str, shared: dict[str, Any]) -> list[str]:
    """Exactly what the hosts see of a request, line by line."""
    lines = [
        _t(locale, f"shown_{key}", **{key: shared[key]}) for key in ("name", "partner", "program") if shared.get(key)
    ]
    if shared.get("text"):
        lines.append(_t(locale, "shown_text", text=shared["text"]))
    return lines or [_t(locale, "shown_nothing")]


def sent_view(locale: str, shared: dict[str, Any]) -> dict[str, Any]:
    """The help-me modal once sent: what the hosts see, word for word."""
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_done"),
        callback_id=ID.HELP_ME_MODAL,
        blocks=[
            kit.section(_t(locale, "sent")),
            kit.section("\n".join(shown_lines(locale, shared))),
            kit.context(_t(locale, "sent_answer")),
        ],
    )


# -- the hosts' side ------------------------------------------------------------------------------------------
def _about(locale: str, *, escalation_id: int, kind: str, shared: dict[str, Any]) -> list[kit.Block]:
    if kind == EscalationKind.LATE_PATTERN:
        return [
            kit.section(
                _t(
                    locale,
                    "pattern_intro",
                    id=escalation_id,
                    program=shared.get("program", ""),
                    count=shared.get("count", 0),
                    weeks=shared.get("weeks", 0),
                )
            ),
            kit.context(_t(locale, "pattern_privacy")),
        ]
    return [
        kit.section(_t(locale, "help_intro", id=escalation_id)),
        kit.section("\n".join(shown_lines(locale, shared))),
    ]


def hosts_message(locale: str, *, escalation_id: int, kind: str, shared: dict[str, Any]) -> dict[str, Any]:
    """The private escalation in the admin channel, with "Answer" (value: the escalation id)."""
    if kind == EscalationKind.LATE_PATTERN:
        fallback = _p(locale, "pattern_fallback", program=shared.get("program", ""))
    else:
        fallback = _p(locale, "help_fallback")
    blocks = _about(locale, escalation_id=escalation_id, kind=kind, shared=shared)
    blocks.append(kit.actions(kit.button(_p(locale, "answer_button"), ID.ESCALATION_ANSWER, value=str(escalation_id))))
    return kit.message(fallback, blocks)


def answer_modal(
    locale: str, *, escalation_id: int, kind: str, shared: dict[str, Any], host_name: str
) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "answer_title"),
        close=_p(locale, "answer_close"),
        submit=_p(locale, "answer_submit"),
        callback_id=ID.ESCALATION_ANSWER_MODAL,
        private_metadata=json.dumps({"escalation_id": escalation_id}),
        blocks=[
            *_about(locale, escalation_id=escalation_id, kind=kind, shared=shared),
            kit.divider(),
            input_block(
                ID.ESCALATION_ANSWER_TEXT,
                _p(locale, "f_answer"),
                text_input(multiline=True, max_length=ANSWER_TEXT_MAX),
            ),
            input_block(
                ID.ESCALATION_ANSWER_SIGN,
                _p(locale, "f_sign"),
                checkboxes([option(_p(locale, "sign_option", name=host_name), "sign")], checked=["sign"]),
                optional=True,
            ),
            kit.context(_t(locale, "answer_about")),
        ],
    )


def answered(locale: str, *, host_id: str, escalation_id: int) -> dict[str, Any]:
    """For the admin channel: who answered which request (not what)."""
    return kit.message(
        _p(locale, "answered_fallback", id=escalation_id),
        [kit.context(_t(locale, "answered", host=host_id, id=escalation_id))],
    )


def note(locale: str, block: str) -> dict[str, Any]:
    text = _t(locale, block)
    return kit.message(text, [kit.section(text)])


def error_text(locale: str, block: str) -> str:
    return _p(locale, block)


# -- to the person --------------------------------------------------------------------------------------------
def answer_dm(locale: str, *, kind: str, host: str | None, text: str) -> dict[str, Any]:
    """A host's answer, by DM: the host's name if they signed, else "your program host"."""
    who = host or _p(locale, "your_host")
    intro = "answer_dm_pattern" if kind == EscalationKind.LATE_PATTERN else "answer_dm_help"
    return kit.message(
        _p(locale, "answer_dm_fallback"),
        [
            kit.section(_t(locale, intro, host=who)),
            kit.section(_t(locale, "answer_dm_quote", text=text)),
            kit.context(_t(locale, "answer_dm_reply")),
            kit.actions(help_button(locale)),
        ],
    )


def pattern_notice(locale: str, *, program: str, count: int, weeks: int, counted: bool = False) -> dict[str, Any]:
    """To the person whose short-notice cancellations reached the hosts (without their name); ``counted``: only as a
    count (the program has the late-cancellation log off), so the hosts cannot write to them about it."""
    block = "pattern_notice_counted" if counted else "pattern_notice"
    return kit.message(
        _p(locale, "pattern_notice_fallback"),
        [
            kit.section(_t(locale, block, program=program, count=count, weeks=weeks)),
            kit.actions(help_button(locale)),
        ],
    )


def pattern_count(locale: str, *, program: str, people: int, threshold: int, weeks: int) -> dict[str, Any]:
    """For the hosts of a program with the late-cancellation log off: how many people cancelled late repeatedly,
    never who, and nothing to answer."""
    text = _t(locale, "pattern_count", program=program, people=people, threshold=threshold, weeks=weeks)
    return kit.message(_p(locale, "pattern_fallback", program=program), [kit.section(text)])
