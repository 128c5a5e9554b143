"""A partner answers the trial check-in: who is clicking, what the click came to, and the reply that replaces
the question. Nothing here logs or stores who chose what (``bot.services.trial``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import trial as blocks
from bot.flows.common import as_int
from bot.flows.result import Result
from bot.i18n import locale_from_slack
from bot.services import people, trial
from bot.services.people import SlackProfile


def click(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    switch: bool,
    value: str,
    lookup: Callable[[str], SlackProfile],
    now: datetime,
) -> Result:
    """Continue (``switch`` False) or Switch on the question behind ``value``. Returns the reply and whether it
    replaces the question (else it is shown to the clicker alone). Someone Tandem has never met is not
    registered by this: a click on a question that is not theirs changes nothing at all."""
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    if participant is not None:
        locale, tz = participant.locale, participant.tz
    else:
        locale, tz = locale_from_slack(lookup(user_id).slack_locale), "UTC"
    check_id = as_int(value)
    answer = trial.answer(session, participant=participant, check_id=check_id, switch=switch, now=now)
    if answer.result == trial.NOT_YOURS:
        return Result(message=blocks.not_yours(locale))
    if answer.result == trial.WAITING:  # shown to the clicker alone: the question stays, to press again later
        when = blocks.deadline_text(locale, answer.opens_at, tz) if answer.opens_at is not None else ""
        return Result(message=blocks.waiting(locale, partner=answer.partner, when=when))
    if answer.result == trial.CLOSED or answer.closes_at is None:
        return Result(replace=blocks.closed(locale))
    deadline = blocks.deadline_text(locale, answer.closes_at, tz)
    return Result(replace=blocks.answered(locale, switch=switch, partner=answer.partner, deadline=deadline))
