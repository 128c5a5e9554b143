"""The participants' program page on App Home ("dashboards visible to everyone involved"): for each program a person
is in, as of the latest weekly release, how many pairs were active and what people consented to share (learning cards
published, quotes), never anything computed live when someone looks.

A participant is not a host: they know their own pair's part of every figure built from the pairs' contributions, so
a released cell of ``k`` pairs tells them the sum of ``k - 1`` others. The page therefore shows the active pairs (the
hosts' figure, from the same released cell, ``bot.services.release``) only when at least ``k + 1`` pairs stand behind
it: without their own, at least ``k`` remain, as for a host. Goals reached are not shown to participants: the goals
cells are summed into a running total, and a participant who knows their own pair's goals and subtracts can isolate
another pair's in a week where only two pairs finished one (``tests/test_release_attacks.py`` plays it). The cards and
quotes are those published or consented to by the moment of the latest release, so the page does not move between two
releases, whatever one pair does in between."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.blocks.program_page import ProgramPage
from bot.domain import release as release_rules
from bot.models import FollowUp, LearningCard, Program, ProgramStatus, Retro, RetroAnswer
from bot.services import impact, release

QUOTES_SHOWN = 3

# Built once (every participant's App Home): as of the program's latest weekly release, the learning cards published
# by then ...
_CARDS = select(func.count(LearningCard.id)).where(
    LearningCard.program_id == bindparam("program_id"),
    LearningCard.published_at.is_not(None),
    LearningCard.published_at <= bindparam("at"),
)
# ... the retro quotes both partners had agreed to by then ...
_RETRO_QUOTES = (
    select(RetroAnswer.quote, RetroAnswer.partner_consent_at, RetroAnswer.author_consent_at)
    .join(Retro, Retro.id == RetroAnswer.retro_id)
    .where(
        Retro.program_id == bindparam("program_id"),
        RetroAnswer.quote.is_not(None),
        RetroAnswer.author_consent_at <= bindparam("at"),
        RetroAnswer.partner_consent_at <= bindparam("at"),
        RetroAnswer.declined_at.is_(None),
    )
)
# ... and the follow-up answers whose authors said "you may quote me", given by then.
_FOLLOWUP_QUOTES = select(FollowUp.text, FollowUp.answered_at).where(
    FollowUp.program_id == bindparam("program_id"),
    FollowUp.quote_ok.is_(True),
    FollowUp.text.is_not(None),
    FollowUp.answered_at <= bindparam("at"),
)


def page(session: Session, program: Program, *, now: datetime) -> ProgramPage:
    """One program's page, as of its latest weekly release."""
    at = release.released_at(session, program)
    if at is None:
        return ProgramPage(name=program.name)
    kpis = impact.kpis(session, program, now=now)
    latest = release_rules.latest(release.series(release.of(session, program), release_rules.ACTIVE))
    k = release_rules.threshold(program.poll_threshold)
    active = int(latest.num) if latest is not None and latest.contributors >= k + 1 else None
    params = {"program_id": program.id, "at": at}
    quotes = [
        (max(a, b), q) for q, a, b in session.execute(_RETRO_QUOTES, params).tuples() if q and a is not None and b
    ]
    quotes += [(at_, t) for t, at_ in session.execute(_FOLLOWUP_QUOTES, params).tuples() if t]
    quotes.sort(key=lambda item: item[0])
    return ProgramPage(
        name=program.name,
        released_on=kpis.released_on,
        active_pairs=active,
        threshold=k + 1,
        cards=int(session.scalar(_CARDS, params) or 0),
        quotes=tuple(q for _at, q in quotes[-QUOTES_SHOWN:]),
    )


def pages(session: Session, programs: Sequence[Program], *, now: datetime) -> list[ProgramPage]:
    """The pages of the programs a person is in that have started (a draft has nothing to show)."""
    return [page(session, p, now=now) for p in programs if p.status != ProgramStatus.DRAFT and p.start_date is not None]
