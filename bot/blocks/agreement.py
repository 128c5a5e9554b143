"""The working agreement and the pair's bold goals: the agreement's messages in the pair's group DM, reminders,
the change modal and the hosts' template modal; the goals modal, the goals in App Home and in the weekly thread.
Wording from templates/<locale>/agreement.j2; everything a person wrote is escaped by ``i18n.text``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.programs import date_text
from bot.domain import agreement as rules
from bot.domain.agreement import AGREED, OPEN, Card, HomePair
from bot.domain.text import truncate
from bot.ids import ID

SECTION_IDS: dict[str, ID] = {key: ID(f"agreement.f.{key}") for key in rules.SECTIONS}
GOAL_TEXT_IDS = (ID.GOAL_TEXT_1, ID.GOAL_TEXT_2, ID.GOAL_TEXT_3)
GOAL_DUE_IDS = (ID.GOAL_DUE_1, ID.GOAL_DUE_2, ID.GOAL_DUE_3)
PROGRESS_IDS: dict[int, ID] = {25: ID.GOAL_PROGRESS_25, 50: ID.GOAL_PROGRESS_50, 75: ID.GOAL_PROGRESS_75}
DONE_SHOWN = 3  # done goals listed in App Home, most recent first


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "agreement", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "agreement", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    """A one-section message from templates/<locale>/agreement.j2."""
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


# -- the agreement's text ------------------------------------------------------------------------------------
def goal_ideas(locale: str, bold_goals: Sequence[str]) -> list[str]:
    """The program's example goals, or the three default ideas."""
    ideas = [str(g) for g in bold_goals if str(g).strip()]
    return ideas or _p(locale, "goal_suggestions").splitlines()


def default_sections(locale: str, *, focus_question: str | None, bold_goals: Sequence[str]) -> dict[str, str]:
    """The default agreement in ``locale``, with the program's focus question and example goals, as plain text."""
    focus = focus_question or i18n.plain(locale, "common", "focus_question")
    goals = "; ".join(goal_ideas(locale, bold_goals))
    return {key: _p(locale, f"text_{key}", focus_question=focus, goals=goals) for key in rules.SECTIONS}


def section_title(locale: str, key: str) -> str:
    return _p(locale, f"title_{key}")


def _names(locale: str, names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {_p(locale, 'and')} " + names[-1]


def _section_blocks(locale: str, sections: Mapping[str, str]) -> list[kit.Block]:
    return [
        kit.section(_t(locale, "section", title=section_title(locale, key), text=sections[key]))
        for key in rules.SECTIONS
        if key in sections
    ]


def _status(locale: str, card: Card) -> str:
    accepted = [_p(locale, "accepted_by", name=a.name, date=date_text(locale, a.on)) for a in card.accepted]
    if card.state == AGREED:
        on = date_text(locale, card.agreed_on) if card.agreed_on else ""
        return _t(locale, "status_agreed", date=on, accepted=_names(locale, accepted))
    if card.state == OPEN:
        return _t(locale, "status_open", accepted=_names(locale, accepted), waiting=_names(locale, card.waiting))
    return _t(locale, "status_replaced")


def card_message(locale: str, card: Card) -> dict[str, Any]:
    """A version of the agreement in the pair's group DM: its text (a proposal: what it changes), who accepted it
    when, and the buttons its state allows."""
    if card.full:
        fallback = _p(locale, "card_fallback", program=card.program)
        blocks = [kit.header(_p(locale, "card_header")), kit.section(_t(locale, "card_intro", program=card.program))]
    else:
        proposer = card.proposer or ""
        fallback = _p(locale, "proposal_fallback", proposer=proposer)
        intro = _t(locale, "proposal_intro", proposer=proposer, partner=_names(locale, card.waiting) or "")
        if card.state != OPEN:
            intro = _t(locale, "proposal_fallback", proposer=proposer)
        blocks = [kit.header(_p(locale, "proposal_header")), kit.section(intro)]
        if card.note:
            blocks.append(kit.section(_t(locale, "proposal_note", proposer=proposer, note=card.note)))
    blocks.extend(_section_blocks(locale, card.sections))
    if not card.full:
        blocks.append(kit.context(_t(locale, "proposal_rest")))
    elif card.goal_ideas and card.state != rules.REPLACED:
        blocks.append(kit.context(_t(locale, "card_ideas", program=card.program, ideas="; ".join(card.goal_ideas))))
    blocks.append(kit.context(_status(locale, card)))
    buttons = []
    if card.state == OPEN:
        buttons.append(
            kit.button(_p(locale, "btn_accept"), ID.AGREEMENT_ACCEPT, value=str(card.version_id), style="primary")
        )
    if card.state in (OPEN, AGREED):
        buttons.append(kit.button(_p(locale, "btn_propose"), ID.AGREEMENT_PROPOSE, value=str(card.agreement_id)))
        if card.full:
            buttons.append(kit.button(_p(locale, "btn_goals"), ID.GOAL_OPEN, value=str(card.pair_id)))
    if buttons:
        blocks.append(kit.actions(*buttons))
    return kit.message(fallback, blocks)


def agreed_message(locale: str, *, on: date) -> dict[str, Any]:
    """The line in the group DM once both partners accepted a version."""
    return kit.message(_p(locale, "agreed_fallback"), [kit.section(_t(locale, "agreed", date=date_text(locale, on)))])


def reminder_message(
    locale: str,
    *,
    number: int,
    partner: str,
    program: str,
    agreement_id: int,
    version_id: int,
    sections: Mapping[str, str],
) -> dict[str, Any]:
    """A DM to someone who has not accepted yet: a kind word, the whole text as it would be agreed, the buttons."""
    return kit.message(
        _p(locale, "reminder_fallback", partner=partner),
        [
            kit.section(_t(locale, "reminder_1" if number == 1 else "reminder_2", partner=partner, program=program)),
            *_section_blocks(locale, sections),
            kit.actions(
                kit.button(_p(locale, "btn_accept"), ID.AGREEMENT_ACCEPT, value=str(version_id), style="primary"),
                kit.button(_p(locale, "btn_propose"), ID.AGREEMENT_PROPOSE, value=str(agreement_id)),
            ),
        ],
    )


def _section_inputs(locale: str, sections: Mapping[str, str], *, optional: bool) -> list[kit.Block]:
    return [
        inputs.input_block(
            SECTION_IDS[key],
            section_title(locale, key),
            inputs.text_input(initial=sections.get(key), multiline=True, max_length=rules.SECTION_MAX),
            optional=optional,
        )
        for key in rules.SECTIONS
    ]


def change_modal(locale: str, *, agreement_id: int, partner: str, sections: Mapping[str, str]) -> dict[str, Any]:
    """Propose a change: every section as it stands now, and an optional note to the partner."""
    return kit.modal(
        title=_p(locale, "change_title"),
        close=_p(locale, "close"),
        submit=_p(locale, "change_submit"),
        blocks=[
            kit.context(_t(locale, "change_intro", partner=partner)),
            *_section_inputs(locale, sections, optional=False),
            inputs.input_block(
                ID.AGREEMENT_NOTE,
                _p(locale, "change_note", partner=partner),
                inputs.text_input(multiline=True, max_length=rules.NOTE_MAX),
                optional=True,
                hint=_p(locale, "change_note_hint"),
            ),
        ],
        callback_id=ID.AGREEMENT_MODAL,
        private_metadata=json.dumps({"agreement_id": agreement_id}),
    )


def section_errors(locale: str, errors: Mapping[str, str]) -> dict[str, str]:
    """``{section key or "note": error}`` -> ``{block_id: message}`` for ``response_action: errors``."""
    out = {}
    for key, error in errors.items():
        if key == "note":
            out[ID.AGREEMENT_NOTE.value] = _p(locale, "err_note_too_long", max=rules.NOTE_MAX)
        else:
            out[SECTION_IDS[key].value] = _p(locale, f"err_{error}", max=rules.SECTION_MAX)
    return out


def template_modal(locale: str, *, program_id: int, name: str, sections: Mapping[str, str]) -> dict[str, Any]:
    """The hosts' template for a program: every section, prefilled with what new pairs get now."""
    return kit.modal(
        title=_p(locale, "template_title"),
        close=_p(locale, "close"),
        submit=_p(locale, "template_submit"),
        blocks=[
            kit.context(_t(locale, "template_intro", name=name)),
            *_section_inputs(locale, sections, optional=True),
        ],
        callback_id=ID.AGREEMENT_TEMPLATE_MODAL,
        private_metadata=json.dumps({"program_id": program_id}),
    )


# -- goals ---------------------------------------------------------------------------------------------------
def goals_modal(
    locale: str,
    *,
    pair_id: int,
    partner: str,
    slots: Sequence[tuple[int | None, str, date | None]],
    ideas: Sequence[str],
) -> dict[str, Any]:
    """Set 1–3 goals: each slot's text and optional due date (the pair's open goals first), and the program's
    example goals to pick from."""
    slots = list(slots)[: rules.SLOTS]
    slots += [(None, "", None)] * (rules.SLOTS - len(slots))
    blocks: list[kit.Block] = [kit.context(_t(locale, "goals_intro", partner=partner))]
    for n, (_goal_id, text, due) in enumerate(slots, start=1):
        idea = ideas[(n - 1) % len(ideas)] if ideas else ""
        blocks.append(
            inputs.input_block(
                GOAL_TEXT_IDS[n - 1],
                _p(locale, "goal_label", n=n),
                inputs.text_input(
                    initial=text or None,
                    max_length=rules.GOAL_TEXT_MAX,
                    placeholder=_p(locale, "goal_placeholder", idea=idea) if idea else None,
                ),
                optional=True,
            )
        )
        blocks.append(
            inputs.input_block(
                GOAL_DUE_IDS[n - 1],
                _p(locale, "goal_due", n=n),
                inputs.date_input(initial=due.isoformat() if due else None),
                optional=True,
            )
        )
    if ideas:
        options = [inputs.option(idea, idea) for idea in ideas]
        blocks.append(
            inputs.input_block(
                ID.GOAL_SUGGESTIONS,
                _p(locale, "goal_suggestions_label"),
                kit.multi_select(options, max_selected=rules.GOALS_MAX),
                optional=True,
                hint=_p(locale, "goal_suggestions_hint"),
            )
        )
    return kit.modal(
        title=_p(locale, "goals_title"),
        close=_p(locale, "close"),
        submit=_p(locale, "goals_submit"),
        blocks=blocks,
        callback_id=ID.GOAL_MODAL,
        private_metadata=json.dumps({"pair_id": pair_id, "slots": [s[0] for s in slots]}),
    )


def goal_errors(locale: str, errors: Mapping[str, str]) -> dict[str, str]:
    """``{"text.n" | "due.n" | "suggestions": error}`` -> ``{block_id: message}``."""
    out = {}
    for field, error in errors.items():
        kind, _, n = field.partition(".")
        if kind == "text":
            block = GOAL_TEXT_IDS[int(n) - 1]
        elif kind == "due":
            block = GOAL_DUE_IDS[int(n) - 1]
        else:
            block = ID.GOAL_SUGGESTIONS
        out[block.value] = _p(locale, f"goal_err_{error}", max=rules.GOAL_TEXT_MAX)
    return out


def progress_bar(progress: int) -> str:
    steps = max(0, min(4, progress // 25))
    return "▰" * steps + "▱" * (4 - steps)


def _goal_line(locale: str, goal: Mapping[str, Any]) -> str:
    if goal.get("proposed"):
        due = goal.get("due")
        return _t(locale, "goal_proposed_line", text=goal["text"], due=date_text(locale, due) if due else "")
    if goal.get("done"):
        on = goal.get("done_on")
        return _t(locale, "goal_done_line", text=goal["text"], on=date_text(locale, on) if on else "")
    due = goal.get("due")
    return _t(
        locale,
        "goal_line",
        text=goal["text"],
        due=date_text(locale, due) if due else "",
        bar=progress_bar(int(goal.get("progress") or 0)),
        progress=int(goal.get("progress") or 0),
    )


def goals_section(locale: str, goals: Sequence[Mapping[str, Any]]) -> list[kit.Block]:
    """The pair's goals for a message (the weekly thread): ``goals`` as ``bot.services.goals.goals_context``
    gives them (text, due, progress, done, done_on). No goals: no blocks."""
    if not goals:
        return []
    lines = [_goal_line(locale, goal) for goal in goals]
    return [kit.section(_t(locale, "goals_section_title") + "\n" + "\n".join(lines))]


def goals_posted(locale: str, *, who: str, goals: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """In the group DM after someone set the pair's goals: the open ones, and an Accept button for each proposed one
    (the partner's to press; the flow tells the proposer so)."""
    lines = [_goal_line(locale, goal) for goal in goals if not goal.get("done")]
    proposed = [goal for goal in goals if goal.get("proposed") and not goal.get("done")]
    blocks: list[kit.Block] = [kit.section(_t(locale, "goals_posted", who=who) + "\n" + "\n".join(lines))]
    if proposed:
        blocks.append(kit.context(_t(locale, "goals_proposed_hint", who=who)))
        blocks.extend(  # one actions block each: an action_id is unique within its block
            kit.actions(
                kit.button(
                    _p(locale, "btn_accept_goal", text=truncate(str(goal["text"]), 40)),
                    ID.GOAL_ACCEPT,
                    value=str(goal["id"]),
                )
            )
            for goal in proposed[: rules.SLOTS]
        )
    return kit.message(_p(locale, "goals_fallback", who=who), blocks)


def goal_change_posted(locale: str, change: str, *, who: str, text: str) -> dict[str, Any]:
    """In the group DM when a proposed goal was accepted (``change``: "accepted") or withdrawn ("withdrawn")."""
    return kit.message(
        _p(locale, f"goal_{change}_fallback", who=who),
        [kit.section(_t(locale, f"goal_{change}_posted", who=who, text=text))],
    )


def goal_done_posted(locale: str, *, who: str, text: str) -> dict[str, Any]:
    return kit.message(
        _p(locale, "goal_done_fallback", who=who), [kit.section(_t(locale, "goal_done_posted", who=who, text=text))]
    )


def goals_command(locale: str, *, waiting: Sequence[tuple[int, str, str]] = ()) -> dict[str, Any]:
    """``/tandem goals``: the button that opens the caller's goals; and each goal a partner proposed that waits for
    the caller (``waiting``: goal id, text, proposer), with Accept."""
    text = _t(locale, "goals_command")
    blocks: list[kit.Block] = [
        kit.section(text),
        kit.actions(kit.button(_p(locale, "btn_open_goals"), ID.GOAL_OPEN, value="", style="primary")),
    ]
    for goal_id, goal, who in waiting[: rules.SLOTS * 5]:
        line = kit.section(_t(locale, "goal_waiting_line", text=goal, who=who))
        line["accessory"] = kit.button(_p(locale, "btn_accept"), ID.GOAL_ACCEPT, value=str(goal_id)).to_dict()
        blocks.append(line)
    return kit.message(text, blocks)


def pick_pair(locale: str, pairs: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """Someone with several tandems: one button per tandem (value: the pair id)."""
    text = _t(locale, "pick_pair")
    buttons = [
        kit.button(_p(locale, "btn_goals_with", partner=name), ID.GOAL_OPEN, value=str(pid)) for pid, name in pairs
    ]
    return kit.message(text, [kit.section(text), *(kit.actions(b) for b in buttons[:10])])


# -- App Home ------------------------------------------------------------------------------------------------
def _goal_buttons(locale: str, goal_id: int, progress: int) -> kit.Block:
    value = str(goal_id)
    buttons = [
        kit.button(_p(locale, "btn_percent", n=n), action, value=value, style="primary" if progress == n else None)
        for n, action in PROGRESS_IDS.items()
    ]
    buttons.append(kit.button(_p(locale, "btn_done"), ID.GOAL_DONE, value=value))
    return kit.actions(*buttons)


def home_section(locale: str, items: Sequence[HomePair]) -> list[kit.Block]:
    """Per tandem: the agreement's status for the reader (an Accept button when it waits for them) and the pair's
    goals with one-click progress."""
    blocks: list[kit.Block] = []
    for item in items:
        context = {"partner": item.partner, "program": item.program}
        blocks.append(kit.divider())
        if item.status == "agreed" and item.agreed_on is not None:
            blocks.append(kit.section(_t(locale, "home_agreed", date=date_text(locale, item.agreed_on), **context)))
        elif item.status in ("waiting_you", "waiting_partner"):
            blocks.append(kit.section(_t(locale, f"home_{item.status}", **context)))
        else:
            blocks.append(kit.section(_t(locale, "home_none", **context)))
        if item.status == "waiting_you" and item.version_id is not None and item.agreement_id is not None:
            blocks.append(
                kit.actions(
                    kit.button(
                        _p(locale, "btn_accept"), ID.AGREEMENT_ACCEPT, value=str(item.version_id), style="primary"
                    ),
                    kit.button(_p(locale, "btn_propose"), ID.AGREEMENT_PROPOSE, value=str(item.agreement_id)),
                )
            )
        open_goals = [g for g in item.goals if g.done_on is None]
        done = sorted(
            (g for g in item.goals if g.done_on is not None), key=lambda g: g.done_on or date.min, reverse=True
        )
        title = _t(locale, "home_goals_title")
        goals_head = kit.section(title if open_goals or done else title + "\n" + _t(locale, "home_no_goals", **context))
        label = "btn_edit_goals" if open_goals else "btn_set_goals"
        goals_head["accessory"] = kit.button(_p(locale, label), ID.GOAL_OPEN, value=str(item.pair_id)).to_dict()
        blocks.append(goals_head)
        for goal in open_goals:
            data = {"text": goal.text, "due": goal.due, "progress": goal.progress, "done": False}
            if goal.proposed:
                line = kit.section(_goal_line(locale, {**data, "proposed": True}))
                if goal.mine:
                    button = kit.button(_p(locale, "btn_withdraw_goal"), ID.GOAL_WITHDRAW, value=str(goal.id))
                else:
                    button = kit.button(_p(locale, "btn_accept"), ID.GOAL_ACCEPT, value=str(goal.id), style="primary")
                line["accessory"] = button.to_dict()
                blocks.append(line)
                continue
            blocks.append(kit.section(_goal_line(locale, data)))
            blocks.append(_goal_buttons(locale, goal.id, goal.progress))
        for goal in done[:DONE_SHOWN]:
            line = kit.section(_goal_line(locale, {"text": goal.text, "done": True, "done_on": goal.done_on}))
            line["accessory"] = kit.button(_p(locale, "btn_reopen"), ID.GOAL_REOPEN, value=str(goal.id)).to_dict()
            blocks.append(line)
    return blocks
