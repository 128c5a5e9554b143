"""The kick-off kit: the DM with a side's three micro-lessons (each with *Got it* and *Ask the hosts*, a lesson
marked turns into a quiet confirmation), the earlier cohorts' learning cards, and the hosts' texts modal. Wording
from templates/<locale>/kickoff.j2; the hosts' texts and the cards are escaped by ``i18n.text``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain import kickoff as rules
from bot.ids import ID

TEXT_IDS: dict[str, ID] = {
    f"{locale}.{lesson}": ID(f"kit.f.{locale}.{lesson}") for locale in rules.LOCALES for lesson in rules.ALL_LESSONS
}


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "kickoff", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "kickoff", block, **context)


def default_texts(locale: str) -> dict[str, str]:
    """Tandem's own text of every lesson in ``locale`` (as plain text: what the hosts' modal shows)."""
    return {lesson: _p(locale, f"lesson_{lesson}") for lesson in rules.ALL_LESSONS}


def lesson_title(locale: str, lesson: str) -> str:
    return _p(locale, f"title_{lesson}")


def note(locale: str, block: str) -> dict[str, Any]:
    text = _t(locale, block)
    return kit.message(text, [kit.section(text)])


def kit_message(
    locale: str,
    *,
    kit_id: int,
    side: str,
    partner: str,
    program: str,
    custom: Mapping[str, Any] | None,
    read: Sequence[str],
    cards: Sequence[rules.EarlierCard],
    circle: str = "",
) -> dict[str, Any]:
    """The kit for one side: an intro, each lesson with its two buttons (or, once marked, "Got it"), the earlier
    cohorts' cards, the peer circle (``circle``: its line, ``kit_circle``) and who sees what. ``custom``: the
    program's own texts (``Program.kickoff_texts``)."""
    intro = _t(locale, f"intro_{side}", partner=partner, program=program)
    out: list[kit.Block] = [kit.header(_p(locale, "head")), kit.section(intro)]
    for lesson in rules.LESSONS[side]:
        text = rules.text_for(custom, locale, lesson) or _p(locale, f"lesson_{lesson}")
        body = _t(locale, "card", title=lesson_title(locale, lesson), text=text)
        out += [kit.divider(), kit.section(body)]
        value = f"{kit_id}:{lesson}"
        if lesson in read:
            out.append(kit.context(_t(locale, "got_it")))
        else:
            out.append(
                kit.actions(
                    kit.button(_p(locale, "btn_got_it"), ID.KIT_GOT_IT, value=value, style="primary"),
                    kit.button(_p(locale, "btn_ask"), ID.KIT_ASK, value=value),
                )
            )
    if cards:
        out += [kit.divider(), kit.section(_t(locale, "cards_head"))]
        for card in cards:
            sign = (
                _t(locale, "card_signed", name=card.author, program=card.program)
                if card.author
                else _t(locale, "card_unsigned", program=card.program)
            )
            out.append(kit.section(_t(locale, "card", title=card.title, text=card.text) + "\n" + sign))
    if circle:
        out += [kit.divider(), kit.section(circle)]
    out += [kit.divider(), kit.context(_t(locale, "footer"))]
    return kit.message(_p(locale, "head") + ": " + intro, out)


def ask_prefill(locale: str, lesson: str) -> str:
    return _p(locale, "ask_prefill", title=lesson_title(locale, lesson))


# -- the hosts' texts modal -------------------------------------------------------------------------------------
def texts_modal(locale: str, *, program_id: int, name: str, custom: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every lesson in both languages, prefilled with what new pairs get now (the hosts' text or the default)."""
    blocks: list[kit.Block] = [kit.context(_t(locale, "texts_intro", program=name, max=rules.TEXT_MAX))]
    for side in rules.SIDES:
        blocks.append(kit.section(_t(locale, f"texts_side_{side}")))
        for lesson in rules.LESSONS[side]:
            for language in rules.LOCALES:
                key = f"{language}.{lesson}"
                current = rules.text_for(custom, language, lesson) or _p(language, f"lesson_{lesson}")
                blocks.append(
                    inputs.input_block(
                        TEXT_IDS[key],
                        _p(
                            locale,
                            "texts_label",
                            title=lesson_title(language, lesson),
                            language=i18n.plain(locale, "common", f"lang_{language}"),
                        ),
                        inputs.text_input(initial=current, multiline=True, max_length=rules.TEXT_MAX),
                        optional=True,
                    )
                )
    return kit.modal(
        title=_p(locale, "texts_title"),
        close=_p(locale, "texts_close"),
        submit=_p(locale, "texts_submit"),
        callback_id=ID.KIT_TEXTS_MODAL,
        private_metadata=json.dumps({"program_id": program_id}),
        blocks=blocks,
    )


def texts_errors(locale: str, errors: Mapping[str, str]) -> dict[str, str]:
    return {TEXT_IDS[key].value: _p(locale, f"error_{kind}", max=rules.TEXT_MAX) for key, kind in errors.items()}


def texts_note(locale: str, *, saved: bool, host: str, program: str) -> dict[str, Any]:
    return note_with(locale, "texts_saved" if saved else "texts_default", host=host, program=program)


def note_with(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


# -- the peer circle ------------------------------------------------------------------------------------------------
def circle_head(locale: str, *, side: str, program: str) -> dict[str, Any]:
    """The message that opens a side's thread in the hosts' channel."""
    return note_with(locale, f"circle_head_{side}", program=program)


def circle_prompt(locale: str, *, side: str, program: str) -> dict[str, Any]:
    """The monthly prompt: built from the program's name and the side only, never from anything of a pair."""
    return note_with(locale, f"circle_prompt_{side}", program=program)


def kit_circle(locale: str, *, mode: str, side: str, program: str, channel: str | None) -> str:
    """The kit's line on the peer circle: where it is and exactly who can see it ("" when there is none)."""
    what = _p(locale, f"side_{side}")
    if mode == rules.CHANNELS:
        return _t(locale, "kit_circle_channels", program=program, side=what)
    if mode == rules.THREAD and channel:
        return _t(locale, "kit_circle_thread", program=program, side=what, channel=channel)
    return ""


def circle_modal(locale: str, *, program_id: int, name: str, mode: str, channel: str | None) -> dict[str, Any]:
    """The hosts' choice: no circle, private channels, or threads in a channel they pick."""
    options = [
        inputs.option(_p(locale, "mode_off"), rules.OFF),
        inputs.option(_p(locale, "mode_channels"), rules.CHANNELS, description=_p(locale, "mode_channels_hint")),
        inputs.option(_p(locale, "mode_thread"), rules.THREAD, description=_p(locale, "mode_thread_hint")),
    ]
    select = inputs.conversation_select()
    if channel:
        select["initial_conversation"] = channel
    return kit.modal(
        title=_p(locale, "circle_title"),
        close=_p(locale, "texts_close"),
        submit=_p(locale, "texts_submit"),
        callback_id=ID.CIRCLE_MODAL,
        private_metadata=json.dumps({"program_id": program_id}),
        blocks=[
            kit.section(_t(locale, "circle_intro", program=name)),
            inputs.input_block(ID.CIRCLE_MODE, _p(locale, "f_mode"), kit.radio_buttons(options, initial=mode)),
            inputs.input_block(
                ID.CIRCLE_CHANNEL,
                _p(locale, "f_circle_channel"),
                select,
                optional=True,
                hint=_p(locale, "f_circle_channel_hint"),
            ),
        ],
    )


def circle_error(locale: str, kind: str) -> dict[str, str]:
    return {ID.CIRCLE_CHANNEL.value: _p(locale, f"error_{kind}")}


def circle_note(locale: str, *, mode: str, host: str, program: str, channel: str | None) -> dict[str, Any]:
    return note_with(locale, f"circle_saved_{mode}", host=host, program=program, channel=channel or "")
