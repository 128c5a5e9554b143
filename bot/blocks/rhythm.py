"""The weekly rhythm's Block Kit: the week's prompt in the pair's thread, the notes around it, the DM nudges,
the hosts' silence flag (names, never content), the modals (answer, what we agreed, cancel, move, pause) and
the App Home section. Wording in templates/<locale>/rhythm.j2."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.programs import date_text, weekday_text
from bot.domain import rhythm as rules
from bot.domain.localtime import zone
from bot.ids import ID

NAME = "rhythm"


def _t(locale: str, block: str, **kw: Any) -> str:
    return i18n.text(locale, NAME, block, **kw)


def _p(locale: str, block: str, **kw: Any) -> str:
    return i18n.plain(locale, NAME, block, **kw)


def question_text(locale: str, question: str | None) -> str:
    """The program's own focus question, or the localized default."""
    return question or i18n.plain(locale, "common", "focus_question")


def day_text(locale: str, day: date) -> str:
    """A calendar day both partners share: "Monday 5 Apr 2027" / "Montag, 5.4.2027"."""
    return _p(locale, "day", weekday=weekday_text(locale, day.weekday()), date=date_text(locale, day))


def thread_url(team_id: str, channel_id: str) -> str:
    """A link that opens the pair's group DM in Slack (documented ``app_redirect``); the prompt is its newest
    top-level message."""
    return "https://slack.com/app_redirect?" + urlencode({"channel": channel_id, "team": team_id})


def _note(locale: str, block: str, *, fallback: str | None = None, **kw: Any) -> dict[str, Any]:
    text = _t(locale, block, **kw)
    return kit.message(_p(locale, fallback, **kw) if fallback else text, [kit.section(text)])


# -- the week's prompt ---------------------------------------------------------------------------------------
def prompt(
    locale: str,
    *,
    week_id: int,
    number: int,
    program: str,
    question: str | None,
    card: str,
    agreed: dict[str, Any] | None = None,
    goals: list[kit.Block] | None = None,
    roles: WeekRoles | None = None,
    live_pair: int | None = None,
    preps: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The new top-level message of week ``number``: the focus question, who moderates this week (and in the first
    week, who proposes the logistics), the practices for each side, last week's "what we agreed", the pair's goals
    (when there are any), the method card, the session rhythm, and the four buttons (value: the week id); for a pair
    that works live or mixed (``live_pair``: its id) a fifth, *Find a live slot*."""
    asked = question_text(locale, question)
    value = str(week_id)
    blocks: list[kit.Block] = [
        kit.header(_p(locale, "prompt_header", number=number, program=program)),
        kit.section(_t(locale, "prompt_question", question=asked)),
    ]
    if roles is not None:
        blocks.extend(_roles(locale, roles, first=number == 1))
    if agreed:
        blocks.append(
            kit.section(
                _t(
                    locale,
                    "prompt_agreed",
                    number=agreed["number"],
                    homework=agreed["homework"],
                    next_step=agreed["next_step"],
                )
            )
        )
    blocks.extend(goals or [])
    blocks.extend(prep_blocks(locale, preps))
    blocks.append(
        kit.section(
            _t(locale, "prompt_card", title=_p(locale, f"card_{card}_title"), how=_p(locale, f"card_{card}_how"))
        )
    )
    steps = "\n".join(_t(locale, f"step_{step}") for step in rules.SESSION_STEPS)
    blocks.append(kit.section(_t(locale, "prompt_rhythm") + "\n" + steps))
    blocks.append(
        kit.actions(
            kit.button(_p(locale, "answer_button"), ID.RHYTHM_ANSWER, value=value, style="primary"),
            kit.button(_p(locale, "agreed_button"), ID.RHYTHM_AGREED, value=value),
            kit.button(_p(locale, "cancel_button"), ID.RHYTHM_CANCEL, value=value),
            kit.button(_p(locale, "move_button"), ID.RHYTHM_MOVE, value=value),
            *([kit.button(_p(locale, "live_button"), ID.LIVE_FIND, value=str(live_pair))] if live_pair else []),
            kit.button(_p(locale, "card_button"), ID.RHYTHM_CARD, value=value),
        )
    )
    blocks.append(kit.context(_t(locale, "prompt_how")))
    return kit.message(_p(locale, "prompt_fallback", number=number, question=asked), blocks)


@dataclass(frozen=True)
class WeekRoles:
    """A week's roles by Slack user id (``bot.domain.rhythm.roles``): who moderates, who next week (None in the last);
    who proposes the logistics (None: either); the partner bringing digital skills and the one bringing context (None:
    not such a pair)."""

    moderator: str
    next_moderator: str | None  # None: the program's last week
    logistics: str | None = None
    digital: str | None = None
    context: str | None = None


def _roles(locale: str, roles: WeekRoles, *, first: bool) -> list[kit.Block]:
    text = _t(locale, "prompt_moderator", moderator=roles.moderator, next=roles.next_moderator)
    if first:
        if roles.logistics is not None:
            text += "\n" + _t(locale, "prompt_logistics", person=roles.logistics)
        else:
            text += "\n" + _t(locale, "prompt_logistics_either")
    if roles.digital is not None and roles.context is not None:
        practices = _t(locale, "prompt_practices", digital=roles.digital, context=roles.context)
    else:
        practices = _t(locale, "prompt_practices_both")
    return [kit.section(text), kit.context(practices)]


def list_text(locale: str, items: list[str]) -> str:
    """Items as a sentence: "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_p(locale, 'and')} " + items[-1]


def skip_note(locale: str, *, number: int, names: list[str], until: date) -> dict[str, Any]:
    """In the thread instead of a week's prompt: who is on a break (never why), and that prompts come back."""
    return _note(
        locale,
        "skip_note",
        fallback="skip_fallback",
        number=number,
        names=list_text(locale, names),
        count=len(names),
        until=date_text(locale, until),
    )


def pause_note(locale: str, *, name: str, until: date | None) -> dict[str, Any]:
    """In the thread when a partner starts (``until``) or ends (None) a break: neutral, no reason."""
    if until is None:
        return _note(locale, "resume_note", name=name)
    return _note(locale, "pause_note", name=name, until=date_text(locale, until))


# -- nudges --------------------------------------------------------------------------------------------------
def nudge(locale: str, *, number: int, partner: str, question: str | None, url: str) -> dict[str, Any]:
    """The DM at a later partner's own hour: the week's question is waiting in the thread."""
    asked = question_text(locale, question)
    return _note(locale, "nudge", fallback="nudge_fallback", number=number, partner=partner, question=asked, url=url)


def midweek(locale: str, *, number: int, partner: str, question: str | None, url: str, until: date) -> dict:
    """The one gentle mid-week DM to a partner who has not answered."""
    asked = question_text(locale, question)
    return _note(
        locale,
        "midweek",
        fallback="midweek_fallback",
        number=number,
        partner=partner,
        question=asked,
        url=url,
        until=day_text(locale, until),
    )


def silence(locale: str, *, program: str, a_id: str, b_id: str, weeks: list[int]) -> dict[str, Any]:
    """For the hosts: which pair has been quiet and for how long; nothing of what they wrote, ever."""
    return _note(
        locale,
        "silence",
        fallback="silence_fallback",
        program=program,
        a=a_id,
        b=b_id,
        weeks=len(weeks),
        numbers=list_text(locale, [str(n) for n in weeks]),
    )


def silence_count(locale: str, *, program: str, pairs: int, weeks: int) -> dict[str, Any]:
    """For the hosts of a program with named silence flags off: how many pairs went quiet, never which."""
    return _note(locale, "silence_count", fallback="silence_count_fallback", program=program, pairs=pairs, weeks=weeks)


# -- in the thread after a button ----------------------------------------------------------------------------
def answer_posted(locale: str, *, name: str, text: str) -> dict[str, Any]:
    return _note(locale, "answer_posted", fallback="answer_posted_fallback", name=name, text=text)


def agreed_posted(
    locale: str, *, number: int, name: str, homework: str, next_step: str, updated: bool
) -> dict[str, Any]:
    return _note(
        locale,
        "agreed_posted",
        fallback="agreed_posted_fallback",
        number=number,
        name=name,
        homework=homework,
        next_step=next_step,
        updated=updated,
    )


def cancelled_note(locale: str, *, name: str, number: int, day: date, current: bool) -> dict[str, Any]:
    return _note(
        locale,
        "cancelled_note",
        name=name,
        number=number,
        day=day_text(locale, day),
        current=current,
    )


def moved_note(locale: str, *, name: str, number: int, old: date, new: date) -> dict[str, Any]:
    return _note(
        locale,
        "moved_note",
        name=name,
        number=number,
        old=day_text(locale, old),
        new=day_text(locale, new),
    )


def prep_blocks(locale: str, preps: Sequence[Mapping[str, str]]) -> list[kit.Block]:
    """Each partner's preparation ("what I bring, what I need from you"), one section each (escaped)."""
    return [
        kit.section(_t(locale, "prep_item", name=p["name"], bring=p["bring"], need=p["need"])[:3000]) for p in preps
    ]


def prep_posted(locale: str, *, number: int, items: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """In the week's thread: a preparation filled in after the week's prompt."""
    names = ", ".join(p["name"] for p in items)
    return kit.message(_p(locale, "prep_posted_fallback", name=names, number=number), prep_blocks(locale, items))


def prep_dm(locale: str, *, prep_id: int, number: int, partner: str, program: str, day: date) -> dict[str, Any]:
    """The evening before the week's prompt: the preparation, with the button that opens it (value: its id)."""
    text = _t(locale, "prep_dm", number=number, partner=partner, program=program, day=day_text(locale, day))
    return kit.message(
        _p(locale, "prep_dm_fallback", number=number),
        [
            kit.section(text),
            kit.actions(kit.button(_p(locale, "prep_button"), ID.PREP_OPEN, value=str(prep_id), style="primary")),
        ],
    )


def prep_modal(locale: str, *, prep_id: int, number: int, bring: str | None, need: str | None) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "prep_title"),
        submit=_p(locale, "prep_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.PREP_MODAL,
        private_metadata=json.dumps({"prep_id": prep_id}),
        blocks=[
            kit.section(_t(locale, "prep_intro", number=number)),
            inputs.input_block(
                ID.PREP_BRING,
                _p(locale, "prep_bring_label"),
                inputs.text_input(initial=bring, multiline=True, max_length=rules.PREP_MAX),
                optional=True,
            ),
            inputs.input_block(
                ID.PREP_NEED,
                _p(locale, "prep_need_label"),
                inputs.text_input(initial=need, multiline=True, max_length=rules.PREP_MAX),
                optional=True,
            ),
        ],
    )


def prep_id_of(view: dict[str, Any]) -> int | None:
    try:
        value = json.loads(view.get("private_metadata") or "{}").get("prep_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def card_chosen(locale: str, *, name: str, number: int, card: str) -> dict[str, Any]:
    """In the week's thread: the method card the pair chose for this week, with how it works."""
    title, how = _p(locale, f"card_{card}_title"), _p(locale, f"card_{card}_how")
    text = _t(locale, "card_chosen", name=name, number=number, title=title, how=how)
    return kit.message(_p(locale, "card_chosen_fallback", name=name, number=number, title=title), [kit.section(text)])


def note(locale: str, key: str) -> dict[str, Any]:
    """A short answer only the clicker sees (``not_yours``, ``week_over``, ...)."""
    return _note(locale, key)


# -- modals --------------------------------------------------------------------------------------------------
def _meta(week_id: int) -> str:
    return json.dumps({"week_id": week_id})


def week_id_of(view: dict[str, Any]) -> int | None:
    try:
        value = json.loads(view.get("private_metadata") or "{}").get("week_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def answer_modal(locale: str, *, week_id: int, number: int, question: str | None) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "answer_title"),
        submit=_p(locale, "answer_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_ANSWER_MODAL,
        private_metadata=_meta(week_id),
        blocks=[
            kit.section(_t(locale, "answer_intro", number=number, question=question_text(locale, question))),
            inputs.input_block(
                ID.RHYTHM_ANSWER_TEXT,
                _p(locale, "answer_label"),
                inputs.text_input(multiline=True, max_length=rules.ANSWER_MAX),
                hint=_p(locale, "answer_hint"),
            ),
        ],
    )


def agreed_modal(
    locale: str, *, week_id: int, number: int, homework: str | None, next_step: str | None
) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "agreed_title"),
        submit=_p(locale, "agreed_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_AGREED_MODAL,
        private_metadata=_meta(week_id),
        blocks=[
            kit.section(_t(locale, "agreed_intro", number=number)),
            inputs.input_block(
                ID.RHYTHM_HOMEWORK,
                _p(locale, "homework_label"),
                inputs.text_input(initial=homework, multiline=True, max_length=rules.AGREED_MAX),
                hint=_p(locale, "homework_hint"),
            ),
            inputs.input_block(
                ID.RHYTHM_NEXT_STEP,
                _p(locale, "next_step_label"),
                inputs.text_input(initial=next_step, max_length=rules.AGREED_MAX),
                hint=_p(locale, "next_step_hint"),
            ),
        ],
    )


def card_modal(locale: str, *, week_id: int, number: int, current: str) -> dict[str, Any]:
    """Choose the week's method card: every card with how it works; the week's card is picked."""
    options = [
        inputs.option(_p(locale, f"card_{key}_title"), key, description=_p(locale, f"card_{key}_short"))
        for key in rules.METHOD_CARDS
    ]
    return kit.modal(
        title=_p(locale, "card_title"),
        submit=_p(locale, "card_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_CARD_MODAL,
        private_metadata=_meta(week_id),
        blocks=[
            kit.section(_t(locale, "card_intro", number=number)),
            inputs.input_block(
                ID.RHYTHM_CARD_PICK, _p(locale, "card_label"), kit.radio_buttons(options, initial=current)
            ),
        ],
    )


@dataclass(frozen=True)
class WeekChoice:
    """A week the cancel / move modal offers: its number, its day, and whether it is the week under way."""

    number: int
    day: date
    current: bool = False


def _week_options(locale: str, choices: list[WeekChoice]) -> list[dict[str, Any]]:
    return [
        inputs.option(
            _p(
                locale,
                "week_option_current" if c.current else "week_option",
                number=c.number,
                day=day_text(locale, c.day),
            ),
            str(c.number),
        )
        for c in choices
    ]


def cancel_modal(locale: str, *, week_id: int, choices: list[WeekChoice]) -> dict[str, Any]:
    options = _week_options(locale, choices)
    return kit.modal(
        title=_p(locale, "cancel_title"),
        submit=_p(locale, "cancel_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_CANCEL_MODAL,
        private_metadata=_meta(week_id),
        blocks=[
            kit.section(_t(locale, "cancel_intro")),
            inputs.input_block(
                ID.RHYTHM_WEEK, _p(locale, "week_label"), kit.radio_buttons(options, initial=options[0]["value"])
            ),
        ],
    )


def move_modal(locale: str, *, week_id: int, choices: list[WeekChoice], hour: int) -> dict[str, Any]:
    options = _week_options(locale, choices)
    return kit.modal(
        title=_p(locale, "move_title"),
        submit=_p(locale, "move_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_MOVE_MODAL,
        private_metadata=_meta(week_id),
        blocks=[
            kit.section(_t(locale, "move_intro", hour=f"{hour:02d}")),
            inputs.input_block(
                ID.RHYTHM_WEEK, _p(locale, "week_label"), kit.radio_buttons(options, initial=options[0]["value"])
            ),
            inputs.input_block(
                ID.RHYTHM_MOVE_TO, _p(locale, "move_to_label"), inputs.date_input(initial=choices[0].day.isoformat())
            ),
        ],
    )


def pause_modal(locale: str, *, initial: date) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "pause_title"),
        submit=_p(locale, "pause_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.RHYTHM_PAUSE_MODAL,
        blocks=[
            kit.section(_t(locale, "pause_intro")),
            inputs.input_block(
                ID.RHYTHM_PAUSE_UNTIL, _p(locale, "pause_label"), inputs.date_input(initial=initial.isoformat())
            ),
        ],
    )


FIELDS = {
    "answer": ID.RHYTHM_ANSWER_TEXT,
    "homework": ID.RHYTHM_HOMEWORK,
    "next_step": ID.RHYTHM_NEXT_STEP,
    "week": ID.RHYTHM_WEEK,
    "move_to": ID.RHYTHM_MOVE_TO,
    "pause": ID.RHYTHM_PAUSE_UNTIL,
    "card": ID.RHYTHM_CARD_PICK,
    "bring": ID.PREP_BRING,
}


def errors(locale: str, found: dict[str, str], **context: Any) -> dict[str, str]:
    """``{field: error key}`` -> Slack's ``response_action: errors`` map (``err_<key>`` in rhythm.j2)."""
    return {FIELDS[f].value: _p(locale, "err_" + key.replace(".", "_"), **context) for f, key in found.items()}


def error_text(locale: str, key: str, **context: Any) -> str:
    return _p(locale, "err_" + key.replace(".", "_"), **context)


# -- /tandem pause -------------------------------------------------------------------------------------------
def pause_answer(locale: str, key: str, *, until: date | None = None, error: str = "", example: str = "") -> dict:
    """The ephemeral answer to ``/tandem pause ...``: ``pause_set``, ``pause_off``, ``pause_status``,
    ``pause_not_paused`` or ``pause_error``."""
    return _note(locale, key, until=date_text(locale, until) if until else "", error=error, example=example)


# -- App Home ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NextPrompt:
    program: str
    partner: str
    number: int | None  # None: no more prompts planned
    at: datetime | None  # the person's own moment


@dataclass(frozen=True)
class RhythmHome:
    """What Home shows of the rhythm: each active tandem's next prompt, and the person's break."""

    tz: str
    paused_until: date | None = None  # only while the break lasts
    next_prompts: list[NextPrompt] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.next_prompts) or self.paused_until is not None


def home_section(locale: str, info: RhythmHome | None) -> list[kit.Block]:
    """Home: "your next prompt: <weekday, date, time> your time" per tandem, and the break with its button."""
    if info is None or not info.shown:
        return []
    lines = [_t(locale, "home_title")]
    for entry in info.next_prompts:
        if entry.at is None or entry.number is None:
            lines.append(_t(locale, "home_none", program=entry.program))
            continue
        local = entry.at.astimezone(zone(info.tz))
        lines.append(
            _t(
                locale,
                "home_next",
                program=entry.program,
                partner=entry.partner,
                number=entry.number,
                weekday=weekday_text(locale, local.weekday()),
                date=date_text(locale, local.date()),
                time=local.strftime("%H:%M"),
            )
        )
    if info.paused_until is not None:
        lines.append(_t(locale, "home_paused", until=date_text(locale, info.paused_until)))
        button = kit.button(_p(locale, "resume_button"), ID.RHYTHM_RESUME)
    else:
        lines.append(_t(locale, "home_not_paused"))
        button = kit.button(_p(locale, "pause_button"), ID.RHYTHM_PAUSE)
    return [kit.divider(), kit.section("\n".join(lines)), kit.actions(button)]
