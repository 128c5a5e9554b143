"""Small helpers every participant flow needs: who is acting (and in which language, even before they are
registered), a button value or metadata field as an id, and a view's ``private_metadata``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot.i18n import locale_from_slack
from bot.models import Participant
from bot.services import people
from bot.services.people import SlackProfile

Lookup = Callable[[str], SlackProfile]


def who(session: Session, *, team_id: str, user_id: str, lookup: Lookup) -> tuple[Participant | None, str]:
    """The registered participant (or None) and the language to answer in."""
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    if participant is not None:
        return participant, participant.locale
    return None, locale_from_slack(lookup(user_id).slack_locale)


ID_MAX = 2**31 - 1  # the largest id a table holds (PostgreSQL's integer)


def as_int(value: Any) -> int | None:
    """A non-negative id from a button value or metadata field; None for anything else (also digits that are not
    ASCII, like "²", and numbers too large to be an id)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= ID_MAX else None
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def view_meta(view: dict[str, Any]) -> dict[str, Any]:
    """A view's ``private_metadata`` as a dict ({} when it is missing or not a JSON object)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
