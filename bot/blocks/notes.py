"""Notes: the "Add a note" button, the note modal, listings (own, hosts', program), App Home's section, the
answers to ``/tandem note`` and ``/tandem notes``, and the Markdown export.

Every note shown here comes from ``bot.services.notes``, which lets through only what ``may_see`` allows for
the reader and the place. Note text is user text: it is escaped for mrkdwn by ``i18n.text`` and for Markdown
by ``markdown_escape``; links are rendered by Tandem itself, showing their real target.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ButtonElement

from bot import i18n
from bot.blocks import kit
from bot.blocks.escalation import help_button
from bot.blocks.inputs import checkboxes, input_block, option, static_select, text_input
from bot.blocks.note_share import audience, audience_of, beyond, links_markup
from bot.blocks.programs import date_text
from bot.domain import notes as rules
from bot.domain.notes import NoteError, ShareState, Visibility
from bot.ids import ID

HOME_NOTES_PER_PAIR = 5
LISTING_NOTES_PER_PAIR = 10
MESSAGE_BLOCKS_MAX = kit.MESSAGE_BLOCKS_MAX


# -- what the renderers take (``bot.services.notes`` builds them) ---------------------------------------------
@dataclass(frozen=True)
class NoteView:
    """A note as one reader may see it in one place."""

    id: int
    pair_id: int
    program: str
    author: str
    mine: bool
    text: str
    topic: str | None
    links: tuple[str, ...]
    visibility: Visibility
    red: bool  # red itself or under a red topic: shown with a red marker, only ever inside the pair
    note_red: bool
    topic_red: bool
    can_lift: bool  # the reader marked it red (or wrote it red), so they may lift it
    created_at: datetime
    share_state: ShareState | None = None  # hosts and program notes: asked, agreed or declined by the partner


@dataclass(frozen=True)
class PairNotes:
    """One of the reader's pairs with the notes they may see there, newest first."""

    pair_id: int
    program: str
    partner: str
    active: bool
    notes: list[NoteView]


@dataclass(frozen=True)
class NotesHome:
    """What App Home shows of notes: the person's active pairs with what they may see, the pairs' red topics,
    and whether they are in a program at all (for "I need help")."""

    pairs: list[PairNotes]
    red_topics: dict[int, list[str]]
    in_program: bool


def _t(locale: str, block: str, **kw: Any) -> str:
    return i18n.text(locale, "notes", block, **kw)


def _p(locale: str, block: str, **kw: Any) -> str:
    return i18n.plain(locale, "notes", block, **kw)


# -- buttons (for the weekly prompt in the pair's thread, App Home and Tandem's own messages) ----------------
def note_button(locale: str, pair_id: int | None = None) -> ButtonElement:
    """ "Add a note": opens the note modal for the pair (``pair_id``; None lets the person pick)."""
    return kit.button(_p(locale, "btn_add"), ID.NOTE_ADD, value=str(pair_id) if pair_id else "")


def export_button(locale: str) -> ButtonElement:
    return kit.button(_p(locale, "btn_export"), ID.NOTES_EXPORT)


def red_button(locale: str, note: NoteView) -> ButtonElement | None:
    """Mark red, or lift red for whoever marked it; None when the reader cannot change it."""
    if not note.note_red:
        return kit.button(_p(locale, "btn_mark_red"), ID.NOTE_TOGGLE_RED, value=str(note.id))
    if note.can_lift:
        return kit.button(_p(locale, "btn_lift_red"), ID.NOTE_TOGGLE_RED, value=str(note.id))
    return None


# -- the modal ------------------------------------------------------------------------------------------------
def _visibility_options(locale: str) -> list[dict[str, Any]]:
    return [option(_p(locale, f"vis_{v.value}"), v.value) for v in Visibility]


def note_modal(
    locale: str,
    *,
    source: str,
    pairs: list[tuple[int, str, str]],
    pair_id: int | None,
    text: str = "",
    topic: str | None = None,
    links: tuple[str, ...] = (),
    visibility: Visibility = rules.DEFAULT_VISIBILITY,
    red: bool = False,
) -> dict[str, Any]:
    """The note modal. ``pairs``: (pair id, partner, program) of the person's active pairs; with one pair (or a
    given ``pair_id``) there is no picker."""
    blocks: list[kit.Block] = []
    if pair_id is None and len(pairs) > 1:
        blocks.append(
            input_block(
                ID.NOTE_PAIR,
                _p(locale, "f_pair"),
                static_select(
                    [
                        option(_p(locale, "pair_option", partner=partner, program=program), str(pid))
                        for pid, partner, program in pairs
                    ]
                ),
            )
        )
    elif pair_id is None and pairs:
        pair_id = pairs[0][0]
    if source == "shortcut":
        blocks.append(kit.context(_t(locale, "modal_from_message")))
    blocks += [
        input_block(
            ID.NOTE_TEXT,
            _p(locale, "f_text"),
            text_input(
                initial=text[: rules.TEXT_MAX] or None,
                multiline=True,
                max_length=rules.TEXT_MAX,
                placeholder=_p(locale, "f_text_placeholder"),
            ),
            optional=True,
        ),
        input_block(
            ID.NOTE_TOPIC,
            _p(locale, "f_topic"),
            text_input(initial=(topic or "")[: rules.TOPIC_MAX] or None, max_length=rules.TOPIC_MAX),
            optional=True,
            hint=_p(locale, "f_topic_hint"),
        ),
        input_block(
            ID.NOTE_LINKS,
            _p(locale, "f_links"),
            text_input(initial="\n".join(links)[:3000] or None, multiline=True, max_length=3000),
            optional=True,
            hint=_p(locale, "f_links_hint"),
        ),
        input_block(
            ID.NOTE_VISIBILITY,
            _p(locale, "f_visibility"),
            kit.radio_buttons(_visibility_options(locale), initial=visibility.value),
        ),
        input_block(
            ID.NOTE_RED,
            _p(locale, "f_red"),
            checkboxes([option(_p(locale, "red_option"), "red")], checked=["red"] if red else []),
            optional=True,
        ),
        kit.context(_t(locale, "modal_red_hint")),
        kit.context(_t(locale, "modal_syntax")),
    ]
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        blocks=blocks,
        callback_id=ID.NOTE_MODAL,
        private_metadata=json.dumps({"source": source, "pair_id": pair_id}),
    )


def no_pair_modal(locale: str) -> dict[str, Any]:
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_done"),
        blocks=[kit.section(_t(locale, "no_pair"))],
        callback_id=ID.NOTE_MODAL,
    )


def saved_text(locale: str, *, partner: str, draft: rules.NoteDraft, topic_red: bool = False) -> str:
    """Saved, and who reads it: a hosts or program note waits for the partner's OK (they were asked), and under a
    red topic (``topic_red``) stays in the pair while the topic is red."""
    asked = rules.needs_consent(draft.visibility, red=draft.red)
    return _t(
        locale,
        "saved",
        partner=partner,
        audience=audience(locale, draft.visibility),
        asked=asked,
        beyond=beyond(locale, draft.visibility) if asked else "",
        topic=draft.topic,
        red=draft.red,
        topic_red=topic_red and asked,  # only a note that would leave the pair waits for the topic
    )


def saved_view(locale: str, *, partner: str, draft: rules.NoteDraft, topic_red: bool = False) -> dict[str, Any]:
    """What the note modal turns into once saved."""
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_done"),
        blocks=[kit.section(saved_text(locale, partner=partner, draft=draft, topic_red=topic_red))],
        callback_id=ID.NOTE_MODAL,
    )


def error_text(locale: str, error: NoteError | str, detail: str = "") -> str:
    """A field error for the modal (plain text)."""
    return _p(locale, f"err_{NoteError(error).value}", detail=detail)


# -- answers to /tandem note and /tandem notes -----------------------------------------------------------------
def _message(text: str, blocks: list[kit.Block]) -> dict[str, Any]:
    return kit.message(text, blocks[:MESSAGE_BLOCKS_MAX])


def note_saved(
    locale: str, *, partner: str, draft: rules.NoteDraft, note_id: int, pair_id: int, topic_red: bool = False
) -> dict[str, Any]:
    buttons = [note_button(locale, pair_id)]
    if not draft.red:
        buttons.insert(0, kit.button(_p(locale, "btn_mark_red"), ID.NOTE_TOGGLE_RED, value=str(note_id)))
    return _message(
        _t(locale, "saved_fallback", partner=partner),
        [kit.section(saved_text(locale, partner=partner, draft=draft, topic_red=topic_red)), kit.actions(*buttons)],
    )


def command_error(locale: str, error: NoteError, detail: str, text: str) -> dict[str, Any]:
    """A note that could not be saved, with what the person typed, so nothing is lost."""
    problem = error_text(locale, error, detail)
    blocks = [kit.section(_t(locale, "command_error", problem=problem))]
    if text.strip():
        blocks.append(kit.section(_t(locale, "echo", text=text.replace("```", "'''"))))
    return _message(problem, blocks)


def notice(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return _message(text, [kit.section(text)])


def no_pair(locale: str, *, typed: str = "") -> dict[str, Any]:
    """No tandem yet; what the person typed comes back, so nothing is lost."""
    message = notice(locale, "no_pair")
    if typed.strip():
        message["blocks"].append(kit.section(_t(locale, "echo", text=typed.replace("```", "'''"))))
    return message


def pair_error(locale: str) -> str:
    return _p(locale, "err_pair")


def topic_results(locale: str, *, topic: str, results: list[tuple[str, str]]) -> dict[str, Any]:
    """``/tandem notes red|unred [topic]``: one line per pair, (outcome, partner)."""
    text = "\n".join(_t(locale, f"topic_{outcome}", topic=topic, partner=partner) for outcome, partner in results)
    return _message(text, [kit.section(text)])


def export_title(locale: str) -> str:
    return _p(locale, "export_title")


def export_comment(locale: str) -> str:
    return _t(locale, "export_comment")


def _note_blocks(
    locale: str, note: NoteView, *, tz: str, meta: str = "note_meta", toggle: bool = False
) -> list[kit.Block]:
    """One note: its text (red marked :red_circle:), then author, date and who may read it, then its links."""
    text = _t(locale, "note_text", red=note.red, topic=note.topic, text=note.text)
    block = kit.section(text)
    button = red_button(locale, note) if toggle else None
    if button is not None:
        block["accessory"] = button.to_dict()
    when = date_text(locale, note.created_at.astimezone(ZoneInfo(tz)).date())
    context = [
        _t(
            locale,
            meta,
            author=note.author,
            date=when,
            audience=audience_of(locale, note.visibility, note.share_state),
            topic_red=note.topic_red,
            program=note.program,
        )
    ]
    if note.links:
        context.append(_t(locale, "note_links", links=links_markup(note.links)))
    return [block, kit.context(*context)]


def _pair_title(locale: str, pair: PairNotes) -> str:
    return _t(locale, "list_title" if pair.active else "list_title_ended", partner=pair.partner, program=pair.program)


def _pair_section(
    locale: str, pair: PairNotes, *, tz: str, limit: int, toggle: bool, red_topics: list[str]
) -> list[kit.Block]:
    blocks: list[kit.Block] = [kit.section(_pair_title(locale, pair))]
    if red_topics:
        blocks.append(kit.context(_t(locale, "red_topics", topics=", ".join(red_topics))))
    if not pair.notes:
        blocks.append(kit.context(_t(locale, "list_empty")))
    for note in pair.notes[:limit]:
        blocks += _note_blocks(locale, note, tz=tz, toggle=toggle)
    if len(pair.notes) > limit:
        blocks.append(kit.context(_t(locale, "list_more", count=len(pair.notes) - limit)))
    return blocks


def own_listing(locale: str, pairs: list[PairNotes], *, tz: str, red_topics: dict[int, list[str]]) -> dict[str, Any]:
    """``/tandem notes``: the person's notes in each of their pairs."""
    if not pairs:
        return no_pair(locale)
    per_pair = max(1, min(LISTING_NOTES_PER_PAIR, (MESSAGE_BLOCKS_MAX - 4) // (3 * len(pairs))))
    blocks: list[kit.Block] = []
    for pair in pairs:
        blocks += _pair_section(
            locale, pair, tz=tz, limit=per_pair, toggle=True, red_topics=red_topics.get(pair.pair_id, [])
        )
        blocks.append(kit.actions(note_button(locale, pair.pair_id), export_button(locale)))
    return _message(_p(locale, "list_fallback"), blocks)


def host_listing(locale: str, notes: list[NoteView], *, tz: str, program: str | None) -> dict[str, Any]:
    """``/tandem admin notes [program]``: what pairs shared with hosts or their program (never red)."""
    blocks: list[kit.Block] = [kit.section(_t(locale, "host_title", program=program))]
    if not notes:
        blocks.append(kit.context(_t(locale, "host_empty", program=program)))
    for note in notes[: (MESSAGE_BLOCKS_MAX - 3) // 2]:
        blocks += _note_blocks(locale, note, tz=tz, meta="note_meta_program")
    blocks.append(kit.context(_t(locale, "host_privacy")))
    return _message(_p(locale, "host_fallback"), blocks)


def program_listing(locale: str, notes: list[NoteView], *, tz: str, programs: list[str]) -> dict[str, Any]:
    """``/tandem notes program``: notes shared with everyone in the reader's programs (never red)."""
    if not programs:
        return notice(locale, "program_none")
    names = ", ".join(programs)
    blocks: list[kit.Block] = [kit.section(_t(locale, "program_title", programs=names))]
    if not notes:
        blocks.append(kit.context(_t(locale, "program_empty", programs=names)))
    for note in notes[: (MESSAGE_BLOCKS_MAX - 2) // 2]:
        blocks += _note_blocks(locale, note, tz=tz, meta="note_meta_program")
    return _message(_p(locale, "program_fallback"), blocks)


def notes_help(locale: str, *, unknown: str | None = None) -> dict[str, Any]:
    """How notes work (``/tandem notes help``), with the notes lines of the general help."""
    lines = [
        i18n.text(locale, "help", "cmd_note"),
        i18n.text(locale, "help", "cmd_notes"),
        i18n.text(locale, "help", "cmd_help_me"),
    ]
    blocks = [
        kit.section(_t(locale, "help_title") + "\n" + _t(locale, "help_syntax")),
        kit.section(_t(locale, "help_more")),
        kit.context("\n".join(lines)),
    ]
    if unknown is not None:
        blocks.insert(0, kit.section(_t(locale, "unknown", sub=unknown)))
    return _message(_p(locale, "help_fallback"), blocks)


# -- App Home ---------------------------------------------------------------------------------------------------
def home_section(locale: str, home: NotesHome | None, *, tz: str) -> list[kit.Block]:
    """App Home's notes: the newest notes the person may see in each active pair (red ones marked), with "Add a
    note", the export and "I need help". Someone in a program without a pair gets "I need help" alone."""
    if home is None or not home.pairs:
        return [kit.divider(), kit.actions(help_button(locale))] if home is not None and home.in_program else []
    limit = HOME_NOTES_PER_PAIR if len(home.pairs) == 1 else 3
    blocks: list[kit.Block] = [kit.divider(), kit.section(_t(locale, "home_title"))]
    for pair in home.pairs[:3]:
        blocks += _pair_section(
            locale, pair, tz=tz, limit=limit, toggle=True, red_topics=home.red_topics.get(pair.pair_id, [])
        )
        blocks.append(kit.actions(note_button(locale, pair.pair_id)))
    footer = [help_button(locale)]
    if any(pair.notes for pair in home.pairs):
        footer.insert(0, export_button(locale))
    blocks.append(kit.actions(*footer))
    return blocks


# -- the export file --------------------------------------------------------------------------------------------
def export_markdown(
    locale: str, *, name: str, pairs: list[PairNotes], red_topics: dict[int, list[str]], now: datetime, tz: str
) -> str:
    """Everything the reader may see in their pairs, as Markdown; user text cannot form links or HTML."""
    md = rules.markdown_escape
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    lines = [
        _p(locale, "export_header", name=md(name)),
        "",
        _p(locale, "export_meta", when=f"{date_text(locale, local_now.date())} {local_now:%H:%M} ({tz})"),
    ]
    for pair in pairs:
        lines += [
            "",
            _p(
                locale,
                "export_pair" if pair.active else "export_pair_ended",
                partner=md(pair.partner),
                program=md(pair.program),
            ),
        ]
        topics = red_topics.get(pair.pair_id) or []
        if topics:
            lines += ["", _p(locale, "export_red_topics", topics=", ".join(md(t) for t in topics))]
        if not pair.notes:
            lines += ["", _p(locale, "export_empty")]
        for note in sorted(pair.notes, key=lambda n: (n.created_at, n.id)):
            when = note.created_at.astimezone(zone)
            lines += [
                "",
                _p(
                    locale,
                    "export_note",
                    date=f"{date_text(locale, when.date())} {when:%H:%M}",
                    author=md(note.author),
                    audience=audience_of(locale, note.visibility, note.share_state),
                    red=note.red,
                ),
            ]
            if note.topic:
                lines.append(_p(locale, "export_topic", topic=md(note.topic)))
            if note.text:
                lines += ["", md(note.text)]
            safe = [url for url in note.links if rules.is_safe_link(url)]
            if safe:
                lines += ["", _p(locale, "export_links")] + [f"- <{url}>" for url in safe]
    return "\n".join(lines) + "\n"


def export_filename(now: datetime) -> str:
    return f"tandem-notes-{now:%Y-%m-%d}.md"
