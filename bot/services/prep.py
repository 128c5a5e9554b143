"""The preparation before a week (issue 20, section 4): the evening before a pair's weekly prompt, in each partner's
own time (``bot.domain.rhythm.prep_at``: half an hour before the end of their working hours on their last working
day before it), a short DM asks "what I bring, what I need from you", with a button to fill it in. What they write is
theirs (export, forget-me) and goes into the pair's thread when the week opens: with the week's prompt
(``bot.services.rhythm.weekly_round``), or on its own once the prompt is out.

Nobody on a break on the week's day gets one, nor their partner (the week is skipped), nor a pair whose week is
cancelled, nor anyone once the week's thread has opened; one that could not go at its moment (a break that ended
since, the clock was down) goes at the person's next working moment, if that is still before the week's thread.
Each partner's preparation for a pair's next week is planned (``WeekPrep.due_at``) when the week before opens (for
week 1: at once), and looked at again when due: so the clock reads one indexed column each minute, and one DM goes
per partner and week, however often it ticks. Moving a week plans its preparations again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.blocks import rhythm as blocks
from bot.domain import rhythm as rules
from bot.models import Pair, PairStatus, PairWeek, Participant, Program, ProgramStatus, WeekPrep, WeekStatus
from bot.services import outbox
from bot.services.rhythm import (
    PROMPTED,
    SCHEDULE_COLUMNS,
    Tandem,
    handled_weeks,
    resolve_thread,
    schedule_of,
    tandem_of,
)
from bot.services.rhythm.pair_week import _post

# Built once: the clock asks these every minute. Active pairs with what their schedule depends on, the number of their
# last week the clock dealt with, and of the last week preparations were planned for.
_HANDLED = handled_weeks()
_PLANNED = (
    select(WeekPrep.pair_id, func.max(WeekPrep.week_number).label("planned")).group_by(WeekPrep.pair_id).subquery()
)
_PAIRS = (
    select(
        Pair.id,
        *SCHEDULE_COLUMNS,
        _HANDLED.c.handled,
        _PLANNED.c.planned,
    )
    .join(Program, Program.id == Pair.program_id)
    .outerjoin(_HANDLED, _HANDLED.c.pair_id == Pair.id)
    .outerjoin(_PLANNED, _PLANNED.c.pair_id == Pair.id)
    .where(Pair.status == PairStatus.ACTIVE, Program.status == ProgramStatus.ACTIVE)
)
_DUE = (
    select(WeekPrep)
    .where(WeekPrep.due_at <= bindparam("now"), WeekPrep.asked_at.is_(None))
    .order_by(WeekPrep.due_at, WeekPrep.id)
)
_NEXT = select(func.min(WeekPrep.due_at)).where(WeekPrep.due_at.is_not(None), WeekPrep.asked_at.is_(None))


def _to_plan(session: Session) -> list[tuple[int, int]]:
    """(pair id, week number) of the active pairs whose next week has no preparation planned yet."""
    out = []
    for row in session.execute(_PAIRS).all():
        number = (row.handled or 0) + 1
        if (row.planned or 0) < number <= schedule_of(row, row.started_at).weeks:
            out.append((row.id, number))
    return out


def _plan(session: Session, pair_id: int, number: int) -> None:
    """Plan each partner's preparation for week ``number`` at its moment (``rules.prep_at``); whether it goes is
    decided when it is due."""
    pair = session.get(Pair, pair_id)
    assert pair is not None
    tandem = tandem_of(session, pair)
    plan = tandem.plan(number, rules.week_day(tandem.schedule, number, _moved(session, pair_id)))
    for person in (tandem.a, tandem.b):
        at = rules.prep_at(plan.at[person.id], tandem.zones[person.id])
        session.add(WeekPrep(pair_id=pair_id, week_number=number, participant_id=person.id, due_at=at))


def _moved(session: Session, pair_id: int) -> dict[int, date]:
    return {
        number: day
        for number, day in session.execute(
            select(PairWeek.number, PairWeek.moved_to).where(
                PairWeek.pair_id == pair_id, PairWeek.moved_to.is_not(None), PairWeek.handled_at.is_(None)
            )
        ).tuples()
    }


def _decide(session: Session, prep: WeekPrep, now: datetime) -> tuple[Tandem, date] | None:
    """Whether a due preparation goes now: (its tandem, the week's day), or None, then its ``due_at`` is set to when
    it may (None: never)."""
    pair = session.get(Pair, prep.pair_id)
    if pair is None or pair.status != PairStatus.ACTIVE:
        prep.due_at = None
        return None
    tandem = tandem_of(session, pair)
    if tandem.program.status != ProgramStatus.ACTIVE or not tandem.has(prep.participant_id):
        prep.due_at = None
        return None
    week = session.scalar(select(PairWeek).where(PairWeek.pair_id == pair.id, PairWeek.number == prep.week_number))
    day = rules.week_day(tandem.schedule, prep.week_number, _moved(session, pair.id))
    plan = tandem.plan(prep.week_number, day)
    skipped = any(rules.is_paused(p.paused_until, plan.day) for p in (tandem.a, tandem.b))
    opened = week is not None and (week.handled_at is not None or week.status == WeekStatus.CANCELLED)
    if skipped or opened or plan.thread_at <= now:
        prep.due_at = None  # a week skipped for a break, cancelled, or already open: none
        return None
    person = tandem.person(prep.participant_id)
    at = now
    if rules.paused_now(person.paused_until, now=now, tz=person.tz) and person.paused_until is not None:
        at = rules.pause_ends_at(person.paused_until, person.tz)
    at = tandem.zones[person.id].next_working(at)
    if at > now:  # later than planned (a break that ended, the clock was down): in their working time only
        prep.due_at = at if at < plan.thread_at else None
        return None
    return tandem, plan.day


def due(session: Session, now: datetime) -> int:
    """Clock job: plan the preparations of every pair's next week (once, when the week before has opened), then queue
    every preparation DM that is due. Does not commit."""
    for pair_id, number in _to_plan(session):
        _plan(session, pair_id, number)
    session.flush()
    sent = 0
    for prep in session.scalars(_DUE, {"now": now}).all():
        decided = _decide(session, prep, now)
        if decided is None:
            continue
        tandem, day = decided
        person, partner = tandem.person(prep.participant_id), tandem.partner_of(prep.participant_id)
        prep.asked_at = now
        outbox.post(
            session,
            workspace_id=tandem.program.workspace_id,
            channel=person.slack_user_id,
            message=blocks.prep_dm(
                person.locale,
                prep_id=prep.id,
                number=prep.week_number,
                partner=partner.display_name,
                program=tandem.program.name,
                day=day,
            ),
            now=now,
            about=outbox.About.of(pair=tandem.pair, people=[person]),
            dedupe_key=f"rhythm:prep:{prep.id}",
        )
        sent += 1
    return sent


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act: now when a pair's next week has no preparation planned yet; else the earliest
    planned one not asked yet."""
    if _to_plan(session):
        return now
    return session.scalar(_NEXT)


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
