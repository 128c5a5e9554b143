"""A program's privacy notice (the hosts' modal, what participants read) and the draft works agreement, from
templates/<locale>/notice.j2."""

from __future__ import annotations

import json
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain.privacy_notice import LEGAL_BASES, TEXT_MAX, Notice
from bot.ids import ID
from bot.models import Program


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "notice", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "notice", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def error_text(locale: str, key: str) -> str:
    return _p(locale, key)


def modal(locale: str, *, program: Program) -> dict[str, Any]:
    """The hosts' modal: controller, contact, legal basis (prefilled with what is stored)."""
    notice = Notice.of(program)
    basis = (
        inputs.option(_p(locale, "basis_consent"), LEGAL_BASES[0]),
        inputs.option(_p(locale, "basis_works_agreement"), LEGAL_BASES[1]),
    )
    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "cancel"),
        submit=_p(locale, "save"),
        callback_id=ID.NOTICE_MODAL,
        private_metadata=json.dumps({"program_id": program.id}),
        blocks=[
            kit.section(_t(locale, "modal_intro", program=program.name)),
            inputs.input_block(
                ID.NOTICE_CONTROLLER,
                _p(locale, "f_controller"),
                inputs.text_input(max_length=TEXT_MAX, initial=notice.controller),
                optional=True,
                hint=_p(locale, "f_controller_hint"),
            ),
            inputs.input_block(
                ID.NOTICE_CONTACT,
                _p(locale, "f_contact"),
                inputs.text_input(max_length=TEXT_MAX, initial=notice.contact),
                optional=True,
                hint=_p(locale, "f_contact_hint"),
            ),
            inputs.input_block(
                ID.NOTICE_BASIS,
                _p(locale, "f_basis"),
                kit.radio_buttons(list(basis), initial=notice.legal_basis),
                optional=True,
            ),
        ],
    )


def for_participants(locale: str, program: Program) -> str | None:
    """What a participant reads about the program's privacy (mrkdwn), or None until the hosts completed it."""
    notice = Notice.of(program)
    if not notice.complete:
        return None
    return _t(
        locale,
        "for_participants",
        program=program.name,
        controller=notice.controller,
        contact=notice.contact,
        basis=notice.legal_basis,
    )


def document(locale: str, **context: Any) -> str:
    """The draft works agreement as Markdown (``bot.flows.notice.works_agreement`` gives the context)."""
    return _p(locale, "document", **context)
