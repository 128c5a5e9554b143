"""Anonymous mood polls: the pulse DM, its modal and the thank-you the modal turns into; the hosts' results (in
the admin channel with the weekly release after a round closes, and with ``/tandem admin pulse``) and the pulse
settings modal. Wording from templates/<locale>/polls.j2; comments are escaped by ``i18n.text``.

Nothing here carries a per-person token: the DM's button and the modal carry only the round id, the same for
everyone asked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.programs import date_text, weekday_text
from bot.domain import polls as rules
from bot.domain.localtime import zone
from bot.ids import ID
from bot.models import Program

QUESTION_IDS = (ID.POLL_Q1, ID.POLL_Q2)
COMMENTS_SHOWN = 25
ROUNDS_SHOWN = 6  # the latest and five earlier rounds


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "polls", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "polls", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def deadline_text(locale: str, when: datetime, tz: str) -> str:
    local = when.astimezone(zone(tz))
    return _p(
        locale,
        "deadline",
        weekday=weekday_text(locale, local.weekday()),
        date=date_text(locale, local.date()),
        time=local.strftime("%H:%M"),
    )


# -- participants ------------------------------------------------------------------------------------------
def pulse(locale: str, *, round_id: int, program: str, threshold: int, deadline: str) -> dict[str, Any]:
    text = _t(locale, "pulse", program=program, deadline=deadline)
    return kit.message(
        text,
        [
            kit.section(text),
            kit.context(_t(locale, "privacy", threshold=threshold)),
            kit.actions(kit.button(_p(locale, "btn_answer"), ID.POLL_OPEN, value=str(round_id), style="primary")),
        ],
    )


def _scale_options(locale: str, prefix: str) -> list[dict[str, Any]]:
    return [inputs.option(_p(locale, f"{prefix}_{n}"), str(n)) for n in rules.SCALE]


def modal(locale: str, *, round_id: int, program: str, questions: Sequence[str], threshold: int) -> dict[str, Any]:
    out = [
        kit.section(_t(locale, "modal_intro", program=program)),
        inputs.input_block(ID.POLL_MOOD, _p(locale, "f_mood"), kit.radio_buttons(_scale_options(locale, "mood"))),
    ]
    for block_id, key in zip(QUESTION_IDS, questions, strict=False):
        prefix = "share" if key == "talk_share" else "agree"
        out.append(
            inputs.input_block(block_id, _p(locale, f"q_{key}"), kit.radio_buttons(_scale_options(locale, prefix)))
        )
    out.append(
        inputs.input_block(
            ID.POLL_COMMENT,
            _p(locale, "f_comment"),
            inputs.text_input(multiline=True, max_length=rules.COMMENT_MAX),
            optional=True,
            hint=_p(locale, "f_comment_hint", threshold=threshold),
        )
    )
    out.append(kit.context(_t(locale, "privacy", threshold=threshold)))
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        callback_id=ID.POLL_MODAL,
        private_metadata=json.dumps({"round_id": round_id}),
        blocks=out,
    )


def done_view(locale: str) -> dict[str, Any]:
    """What the modal turns into after an answer: no record of it anywhere (not even in the outbox)."""
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "done_close"),
        callback_id=ID.POLL_DONE_MODAL,
        blocks=[kit.section(_t(locale, "done_text"))],
    )


def form_errors(locale: str, errors: dict[str, str], questions: Sequence[str]) -> dict[str, str]:
    ids = {"mood": ID.POLL_MOOD, "comment": ID.POLL_COMMENT, **dict(zip(questions, QUESTION_IDS, strict=False))}
    return {ids[key].value: _p(locale, f"error_{kind}") for key, kind in errors.items() if key in ids}


# -- hosts -------------------------------------------------------------------------------------------------
def _distribution(locale: str, scale: rules.Scale) -> str:
    return " · ".join(_p(locale, "bucket", value=n, count=scale.distribution.get(n, 0)) for n in rules.SCALE)


def _round_blocks(locale: str, result: rules.Result, results: Sequence[rules.Result], *, comments: bool) -> list:
    if not result.shown:
        return [kit.section(_t(locale, "round_hidden", number=result.number, threshold=result.threshold))]
    assert result.mood is not None
    delta = rules.change(results, result.number)
    if delta is None:
        change = _p(locale, "change_none")
    else:
        change = _p(locale, "change_up" if delta > 0 else "change_down" if delta < 0 else "change_same", delta=delta)
    lines = [
        _t(
            locale,
            "round_shown",
            number=result.number,
            average=i18n.decimal(result.mood.average, locale, 1),
            distribution=_distribution(locale, result.mood),
            change=change,
            answered=result.answered,
            asked=result.asked,
            rate=result.response_rate,
            silent=result.silent_share,
        )
    ]
    for key, scale in result.questions.items():
        lines.append(
            _t(
                locale,
                "round_question",
                question=_p(locale, f"q_{key}"),
                average=i18n.decimal(scale.average, locale, 1),
                distribution=_distribution(locale, scale),
            )
        )
    out = [kit.section("\n".join(lines))]
    if comments and result.comments:
        out.append(kit.context(_t(locale, "comments_head", count=len(result.comments))))
        out.extend(kit.section(_t(locale, "comment", text=c)) for c in result.comments[:COMMENTS_SHOWN])
        if len(result.comments) > COMMENTS_SHOWN:
            out.append(kit.context(_t(locale, "comments_more", count=len(result.comments) - COMMENTS_SHOWN)))
    return out


def trend_points(locale: str, results: Sequence[rules.Result], *, last: int = 12) -> str:
    """The mood trend as text, oldest first (the latest ``last`` rounds): "1: 3.8 → 2: hidden → 3: 4.1"."""
    return " → ".join(
        _p(locale, "trend_hidden", number=n)
        if a is None
        else _p(locale, "trend_point", number=n, average=i18n.decimal(a, locale, 1))
        for n, a in rules.trend(results)[-last:]
    )


def results(
    locale: str,
    *,
    program: str,
    results: Sequence[rules.Result],
    latest_only: bool = False,
    still_open: tuple[int, str] | None = None,
    waiting: tuple[list[int], str] | None = None,
) -> dict[str, Any]:
    """A program's results: the latest released round with its comments (when shown) and the trend; with
    ``latest_only`` False also the earlier rounds (without comments, which went out when each was released). A
    round ``still_open`` (number, closing time) is only mentioned, and so are rounds ``waiting`` for the next
    weekly release (numbers, its time): none has results before that release."""
    pending = (
        [kit.context(_t(locale, "round_open", number=still_open[0], deadline=still_open[1]))] if still_open else []
    )
    if waiting:
        pending += [kit.context(_t(locale, "round_waiting", number=n, when=waiting[1])) for n in waiting[0]]
    if not results:
        text = _t(locale, "no_rounds", program=program)
        return kit.message(text, [kit.section(text), *pending])
    latest = results[-1]
    head = _t(locale, "results_head", program=program, number=latest.number)
    out = [kit.header(_p(locale, "results_title", program=program)), kit.section(head), *pending]
    out.extend(_round_blocks(locale, latest, results, comments=True))
    if len(results) > 1:
        out.append(kit.context(_t(locale, "trend", points=trend_points(locale, results))))
    if not latest_only:
        earlier = list(reversed(results[:-1]))[: ROUNDS_SHOWN - 1]
        for result in earlier:
            out.append(kit.divider())
            out.extend(_round_blocks(locale, result, results, comments=False))
    out.append(kit.context(_t(locale, "results_rule", threshold=latest.threshold)))
    return kit.message(head, out)


def settings_modal(locale: str, *, program: Program) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "settings_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "settings_submit"),
        callback_id=ID.POLL_SETTINGS_MODAL,
        private_metadata=json.dumps({"program_id": program.id}),
        blocks=[
            kit.section(_t(locale, "settings_intro", program=program.name)),
            inputs.input_block(
                ID.POLL_EVERY,
                _p(locale, "f_every"),
                inputs.number_input(initial=program.poll_every_weeks, minimum=rules.EVERY_MIN, maximum=rules.EVERY_MAX),
                hint=_p(locale, "f_every_hint"),
            ),
            inputs.input_block(
                ID.POLL_THRESHOLD,
                _p(locale, "f_threshold"),
                inputs.number_input(
                    initial=program.poll_threshold, minimum=rules.THRESHOLD_MIN, maximum=rules.THRESHOLD_MAX
                ),
                hint=_p(locale, "f_threshold_hint", minimum=rules.THRESHOLD_MIN),
            ),
        ],
    )
