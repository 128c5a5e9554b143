"""Learning that lasts as people meet it: the follow-up question's "Answer" button in their DM and its modal
(``bot.services.followups``). Someone else's question is refused and nothing changes; a second or a late answer
changes nothing. Each function returns what to show; the handler shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import followup as blocks
from bot.blocks.inputs import state_values
from bot.domain import followup as rules
from bot.flows.common import Lookup
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.common import who as _who
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Program
from bot.services import followups


def open_form(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup, now: datetime) -> Result:
    """ "Answer" (``value``: the follow-up id): the modal, or why not."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    found = followups.find(session, participant=participant, followup_id=_int(value))
    if isinstance(found, str):
        session.rollback()
        return Result(message=blocks.note(locale, found))
    if not rules.is_open(closes=found.closes_at, answered=found.answered_at, now=now):
        session.rollback()
        return Result(message=blocks.note(locale, followups.CLOSED))
    program = session.get(Program, found.program_id)
    return Result(
        view=blocks.modal(locale, followup_id=found.id, program=program.name if program else "", days=found.days)
    )


def submit_form(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The modal: anything wrong is said on its field and the modal stays open with what was typed; a refusal
    (someone else's, answered already, closed) is said on the answer field; either way nothing changes."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    values = state_values(view)
    form, errors = rules.parse_form({key: values.get(block.value) for key, block in blocks.FIELD_IDS.items()})
    if form is None:
        session.rollback()
        return Result(errors=blocks.form_errors(locale, errors))
    found = followups.find(session, participant=participant, followup_id=_int(_meta(view).get("followup_id")))
    result = found if isinstance(found, str) else followups.submit(session, found, form, now=now)
    if result != followups.SAVED:
        session.rollback()
        return Result(errors={ID.FOLLOWUP_ANSWER.value: i18n.plain(locale, "followup", result)})
    session.commit()
    return Result(view=blocks.done_view(locale))
