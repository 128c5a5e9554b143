"""Speed dating: a person's card of candidate intros (by DM), the hosts' modal and their notices."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.matching import reasons_text
from bot.ids import ID

ANSWER_BUTTONS = (("yes", ID.SPEED_YES), ("maybe", ID.SPEED_MAYBE), ("no", ID.SPEED_NO))
ANSWER_OF = {action_id.value: answer for answer, action_id in ANSWER_BUTTONS}
RANK_BUTTONS = ((1, ID.SPEED_RANK_1), (2, ID.SPEED_RANK_2), (3, ID.SPEED_RANK_3))
RANK_OF = {action_id.value: rank for rank, action_id in RANK_BUTTONS}
ABOUT_MAX = 600  # of a candidate's self-description on a card


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "speed", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "speed", block, **context)


def when(locale: str, at: datetime, tz: str) -> str:
    """A moment in a reader's own time zone, e.g. "Thursday 7 January, 18:00" / "Donnerstag, 7. Januar, 18:00 Uhr"."""
    local = at.astimezone(ZoneInfo(tz))
    return _p(
        locale,
        "when",
        weekday=i18n.weekday(local, locale),
        date=i18n.day_month(local, locale),
        time=local.strftime("%H:%M"),
    )


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def card(
    locale: str,
    *,
    name: str,
    program: str,
    deadline: str,
    entries: list[dict[str, Any]],
    reminder: bool = False,
    open_: bool = True,
) -> dict[str, Any]:
    """``entries``: {intro_id, name, department, about, reasons, answer, rank} per candidate, in card order; each
    with yes / maybe / no and, when the card has more than one candidate, 1st to 3rd choice (as many as there are
    candidates)."""
    blocks: list[kit.Block] = [kit.header(_p(locale, "reminder_header" if reminder else "card_header"))]
    intro = "reminder_intro" if reminder else "card_intro"
    blocks.append(kit.section(_t(locale, intro, name=name, program=program, deadline=deadline, count=len(entries))))
    blocks.append(kit.context(_t(locale, "card_privacy")))
    ranks = RANK_BUTTONS[: len(entries)] if len(entries) > 1 else ()
    if ranks and open_:
        blocks.append(kit.context(_t(locale, "card_rank")))
    for entry in entries:
        blocks.append(kit.divider())
        about = (entry.get("about") or "").strip()
        if len(about) > ABOUT_MAX:
            about = about[: ABOUT_MAX - 1] + "…"
        blocks.append(
            kit.section(
                _t(
                    locale,
                    "candidate",
                    name=entry["name"],
                    department=entry.get("department") or "",
                    about=" ".join(about.split()),
                )
            )
        )
        why = reasons_text(locale, entry.get("reasons") or [])
        if why:
            blocks.append(kit.context(_t(locale, "why", reasons=why)))
        chosen = entry.get("answer")
        if open_:
            buttons = []
            for answer, action_id in ANSWER_BUTTONS:
                label = _p(locale, answer)
                if answer == chosen:
                    label = _p(locale, "chosen", label=label)
                buttons.append(
                    kit.button(
                        label,
                        action_id,
                        value=str(entry["intro_id"]),
                        style="primary" if answer == chosen else None,
                    )
                )
            held = entry.get("rank")
            for rank, action_id in ranks:  # the ranks after the answers, in the same row
                label = _p(locale, f"rank_{rank}")
                if rank == held:
                    label = _p(locale, "chosen", label=label)
                buttons.append(
                    kit.button(
                        label, action_id, value=str(entry["intro_id"]), style="primary" if rank == held else None
                    )
                )
            blocks.append(kit.actions(*buttons))
        else:
            if chosen:
                blocks.append(kit.context(_t(locale, "answered", answer=_p(locale, chosen))))
            if entry.get("rank"):
                blocks.append(kit.context(_t(locale, "ranked", rank=_p(locale, f"rank_{entry['rank']}"))))
    fallback = _p(locale, "reminder_header" if reminder else "card_fallback")
    return kit.message(fallback, blocks)


def modal(
    locale: str, *, programs: list[tuple[int, str, str]], selected: int | None, closes_on: str, tz: str
) -> dict[str, Any]:
    """``programs``: (id, name, time zone) of the active programs."""
    options = [inputs.option(name, str(pid)) for pid, name, _tz in programs]
    initial = str(selected) if selected is not None else (options[0]["value"] if len(options) == 1 else None)
    blocks = [
        kit.section(_t(locale, "modal_explain")),
        inputs.input_block(
            ID.SPEED_PROGRAM, _p(locale, "field_program"), inputs.static_select(options, initial=initial)
        ),
        inputs.input_block(
            ID.SPEED_CLOSES_ON,
            _p(locale, "field_closes_on"),
            inputs.date_input(initial=closes_on),
            hint=_p(locale, "hint_closes_on", tz=tz),
        ),
    ]
    return kit.modal(
        title=_p(locale, "modal_title"),
        submit=_p(locale, "modal_submit"),
        close=_p(locale, "modal_close"),
        blocks=blocks,
        callback_id=ID.SPEED_MODAL,
        private_metadata=json.dumps({}),
    )


def errors(locale: str, found: dict[str, str], **context: Any) -> dict[str, str]:
    """``{"program" | "closes_on": error key}`` -> Slack's ``response_action: errors`` map."""
    blocks = {"program": ID.SPEED_PROGRAM, "closes_on": ID.SPEED_CLOSES_ON}
    return {blocks[f].value: _p(locale, "err_" + key.replace(".", "_"), **context) for f, key in found.items()}


def started(locale: str, *, host: str, program: str, stats: dict[str, int], deadline: str, tz: str) -> dict[str, Any]:
    text = _t(
        locale,
        "started",
        host=host,
        program=program,
        people=stats.get("people", 0),
        intros=stats.get("intros", 0),
        without=stats.get("without", 0),
        deadline=deadline,
        tz=tz,
    )
    return kit.message(text, [kit.section(text)])


def closed_for_hosts(locale: str, *, program: str, program_id: int, counts: dict[str, int]) -> dict[str, Any]:
    text = _t(
        locale,
        "closed_hosts",
        program=program,
        people=counts.get("people", 0),
        answered=counts.get("answered", 0),
        mutual_yes=counts.get("mutual_yes", 0),
        mutual_maybe=counts.get("mutual_maybe", 0),
    )
    button = kit.button(_p(locale, "run_matching"), ID.MATCH_RUN, value=str(program_id), style="primary")
    return kit.message(text, [kit.section(text), kit.actions(button)])
