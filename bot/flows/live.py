"""Live sessions' conversations: *Find a live slot* in a live or mixed pair's weekly prompt and ``/tandem slot``
(``termin``) propose three slots in the pair's group DM; *Take this one* / *Every week at this time* accept one;
*Cancel this session* cancels it; the clock's reminders are ``bot.services.live.remind``. Rules in
``bot.domain.live``, storage in ``bot.services.live``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import live as blocks
from bot.domain import live as rules
from bot.flows.common import as_int
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Participant
from bot.services import live
from bot.services.rhythm import Tandem


def _proposed(session: Session, tandem: Tandem, *, locale: str, now: datetime) -> Result:
    found = live.propose(session, tandem=tandem, now=now)
    if isinstance(found, rules.NoSlot):
        return Result(message=blocks.no_slot(locale, found.reason))
    return Result(message=blocks.posted(locale))


def find_button(session: Session, *, participant: Participant | None, locale: str, value: str, now: datetime) -> Result:
    """*Find a live slot* (value: the pair id): for one of the pair's partners only."""
    found = live.tandem_for(session, participant=participant, pair_id=as_int(value))
    if found.tandem is None:
        return Result(message=blocks.note(locale, found.refusal or "not_yours"))
    return _proposed(session, found.tandem, locale=locale, now=now)


def command(session: Session, *, participant: Participant, channel_id: str | None, now: datetime) -> Result:
    """``/tandem slot`` / ``/tandem termin``: slots for the caller's pair (the one whose group DM it was typed in,
    else their newest)."""
    found = live.caller_pair(session, participant=participant, channel_id=channel_id)
    if found.tandem is None:
        return Result(message=blocks.note(participant.locale, found.refusal or "no_pair"))
    return _proposed(session, found.tandem, locale=participant.locale, now=now)


def _shown(outcome: live.Outcome, locale: str) -> Result:
    if outcome.message is not None:
        return Result(replace=outcome.message)
    return Result(message=blocks.note(locale, outcome.refusal or "gone", by=outcome.by))


def slot_button(
    session: Session, *, participant: Participant | None, locale: str, action_id: str, value: str, now: datetime
) -> Result:
    """*Take this one*, *Every week at this time* or *Cancel this session* (value: the live session's id): the
    clicked message becomes the accepted (or cancelled) session; a stale button or a second click changes nothing
    and says why, to the clicker only."""
    session_id = as_int(value)
    if action_id == ID.LIVE_CANCEL:
        outcome = live.cancel(session, participant=participant, session_id=session_id, now=now)
    else:
        weekly = action_id == ID.LIVE_ACCEPT_WEEKLY
        outcome = live.accept(session, participant=participant, session_id=session_id, weekly=weekly, now=now)
    return _shown(outcome, locale)
