"""The preparation before a week (issue 20, section 4): the evening before a pair's weekly prompt, in each partner's
own time (``bot.domain.rhythm.prep_at``: half an hour before the end of their working hours on their last working
day before it), a short DM asks "what I bring, what I need from you", with a button to fill it in. What they write is
theirs (export, forget-me) and goes into the pair's thread when the week opens: with the week's prompt
(``bot.services.rhythm.weekly_round``), or on its own once the prompt is out.

Nobody on a break on the week's day gets one, nor their partner (the week is skipped), nor a pair whose week is
cancelled, nor anyone once the week's thread has opened; one that could not go at its moment (a break that ended
since, the clock was down) goes at the person's next working moment, if that is still before the week's thread.
One DM per partner and week (``WeekPrep``), however often the clock ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import rhythm as blocks
from bot.domain import rhythm as rules
from bot.models import Pair, PairStatus, PairWeek, Participant, WeekPrep, WeekStatus
from bot.services import outbox
from bot.services.rhythm import PROMPTED, Tandem, active_tandems, resolve_thread, tandem_of
from bot.services.rhythm.pair_week import _post

RECENT = timedelta(days=21)  # preparations asked this long ago or less are what the clock compares with


@dataclass(frozen=True)
class _Ask:
    tandem: Tandem
    person: Participant
    number: int
    day: date  # the week's day
    at: datetime  # when the DM is due
    until: datetime  # the week's thread moment: after it, none


def _asks(session: Session, now: datetime) -> list[_Ask]:
    """Every partner's next preparation not asked yet, with when it is due."""
    tandems = active_tandems(session)
    if not tandems:
        return []
    handled = dict(
        session.execute(
            select(PairWeek.pair_id, func.max(PairWeek.number))
            .join(Pair, Pair.id == PairWeek.pair_id)
            .where(Pair.status == PairStatus.ACTIVE, PairWeek.handled_at.is_not(None))
            .group_by(PairWeek.pair_id)
        )
        .tuples()
        .all()
    )
    ahead: dict[tuple[int, int], PairWeek] = {}  # (pair id, number) -> a week row not dealt with yet
    moved: dict[int, dict[int, Any]] = {}
    for week in session.scalars(
        select(PairWeek)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.status == PairStatus.ACTIVE, PairWeek.handled_at.is_(None))
    ):
        ahead[(week.pair_id, week.number)] = week
        if week.moved_to is not None:
            moved.setdefault(week.pair_id, {})[week.number] = week.moved_to
    asked = set(
        session.execute(
            select(WeekPrep.pair_id, WeekPrep.week_number, WeekPrep.participant_id).where(
                WeekPrep.asked_at >= now - RECENT
            )
        )
        .tuples()
        .all()
    )
    out: list[_Ask] = []
    for tandem in tandems:
        sched = tandem.schedule
        plans = rules.upcoming(
            sched,
            after=handled.get(tandem.pair.id, 0),
            moved=moved.get(tandem.pair.id, {}),
            zones=tandem.zones,
            limit=1,
        )
        if not plans:
            continue
        plan = plans[0]
        row = ahead.get((tandem.pair.id, plan.number))
        if row is not None and row.status == WeekStatus.CANCELLED:
            continue
        if any(rules.is_paused(p.paused_until, plan.day) for p in (tandem.a, tandem.b)):
            continue  # the week is skipped for a break
        for person in (tandem.a, tandem.b):
            if (tandem.pair.id, plan.number, person.id) in asked:
                continue
            at = rules.prep_at(plan.at[person.id], tandem.zones[person.id])
            if at is not None and now < plan.thread_at:
                out.append(_Ask(tandem, person, plan.number, plan.day, at, plan.thread_at))
    return out


def due(session: Session, now: datetime) -> int:
    """Clock job: queue every preparation DM that is due (one per partner and week). Does not commit."""
    sent = 0
    for ask in _asks(session, now):
        if ask.at > now or rules.paused_now(ask.person.paused_until, now=now, tz=ask.person.tz):
            continue
        if not ask.tandem.zones[ask.person.id].is_working(now):
            continue  # later than planned (a break that ended, the clock was down): in their working time only
        prep = WeekPrep(pair_id=ask.tandem.pair.id, week_number=ask.number, participant_id=ask.person.id, asked_at=now)
        session.add(prep)
        session.flush()
        partner = ask.tandem.partner_of(ask.person.id)
        outbox.post(
            session,
            workspace_id=ask.tandem.program.workspace_id,
            channel=ask.person.slack_user_id,
            message=blocks.prep_dm(
                ask.person.locale,
                prep_id=prep.id,
                number=ask.number,
                partner=partner.display_name,
                program=ask.tandem.program.name,
                day=ask.day,
            ),
            now=now,
            about=outbox.About.of(pair=ask.tandem.pair, people=[ask.person]),
            dedupe_key=f"rhythm:prep:{prep.id}",
        )
        sent += 1
    return sent


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act: the earliest preparation DM not asked yet (``now`` when one is due now; one held
    back for a break, or that comes late, at the first working moment after the break)."""
    moments = []
    for ask in _asks(session, now):
        at = max(ask.at, now)
        if rules.paused_now(ask.person.paused_until, now=at, tz=ask.person.tz) and ask.person.paused_until:
            at = max(at, rules.pause_ends_at(ask.person.paused_until, ask.person.tz))
        at = ask.tandem.zones[ask.person.id].next_working(at)
        if at < ask.until:
            moments.append(at)
    return min(moments, default=None)


# -- filling it in ---------------------------------------------------------------------------------------------------
NOT_YOURS, TOO_LATE = "not_yours", "prep_too_late"


def own(session: Session, *, participant: Participant | None, prep_id: int | None) -> WeekPrep | None:
    """The preparation ``prep_id`` if it is ``participant``'s and their pair is active."""
    prep = session.get(WeekPrep, prep_id) if prep_id is not None else None
    if prep is None or participant is None or prep.participant_id != participant.id:
        return None
    pair = session.get(Pair, prep.pair_id)
    return prep if pair is not None and pair.status == PairStatus.ACTIVE else None


def save(
    session: Session, *, participant: Participant, prep_id: int | None, bring: str, need: str, now: datetime
) -> str | None:
    """Store what the person wrote (again, until the week is over). Before the week's prompt it waits and goes into
    the thread with it; after, it goes into the week's thread now. Returns a refusal key or None. Commits."""
    prep = own(session, participant=participant, prep_id=prep_id)
    if prep is None:
        return NOT_YOURS
    week = session.scalar(select(PairWeek).where(PairWeek.pair_id == prep.pair_id, PairWeek.number == prep.week_number))
    opened = week is not None and week.handled_at is not None
    if opened and (week is None or week.status not in PROMPTED or not resolve_thread(session, week)):
        return TOO_LATE  # skipped, cancelled, or the prompt is not out yet: nothing changes
    prep.bring, prep.need, prep.filled_at = bring or None, need or None, now
    if opened and week is not None:
        newer = session.scalar(
            select(func.max(PairWeek.number)).where(PairWeek.pair_id == prep.pair_id, PairWeek.handled_at.is_not(None))
        )
        if newer is not None and newer > week.number:
            session.rollback()
            return TOO_LATE
        pair = session.get(Pair, prep.pair_id)
        assert pair is not None
        tandem = tandem_of(session, pair)
        message = blocks.prep_posted(tandem.locale, number=week.number, items=[prep_item(participant, prep)])
        key = f"rhythm:prep-posted:{prep.id}:{now:%Y%m%dT%H%M%S%f}"
        _post(session, tandem, message, key=key, now=now, channel=week.channel_id, thread_ts=week.thread_ts)
        prep.posted_at = now
    session.commit()
    return None


def prep_item(person: Participant, prep: WeekPrep) -> dict[str, str]:
    """One filled-in preparation as the thread shows it."""
    return {"name": person.display_name, "bring": prep.bring or "", "need": prep.need or ""}
