"""Learning cards, pure: what a filled-in card form must hold, and who may do what with a card. No database, no
Slack, no clock.

**The form.** A title (one line, at most ``TITLE_MAX`` characters) and what the person learned (at most
``TEXT_MAX``), both required and trimmed; and whether the card shows their name (a radio button ``name`` /
``anonymous``, or a checkbox that is ticked when it holds ``name``). Bad input is reported per field and changes
nothing.

**Consent.** A card is a draft until its author presses *Publish*: that click is the consent to share it, so only
the author may publish, edit or delete it. A published card is what the community saw: it can no longer be edited
(nor deleted as a draft). Publishing needs the program's community channel with Tandem in it; otherwise the card
stays a draft and nothing is lost.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TITLE_MAX = 120
TEXT_MAX = 600
SHOW_NAME = "name"  # the show-name input's value for "with my name" (radio button or the ticked checkbox)
ANONYMOUS = "anonymous"  # the radio button's value for "without my name"

FORM_FIELDS = ("title", "text", "show_name")  # the keys parse_form reads

# Why a card form was refused, per field (wording: ``cards.j2`` ``error_<kind>``).
REQUIRED, TOO_LONG, CHOOSE_NAME, CHOOSE_PROGRAM = "required", "too_long", "show_name", "program"


@dataclass(frozen=True)
class Form:
    title: str
    text: str
    show_name: bool


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _clean(value: Any) -> str:
    return "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())


def parse_show_name(value: Any) -> bool | None:
    """A radio button's value (``name`` / ``anonymous``), or a checkbox's list of ticked values; None: no answer."""
    if isinstance(value, list | tuple | set):
        return SHOW_NAME in value
    text = str(value or "").strip()
    if text == SHOW_NAME:
        return True
    if text == ANONYMOUS:
        return False
    return None


def parse_form(raw: Mapping[str, Any]) -> tuple[Form | None, dict[str, str]]:
    """``raw``: ``title``, ``text``, ``show_name`` as the modal sent them. Returns the form, or None and an error
    kind per field (``required``, ``too_long``, ``show_name``)."""
    errors: dict[str, str] = {}
    title = _one_line(raw.get("title"))
    text = _clean(raw.get("text"))
    for key, value, limit in (("title", title, TITLE_MAX), ("text", text, TEXT_MAX)):
        if not value:
            errors[key] = REQUIRED
        elif len(value) > limit:
            errors[key] = TOO_LONG
    show_name = parse_show_name(raw.get("show_name"))
    if show_name is None:
        errors["show_name"] = CHOOSE_NAME
    if errors:
        return None, errors
    assert show_name is not None
    return Form(title, text, show_name), {}


def parse_program(value: Any, allowed: Iterable[int]) -> int | None:
    """The program a card is for (a select's value or an id), if it is one the person may write for."""
    text = str(value if value is not None else "").strip()
    program_id = int(text) if text.isdigit() else None
    return program_id if program_id is not None and program_id in set(allowed) else None


# -- who may do what ----------------------------------------------------------------------------------------
class Act(enum.StrEnum):
    PUBLISH = "publish"
    EDIT = "edit"
    DELETE = "delete"


# Why an act on a card changed nothing (wording: ``cards.j2`` ``answer_<reason>``).
NOT_YOURS, PUBLISHED, NO_CHANNEL, NOT_MEMBER = "not_yours", "published", "no_channel", "not_member"


def refusal(act: Act, *, is_author: bool, published: bool) -> str | None:
    """Whether the person may ``act`` on a card: None if so, else why not (``not_yours``: only the author decides
    about a card; ``published``: what the community saw stays as it was)."""
    if not is_author:
        return NOT_YOURS
    if published:
        return PUBLISHED
    return None


def publish_blocker(*, channel_id: str | None, tandem_in_channel: bool) -> str | None:
    """What keeps an allowed *Publish* from posting: no community channel (``no_channel``), or Tandem is not in it
    (``not_member``). None: it can go out."""
    if not channel_id:
        return NO_CHANNEL
    if not tandem_in_channel:
        return NOT_MEMBER
    return None


# -- the library: published cards by topic path and program ------------------------------------------------------
PAGE_SIZE = 5  # cards per page of the library (a card is at most TITLE_MAX + TEXT_MAX characters: one section each)
PATH, PROGRAM = "path", "program"


def parse_choice(value: Any) -> tuple[str, int] | None:
    """The library's select value, ``path:<first program id>`` or ``program:<program id>``; None when it is not
    one."""
    kind, _, raw = str(value or "").partition(":")
    if kind not in (PATH, PROGRAM) or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    return kind, int(raw)


def parse_page(value: Any) -> tuple[str, int] | None:
    """A paging button's value ``<choice>|<page>`` (the page 0-based); None when it is not one."""
    choice, _, raw = str(value or "").rpartition("|")
    if parse_choice(choice) is None or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return choice, int(raw)


def page_of(total: int, page: int, *, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """``page`` kept within the pages of ``total`` cards: (page, first index, number of pages, at least 1)."""
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    return page, page * size, pages
