"""Learning cards: the ``/tandem card`` answer, the card modal, the draft's preview in the author's DM (Publish,
Edit, Delete), the card as the program's community channel sees it, notes to the author and an App Home section.
Wording from templates/<locale>/cards.j2; everything a person wrote is escaped by ``i18n.text``, so a card can
never mention ``@channel`` or anybody else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ButtonElement, ConfirmObject

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain import cards as rules
from bot.ids import ID
from bot.models import LearningCard, Program

FIELD_IDS: dict[str, ID] = {
    "program": ID.CARD_PROGRAM,
    "title": ID.CARD_TITLE,
    "text": ID.CARD_TEXT,
    "show_name": ID.CARD_SHOW_NAME,
}
LIMITS = {"title": rules.TITLE_MAX, "text": rules.TEXT_MAX}
HOME_SHOWN = 10  # cards listed in App Home, newest first


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "cards", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "cards", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    """A one-section message (``answer_*``, ``no_pair``, ``deleted``, ...)."""
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def command(locale: str) -> dict[str, Any]:
    """``/tandem card``: the button that opens the card modal."""
    text = _t(locale, "command")
    return kit.message(
        text,
        [kit.section(text), kit.actions(kit.button(_p(locale, "btn_open"), ID.CARD_OPEN, value="", style="primary"))],
    )


# -- the modal ----------------------------------------------------------------------------------------------
def modal(
    locale: str, *, programs: Sequence[tuple[int, str]], card: LearningCard | None = None, from_home: bool = False
) -> dict[str, Any]:
    """A new card (``programs``: (id, name) the person may write for; with several, a select) or the draft
    ``card`` to edit (``programs``: its own program). The ids go into private_metadata and are checked again on
    submit."""
    meta: dict[str, Any] = {}
    if card is not None:
        meta["card_id"] = card.id
    elif len(programs) == 1:
        meta["program_id"] = programs[0][0]
    if from_home:
        meta["home"] = True
    out: list[kit.Block] = [kit.section(_t(locale, "modal_intro"))]
    if card is None and len(programs) > 1:
        options = [inputs.option(name, str(pid)) for pid, name in programs]
        out.append(
            inputs.input_block(
                ID.CARD_PROGRAM, _p(locale, "f_program"), inputs.static_select(options, initial=str(programs[0][0]))
            )
        )
    elif programs:
        out.append(kit.context(_t(locale, "modal_program", program=programs[0][1])))
    show = [
        inputs.option(_p(locale, "show_name_yes"), rules.SHOW_NAME),
        inputs.option(_p(locale, "show_name_no"), rules.ANONYMOUS),
    ]
    shown = card is None or card.show_name
    out += [
        inputs.input_block(
            ID.CARD_TITLE,
            _p(locale, "f_title"),
            inputs.text_input(
                initial=card.title if card else None,
                max_length=rules.TITLE_MAX,
                placeholder=_p(locale, "f_title_placeholder"),
            ),
        ),
        inputs.input_block(
            ID.CARD_TEXT,
            _p(locale, "f_text"),
            inputs.text_input(initial=card.text if card else None, multiline=True, max_length=rules.TEXT_MAX),
            hint=_p(locale, "f_text_hint", max=rules.TEXT_MAX),
        ),
        inputs.input_block(
            ID.CARD_SHOW_NAME,
            _p(locale, "f_show_name"),
            kit.radio_buttons(show, initial=rules.SHOW_NAME if shown else rules.ANONYMOUS),
        ),
    ]
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        callback_id=ID.CARD_MODAL,
        private_metadata=json.dumps(meta),
        blocks=out,
    )


def form_errors(locale: str, errors: dict[str, str]) -> dict[str, str]:
    """``bot.domain.cards.parse_form``'s error kinds (and ``program``) as the modal's field errors."""
    return {
        FIELD_IDS[key].value: _p(locale, f"error_{kind}", max=LIMITS.get(key, 0))
        for key, kind in errors.items()
        if key in FIELD_IDS
    }


# -- the card -----------------------------------------------------------------------------------------------
def signature(locale: str, *, show_name: bool, name: str, program: str) -> str:
    """``— Name, Program``, or ``— a participant of Program`` when the author chose not to show their name."""
    if show_name:
        return _t(locale, "signed", name=name, program=program)
    return _t(locale, "unsigned", program=program)


def card_text(locale: str, card: LearningCard, *, name: str, program: str) -> str:
    """The card itself (title, text, signature), escaped."""
    body = _t(locale, "card", title=card.title, text=card.text)
    return body + "\n" + signature(locale, show_name=card.show_name, name=name, program=program)


def _confirmed(button: ButtonElement, locale: str, prefix: str) -> ButtonElement:
    button.confirm = ConfirmObject(
        title=_p(locale, f"{prefix}_confirm_title"),
        text=_p(locale, f"{prefix}_confirm_text"),
        confirm=_p(locale, f"{prefix}_confirm_yes"),
        deny=_p(locale, f"{prefix}_confirm_no"),
    )
    return button


def buttons(locale: str, card_id: int) -> kit.Block:
    """A draft's Publish (the author's consent), Edit and Delete."""
    value = str(card_id)
    return kit.actions(
        _confirmed(
            kit.button(_p(locale, "btn_publish"), ID.CARD_PUBLISH, value=value, style="primary"), locale, "publish"
        ),
        kit.button(_p(locale, "btn_edit"), ID.CARD_EDIT, value=value),
        _confirmed(kit.button(_p(locale, "btn_delete"), ID.CARD_DELETE, value=value, style="danger"), locale, "delete"),
    )


def preview(locale: str, card: LearningCard, *, name: str, program: Program) -> dict[str, Any]:
    """The card in its author's DM: a draft with its buttons and where *Publish* would post it, or, once
    published, where it went (no buttons: it can't change any more)."""
    body = card_text(locale, card, name=name, program=program.name)
    if card.published_at is not None:
        head = _t(locale, "published", channel=card.channel_id or program.community_channel_id or "")
        return kit.message(head, [kit.section(head), kit.section(body)])
    head = _t(locale, "preview_head")
    if program.community_channel_id:
        where = _t(locale, "preview_channel", channel=program.community_channel_id)
    else:
        where = _t(locale, "preview_no_channel", program=program.name)
    return kit.message(head, [kit.section(head), kit.section(body), kit.context(where), buttons(locale, card.id)])


def deleted(locale: str, *, title: str) -> dict[str, Any]:
    """What the preview turns into once its draft is deleted."""
    return note(locale, "deleted", title=title)


def community_post(locale: str, card: LearningCard, *, name: str, program: str) -> dict[str, Any]:
    """The card in the program's community channel (``locale``: the program's)."""
    head = _t(locale, "community")
    body = card_text(locale, card, name=name, program=program)
    return kit.message(head + "\n" + body, [kit.context(head), kit.section(body)])


# -- App Home -----------------------------------------------------------------------------------------------
def home_section(locale: str, items: Sequence[tuple[LearningCard, Program]], *, can_write: bool) -> list[kit.Block]:
    """The person's learning cards, newest first (``items`` as ``bot.services.cards.cards_of`` gives them): drafts
    with their buttons, published cards with where they went; *Write a learning card* when ``can_write``."""
    head = kit.section(_t(locale, "home_title") + "\n" + _t(locale, "home_intro"))
    if can_write:
        head["accessory"] = kit.button(_p(locale, "btn_open"), ID.CARD_OPEN, value="").to_dict()
    out: list[kit.Block] = [kit.divider(), head]
    if not items:
        out.append(kit.context(_t(locale, "home_none")))
    for card, program in items[:HOME_SHOWN]:
        if card.published_at is not None:
            channel = card.channel_id or program.community_channel_id or ""
            out.append(
                kit.section(_t(locale, "home_published", title=card.title, channel=channel, program=program.name))
            )
        else:
            out.append(kit.section(_t(locale, "home_draft", title=card.title, program=program.name)))
            out.append(buttons(locale, card.id))
    return out


# -- the library ----------------------------------------------------------------------------------------------
def library_button(locale: str) -> kit.Block:
    """*Browse learning cards* (App Home)."""
    return kit.actions(kit.button(_p(locale, "btn_library"), ID.CARDS_BROWSE, value=""))


def library_modal(
    locale: str,
    *,
    choices: Sequence[tuple[str, str, int]],
    chosen: str | None,
    page: int,
    pages: int,
    items: Sequence[tuple[LearningCard, str, str]],
) -> dict[str, Any]:
    """The library: a select of topic paths and programs (``choices``: value, name, published cards), the page of
    cards of the ``chosen`` one (``items``: card, author's name, program's name; the name shows only where the card
    carries it) and paging."""
    out: list[kit.Block] = [kit.section(_t(locale, "lib_intro"))]
    if not choices:
        out.append(kit.context(_t(locale, "lib_none")))
    else:
        options = [
            inputs.option(
                _p(
                    locale,
                    "lib_option_path" if value.startswith(rules.PATH) else "lib_option_program",
                    name=name,
                    count=n,
                ),
                value,
            )
            for value, name, n in choices
        ]
        select = inputs.static_select(options, initial=chosen, placeholder=_p(locale, "lib_pick"))
        out.append(kit.actions({**select, "action_id": ID.CARDS_PICK.value}))
        for card, author, program in items:
            out += [kit.divider(), kit.section(card_text(locale, card, name=author, program=program))]
        if pages > 1 and chosen:
            out.append(kit.context(_t(locale, "lib_page", page=page + 1, pages=pages)))
            # one block each: Slack wants an action_id once per block, and both buttons are the same action
            if page > 0:
                out.append(kit.actions(kit.button(_p(locale, "btn_prev"), ID.CARDS_PAGE, value=f"{chosen}|{page - 1}")))
            if page < pages - 1:
                out.append(kit.actions(kit.button(_p(locale, "btn_next"), ID.CARDS_PAGE, value=f"{chosen}|{page + 1}")))
    return kit.modal(
        title=_p(locale, "lib_title"), close=_p(locale, "lib_close"), callback_id=ID.CARDS_MODAL, blocks=out
    )
