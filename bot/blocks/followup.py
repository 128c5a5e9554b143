"""Learning that lasts: the follow-up question in a person's DM 30 and 90 days after their pair ended, its modal,
and what hosts and participants see of the answers (counts, and texts only where their authors consented). Wording
from templates/<locale>/followup.j2; everything a person wrote is escaped by ``i18n.text``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain import followup as rules
from bot.ids import ID

FIELD_IDS: dict[str, ID] = {"answer": ID.FOLLOWUP_ANSWER, "text": ID.FOLLOWUP_TEXT, "quote": ID.FOLLOWUP_QUOTE}


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "followup", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "followup", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def question(locale: str, *, followup_id: int, program: str, partner: str, days: int, closes: str) -> dict[str, Any]:
    """``partner``: the name of the person's partner in the pair that ended ("" when they were forgotten)."""
    text = _t(locale, "question", program=program, partner=partner, days=days, closes=closes)
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(
                kit.button(_p(locale, "btn_answer"), ID.FOLLOWUP_OPEN, value=str(followup_id), style="primary")
            ),
        ],
    )


def modal(locale: str, *, followup_id: int, program: str, days: int) -> dict[str, Any]:
    answers = [inputs.option(_p(locale, f"answer_{a}"), a) for a in rules.ANSWERS]
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        callback_id=ID.FOLLOWUP_MODAL,
        private_metadata=json.dumps({"followup_id": followup_id}),
        blocks=[
            kit.section(_t(locale, "modal_intro", program=program, days=days)),
            inputs.input_block(ID.FOLLOWUP_ANSWER, _p(locale, "f_answer"), kit.radio_buttons(answers)),
            inputs.input_block(
                ID.FOLLOWUP_TEXT,
                _p(locale, "f_text"),
                inputs.text_input(multiline=True, max_length=rules.TEXT_MAX),
                optional=True,
            ),
            inputs.input_block(
                ID.FOLLOWUP_QUOTE,
                _p(locale, "f_quote"),
                inputs.checkboxes([inputs.option(_p(locale, "quote_ok"), rules.QUOTE_OK)]),
                optional=True,
                hint=_p(locale, "f_quote_hint"),
            ),
        ],
    )


def done_view(locale: str) -> dict[str, Any]:
    """What the modal turns into once the answer is saved."""
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "done_close"),
        callback_id=ID.FOLLOWUP_DONE_MODAL,
        blocks=[kit.section(_t(locale, "saved"))],
    )


def form_errors(locale: str, errors: dict[str, str]) -> dict[str, str]:
    return {FIELD_IDS[key].value: _p(locale, f"error_{kind}") for key, kind in errors.items()}


def counts_text(locale: str, counts: rules.Counts, *, threshold: int) -> str:
    """The released answers, counted: "yes 4 · partly 2 · no 1", or that not enough are in yet."""
    if not counts.released:
        return _t(locale, "counts_none", threshold=threshold)
    return _t(locale, "counts", yes=counts.yes, partly=counts.partly, no=counts.no, answers=counts.answers)


def quotes_blocks(locale: str, quotes: Sequence[str], *, limit: int = 5) -> list[dict[str, Any]]:
    """Consented quotes, without names (the newest ``limit``)."""
    if not quotes:
        return []
    out = [kit.section(_t(locale, "quotes_head"))]
    out.extend(kit.section(_t(locale, "quote", quote=q)) for q in list(quotes)[-limit:])
    return out
