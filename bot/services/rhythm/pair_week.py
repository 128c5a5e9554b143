"""A pair's week in the database (rules in ``bot.domain.rhythm``; the clock's round for all pairs is
``bot.services.rhythm.weekly_round``): a pair with what the rhythm needs (``Tandem``), its weeks, posting in its
group DM and its week thread, answers (thread replies and the Answer modal), "what we agreed" closing a week,
cancelling and moving weeks (logged in ``Cancellation``, ``late`` when short notice), pauses, and what App Home
shows of the rhythm.

Every Slack message goes through the outbox in the transaction that caused it. A prompt's ``ts`` (the week's
thread) is read back from the outbox once the worker sent it.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.blocks import rhythm as blocks
from bot.domain import rhythm as rules
from bot.domain import worktime
from bot.domain.worktime import WorkingTime
from bot.models import (
    CancelKind,
    Cancellation,
    OutboxMessage,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ProgramStatus,
    WeekAnswer,
    WeekPartner,
    WeekPrep,
    WeekStatus,
)
from bot.services import matching, outbox, people

PROMPT_KEY = "rhythm:prompt:"  # + week id: the outbox message of a week's prompt
PROMPTED = tuple(rules.PROMPTED)

# Why a click or a submission changed nothing (wording: ``rhythm.j2``).
NOT_YOURS, PAIR_ENDED, WEEK_OVER, UNAVAILABLE = "not_yours", "pair_ended", "week_over", "week_unavailable"


# -- a pair with what the rhythm needs ---------------------------------------------------------------------
@dataclass(frozen=True)
class Tandem:
    pair: Pair
    program: Program
    a: Participant
    b: Participant

    @functools.cached_property
    def zones(self) -> dict[int, WorkingTime]:
        """Each partner's working time: their week's moment moves off weekends, holidays and the night."""
        return {self.a.id: worktime.of(self.a, self.program), self.b.id: worktime.of(self.b, self.program)}

    @property
    def locale(self) -> str:
        return rules.pair_locale(self.a.locale, self.b.locale)

    @property
    def modes(self) -> tuple[object, object]:
        """Each partner's way of working from the interview (``bot.domain.interview.MODES``; None: not said)."""
        return tuple((p.preferences or {}).get("mode") for p in (self.a, self.b))  # type: ignore[return-value]

    def has(self, participant_id: int) -> bool:
        return participant_id in (self.a.id, self.b.id)

    def person(self, participant_id: int) -> Participant:
        return self.a if participant_id == self.a.id else self.b

    def partner_of(self, participant_id: int) -> Participant:
        return self.b if participant_id == self.a.id else self.a

    @property
    def schedule(self) -> rules.Schedule:
        return schedule_of(self.program, self.pair.started_at)

    def plan(self, number: int, day: date) -> rules.WeekPlan:
        return rules.plan(number, day, self.program.prompt_hour, self.zones)


# What :func:`schedule_of` reads from a row, for queries that build schedules for many pairs at once (in this order)
SCHEDULE_COLUMNS = (
    Pair.started_at,
    Program.timezone,
    Program.prompt_weekday,
    Program.prompt_hour,
    Program.rhythm,
    Program.duration_weeks,
    Program.start_date,
)


def schedule_of(program: Any, started_at: datetime) -> rules.Schedule:
    """The weekly schedule of a pair that started at ``started_at`` in ``program`` (a Program or a row with its
    ``timezone``, ``prompt_weekday``, ``prompt_hour``, ``rhythm``, ``duration_weeks`` and ``start_date``)."""
    return rules.schedule(
        weekday=program.prompt_weekday,
        hour=program.prompt_hour,
        rhythm=program.rhythm,
        duration_weeks=program.duration_weeks,
        program_start=program.start_date,
        started_on=rules.local_today(started_at, program.timezone),
    )


def tandem_of(session: Session, pair: Pair) -> Tandem:
    program = session.get(Program, pair.program_id)
    a = session.get(Participant, pair.participant_a_id)
    b = session.get(Participant, pair.participant_b_id)
    assert program is not None and a is not None and b is not None
    return Tandem(pair, program, a, b)


def _active_tandems(session: Session, participant: Participant) -> list[Tandem]:
    """The person's active pairs in active programs as Tandems, oldest first: two queries for all of them."""
    rows = (
        session.execute(
            select(Pair, Program)
            .join(Program, Program.id == Pair.program_id)
            .where(
                Pair.status == PairStatus.ACTIVE,
                Program.status == ProgramStatus.ACTIVE,
                or_(Pair.participant_a_id == participant.id, Pair.participant_b_id == participant.id),
            )
            .order_by(Pair.started_at, Pair.id)
        )
        .tuples()
        .all()
    )
    if not rows:
        return []
    ids = {i for pair, _ in rows for i in (pair.participant_a_id, pair.participant_b_id)}
    people = {p.id: p for p in session.scalars(select(Participant).where(Participant.id.in_(ids)))}
    return [
        Tandem(pair, program, people[pair.participant_a_id], people[pair.participant_b_id]) for pair, program in rows
    ]


def _handled(session: Session, pair_id: int) -> int:
    """The number of the pair's last week the clock dealt with (0: none yet)."""
    return int(
        session.scalar(
            select(func.max(PairWeek.number)).where(PairWeek.pair_id == pair_id, PairWeek.handled_at.is_not(None))
        )
        or 0
    )


def _weeks(session: Session, pair_id: int) -> dict[int, PairWeek]:
    return {w.number: w for w in session.scalars(select(PairWeek).where(PairWeek.pair_id == pair_id))}


def _moved(weeks: dict[int, PairWeek]) -> dict[int, date]:
    return {n: w.moved_to for n, w in weeks.items() if w.moved_to is not None and w.handled_at is None}


def _new_week(tandem: Tandem, number: int, *, now: datetime) -> PairWeek:
    return PairWeek(
        pair_id=tandem.pair.id,
        number=number,
        day=tandem.schedule.day(number),
        status=WeekStatus.SCHEDULED,
        method=rules.method_card(number),
        created_at=now,
    )


def _week(session: Session, tandem: Tandem, number: int, *, now: datetime) -> PairWeek:
    week = session.scalar(select(PairWeek).where(PairWeek.pair_id == tandem.pair.id, PairWeek.number == number))
    if week is None:
        week = _new_week(tandem, number, now=now)
        session.add(week)
        session.flush()
    return week


# -- posting -----------------------------------------------------------------------------------------------
def resolve_thread(session: Session, week: PairWeek) -> bool:
    """Whether the week's prompt is in Slack; reads its channel and ts (the thread) back from the outbox once,
    and keeps the pair's ``thread_ts`` on its newest week."""
    if week.thread_ts:
        return True
    sent = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{PROMPT_KEY}{week.id}"))
    if sent is None or not sent.result or not sent.result.get("ts"):
        return False
    week.channel_id = sent.result.get("channel")
    week.thread_ts = sent.result["ts"]
    pair = session.get(Pair, week.pair_id)
    assert pair is not None
    pair.channel_id = pair.channel_id or week.channel_id
    if not superseded(session, week):
        pair.thread_ts = week.thread_ts
    return True


def _post(
    session: Session,
    tandem: Tandem,
    message: dict[str, Any],
    *,
    key: str,
    now: datetime,
    channel: str | None = None,
    thread_ts: str | None = None,
) -> None:
    """Queue ``message`` in the pair's group DM (in ``thread_ts`` when given)."""
    outbox.enqueue(
        session, now=now, **_post_item(session, tandem, message, key=key, channel=channel, thread_ts=thread_ts)
    )


def _post_item(
    session: Session,
    tandem: Tandem,
    message: dict[str, Any],
    *,
    key: str,
    channel: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """What :func:`_post` queues, as keyword arguments of ``outbox.enqueue`` (and items of ``enqueue_many``)."""
    channel = channel or tandem.pair.channel_id or matching.pair_channel(session, tandem.pair)
    payload: dict[str, Any] = dict(message)
    if channel:
        payload["channel"] = channel
    else:  # the introduction is not out yet: the same group DM, opened by the worker
        payload["__open"] = [tandem.a.slack_user_id, tandem.b.slack_user_id]
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return {
        "workspace_id": tandem.program.workspace_id,
        "method": "chat.postMessage",
        "payload": payload,
        "about": outbox.About.of(pair=tandem.pair),
        "dedupe_key": key,
    }


POSTED = (*PROMPTED, WeekStatus.CANCELLED)  # a week cancelled while under way keeps its thread


def _latest_thread(session: Session, pair_id: int) -> PairWeek | None:
    """The pair's newest week whose prompt is in Slack."""
    weeks = session.scalars(
        select(PairWeek)
        .where(PairWeek.pair_id == pair_id, PairWeek.status.in_(POSTED), PairWeek.handled_at.is_not(None))
        .order_by(PairWeek.number.desc())
        .limit(3)
    )
    return next((week for week in weeks if resolve_thread(session, week)), None)


def _post_in_thread(session: Session, tandem: Tandem, message: dict[str, Any], *, key: str, now: datetime) -> None:
    """A note in the pair's newest week thread (top level when there is none yet)."""
    outbox.enqueue(session, now=now, **_in_thread_item(session, tandem, message, key=key))


def _in_thread_item(session: Session, tandem: Tandem, message: dict[str, Any], *, key: str) -> dict[str, Any]:
    """What :func:`_post_in_thread` queues (see :func:`_post_item`)."""
    week = _latest_thread(session, tandem.pair.id)
    if week is not None:
        return _post_item(session, tandem, message, key=key, channel=week.channel_id, thread_ts=week.thread_ts)
    return _post_item(session, tandem, message, key=key)


def _pending_nudge() -> Any:
    """A partner row with a nudge or a mid-week nudge planned that has not gone out."""
    return or_(
        and_(WeekPartner.nudge_at.is_not(None), WeekPartner.nudge_sent_at.is_(None)),
        and_(WeekPartner.midweek_at.is_not(None), WeekPartner.midweek_sent_at.is_(None)),
    )


def _void(part: WeekPartner) -> None:
    if part.nudge_sent_at is None:
        part.nudge_at = None
    if part.midweek_sent_at is None:
        part.midweek_at = None


def _void_nudges(session: Session, week_ids: list[int]) -> None:
    """Nudges of these weeks that have not gone out yet never will."""
    if not week_ids:
        return
    for part in session.scalars(select(WeekPartner).where(WeekPartner.week_id.in_(week_ids), _pending_nudge())):
        _void(part)


# -- answers -----------------------------------------------------------------------------------------------
def week_of_thread(session: Session, *, channel_id: str, thread_ts: str) -> PairWeek | None:
    """The week whose prompt started this thread in this group DM, if any."""
    found = session.scalar(
        select(PairWeek).where(PairWeek.thread_ts == thread_ts, PairWeek.channel_id == channel_id).limit(1)
    )
    if found is not None:
        return found
    unread = session.scalars(  # prompts sent whose ts we have not read back yet
        select(PairWeek)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.channel_id == channel_id, PairWeek.thread_ts.is_(None), PairWeek.status.in_(POSTED))
    ).all()
    for week in unread:
        if resolve_thread(session, week) and week.thread_ts == thread_ts and week.channel_id == channel_id:
            return week
    return None


def _mark_answered(session: Session, week: PairWeek, participant_id: int, *, now: datetime) -> None:
    part = session.scalar(
        select(WeekPartner).where(WeekPartner.week_id == week.id, WeekPartner.participant_id == participant_id)
    )
    if part is not None and part.answered_at is None:
        part.answered_at = now


def replying_partner(
    session: Session, *, team_id: str, channel_id: str, thread_ts: str, user_id: str
) -> Participant | None:
    """The partner who wrote in one of their pair's week threads; None for anyone and anything else."""
    week = week_of_thread(session, channel_id=channel_id, thread_ts=thread_ts)
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if pair is None or participant is None or participant.id not in (pair.participant_a_id, pair.participant_b_id):
        return None
    return participant if pair.status == PairStatus.ACTIVE else None


def record_reply(
    session: Session, *, team_id: str, channel_id: str, thread_ts: str, user_id: str, text: str, ts: str, now: datetime
) -> bool:
    """A message in a week's thread by one of the pair's partners becomes an answer (once per ``ts``, so
    Slack's retries change nothing). Anything else (another thread, someone else) is ignored. Commits."""
    week = week_of_thread(session, channel_id=channel_id, thread_ts=thread_ts)
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if week is None or pair is None or participant is None:
        session.commit()  # keeps what resolving read back
        return False
    if participant.id not in (pair.participant_a_id, pair.participant_b_id) or pair.status != PairStatus.ACTIVE:
        session.commit()  # a former partner's reply in the old thread is no answer any more
        return False
    seen = session.scalar(select(WeekAnswer.id).where(WeekAnswer.week_id == week.id, WeekAnswer.slack_ts == ts))
    if seen is None:
        session.add(
            WeekAnswer(
                week_id=week.id, participant_id=participant.id, text=text, slack_ts=ts, source="thread", created_at=now
            )
        )
        _mark_answered(session, week, participant.id, now=now)
    session.commit()
    return True


@dataclass(frozen=True)
class Found:
    """A week a partner acts on, with their tandem; or why not (``refusal``)."""

    week: PairWeek | None = None
    tandem: Tandem | None = None
    refusal: str | None = None


def find(session: Session, *, participant: Participant | None, week_id: int | None) -> Found:
    """The week behind a button or modal, if ``participant`` is one of its pair and the pair is active."""
    week = session.get(PairWeek, week_id) if week_id is not None else None
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if week is None or pair is None or participant is None:
        return Found(refusal=NOT_YOURS)
    tandem = tandem_of(session, pair)
    if not tandem.has(participant.id):
        return Found(refusal=NOT_YOURS)
    if pair.status != PairStatus.ACTIVE:
        return Found(refusal=PAIR_ENDED)
    return Found(week, tandem)


def superseded(session: Session, week: PairWeek) -> bool:
    """Whether a newer week's prompt is already in the thread."""
    return (
        session.scalar(
            select(PairWeek.id)
            .where(
                PairWeek.pair_id == week.pair_id,
                PairWeek.number > week.number,
                PairWeek.status.in_(PROMPTED),
                PairWeek.handled_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def answer(session: Session, *, participant: Participant, week_id: int, text: str, now: datetime) -> str | None:
    """The Answer modal: record it and post it in the week's thread for the partner. Returns a refusal key or
    None. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return found.refusal
    week, tandem = found.week, found.tandem
    if week.status not in PROMPTED or not resolve_thread(session, week):
        return UNAVAILABLE
    row = WeekAnswer(week_id=week.id, participant_id=participant.id, text=text, source="modal", created_at=now)
    session.add(row)
    session.flush()
    _mark_answered(session, week, participant.id, now=now)
    message = blocks.answer_posted(tandem.locale, name=participant.display_name, text=text)
    _post(
        session,
        tandem,
        message,
        key=f"rhythm:answer:{row.id}",
        now=now,
        channel=week.channel_id,
        thread_ts=week.thread_ts,
    )
    session.commit()
    return None


def agree(
    session: Session, *, participant: Participant, week_id: int, homework: str, next_step: str, now: datetime
) -> str | None:
    """Record "what we agreed": store it, close the week (no more nudges), post it in the thread; the next prompt opens
    with it. Either partner may record or update it until the next week's prompt. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return found.refusal
    week, tandem = found.week, found.tandem
    if week.status not in PROMPTED:
        return UNAVAILABLE
    if superseded(session, week):
        return WEEK_OVER
    updated = week.agreed_at is not None
    week.agreed_homework, week.agreed_next_step = homework, next_step
    week.agreed_by, week.agreed_at = participant.id, now
    week.status = WeekStatus.CLOSED
    _mark_answered(session, week, participant.id, now=now)
    _void_nudges(session, [week.id])
    message = blocks.agreed_posted(
        tandem.locale,
        number=week.number,
        name=participant.display_name,
        homework=homework,
        next_step=next_step,
        updated=updated,
    )
    key = f"rhythm:agreed:{week.id}:{now:%Y%m%dT%H%M%S%f}:{zlib.crc32(f'{homework}|{next_step}'.encode()):08x}"
    if resolve_thread(session, week):
        _post(session, tandem, message, key=key, now=now, channel=week.channel_id, thread_ts=week.thread_ts)
    else:
        _post(session, tandem, message, key=key, now=now)
    session.commit()
    return None


def choose_card(session: Session, *, participant: Participant, week_id: int, card: str, now: datetime) -> str | None:
    """The pair chose week's method card instead of the rotation: store it, post it in the week's thread; the
    rotation goes on from it (``rules.next_card``). Either partner, while the week is the newest one prompted.
    Returns a refusal key or None (also when the card is the week's already: nothing changes). Commits."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return found.refusal
    week, tandem = found.week, found.tandem
    if card not in rules.METHOD_CARDS:
        return "card_unknown"
    if week.status not in PROMPTED or not resolve_thread(session, week):
        return UNAVAILABLE
    if superseded(session, week):
        return WEEK_OVER
    if week.method == card:
        return None
    week.method = card
    message = blocks.card_chosen(tandem.locale, name=participant.display_name, number=week.number, card=card)
    key = f"rhythm:card:{week.id}:{card}:{now:%Y%m%dT%H%M%S%f}"
    _post(session, tandem, message, key=key, now=now, channel=week.channel_id, thread_ts=week.thread_ts)
    session.commit()
    return None


# -- cancel and move ---------------------------------------------------------------------------------------
def choices(session: Session, tandem: Tandem, *, now: datetime, moving: bool) -> list[blocks.WeekChoice]:
    """The weeks a partner may cancel (the week under way, while open, and the next few) or move (the next
    few whose prompt has not come yet)."""
    sched = tandem.schedule
    weeks = _weeks(session, tandem.pair.id)
    handled = max((n for n, w in weeks.items() if w.handled_at is not None), default=0)
    moved = _moved(weeks)
    out: list[blocks.WeekChoice] = []
    current = weeks.get(handled)
    if not moving and current is not None and current.status == WeekStatus.OPEN:
        out.append(blocks.WeekChoice(handled, current.moved_to or current.day, current=True))
    ahead: list[blocks.WeekChoice] = []
    for plan in rules.upcoming(sched, after=handled, moved=moved, zones=tandem.zones, limit=sched.weeks):
        row = weeks.get(plan.number)
        if plan.thread_at <= now or (row is not None and row.status == WeekStatus.CANCELLED):
            continue  # about to be posted, or cancelled already
        ahead.append(blocks.WeekChoice(plan.number, plan.day))
        if len(ahead) == rules.UPCOMING_CHOICES:
            break
    return out + ahead


def _thread_at(tandem: Tandem, week: PairWeek, day: date) -> datetime:
    return week.thread_at if week.handled_at is not None and week.thread_at else tandem.plan(week.number, day).thread_at


def cancel(session: Session, *, participant: Participant, week_id: int, number: int, now: datetime) -> str | None:
    """Cancel week ``number`` (the clicked prompt's pair): no prompt, no nudges; logged in ``Cancellation``,
    ``late`` when less than 24 h before its prompt; the partner reads it in the thread. Returns a refusal key
    (``week_gone`` for a week that cannot be cancelled) or None. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.tandem is None:
        return found.refusal
    tandem = found.tandem
    choice = next((c for c in choices(session, tandem, now=now, moving=False) if c.number == number), None)
    if choice is None:
        return "week_gone"
    week = _week(session, tandem, number, now=now)
    late = rules.is_late(thread_at=_thread_at(tandem, week, choice.day), now=now)
    week.status = WeekStatus.CANCELLED
    session.add(
        Cancellation(
            pair_id=tandem.pair.id,
            participant_id=participant.id,
            week_number=number,
            kind=CancelKind.CANCEL,
            late=late,
            created_at=now,
        )
    )
    session.flush()
    if choice.current:
        _void_nudges(session, [week.id])
    message = blocks.cancelled_note(
        tandem.locale, name=participant.display_name, number=number, day=choice.day, current=choice.current
    )
    _post_in_thread(session, tandem, message, key=f"rhythm:cancel:{tandem.pair.id}:{number}", now=now)
    session.commit()
    return None


@dataclass(frozen=True)
class MoveResult:
    """None of these set: moved. ``refusal``: nothing changed (a click-level reason or ``week_gone``);
    ``error``: the new day is not possible (a ``move_to.*`` key) between ``after`` and ``before``."""

    refusal: str | None = None
    error: str | None = None
    after: date | None = None
    before: date | None = None


def move(
    session: Session, *, participant: Participant, week_id: int, number: int, new_day: date | None, now: datetime
) -> MoveResult:
    """Move week ``number`` to ``new_day``: its prompt comes that day at everyone's usual hour; logged in
    ``Cancellation`` (kind move, ``late`` when less than 24 h before its original prompt); the partner reads it
    in the thread. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.tandem is None:
        return MoveResult(refusal=found.refusal)
    tandem = found.tandem
    choice = next((c for c in choices(session, tandem, now=now, moving=True) if c.number == number), None)
    if choice is None:
        return MoveResult(refusal="week_gone")
    sched = tandem.schedule
    moved = _moved(_weeks(session, tandem.pair.id))
    error = rules.move_error(new_day, number=number, sched=sched, moved=moved, zones=tandem.zones, now=now)
    if error is not None or new_day is None:
        after, before = rules.move_bounds(number, sched=sched, moved=moved)
        return MoveResult(error=error or "move_to.required", after=after, before=before)
    week = _week(session, tandem, number, now=now)
    late = rules.is_late(thread_at=tandem.plan(number, choice.day).thread_at, now=now)
    week.moved_to = new_day
    session.execute(  # its preparations are planned again for the new day (bot.services.prep)
        delete(WeekPrep).where(WeekPrep.pair_id == tandem.pair.id, WeekPrep.asked_at.is_(None))
    )
    session.add(
        Cancellation(
            pair_id=tandem.pair.id,
            participant_id=participant.id,
            week_number=number,
            kind=CancelKind.MOVE,
            moved_to=new_day,
            late=late,
            created_at=now,
        )
    )
    session.flush()
    message = blocks.moved_note(
        tandem.locale, name=participant.display_name, number=number, old=choice.day, new=new_day
    )
    _post_in_thread(
        session, tandem, message, key=f"rhythm:move:{tandem.pair.id}:{number}:{new_day.isoformat()}", now=now
    )
    session.commit()
    return MoveResult()


# -- pauses ------------------------------------------------------------------------------------------------
def current_pause(participant: Participant, *, now: datetime) -> date | None:
    """The last day of the person's break while it lasts, else None."""
    if rules.paused_now(participant.paused_until, now=now, tz=participant.tz):
        return participant.paused_until
    return None


def set_pause(session: Session, *, participant: Participant, until: date | None, now: datetime) -> bool:
    """Start or change a break (``until``, inclusive) or end it (None). Each of the person's active tandems
    reads a short, neutral note in its thread. Returns False when ending a break there was none of. Commits."""
    if until is None and current_pause(participant, now=now) is None:
        return False
    participant.paused_until = until
    participant.updated_at = now
    for tandem in _active_tandems(session, participant):
        message = blocks.pause_note(tandem.locale, name=participant.display_name, until=until)
        change = until.isoformat() if until else "off"
        key = f"rhythm:pause:{participant.id}:{tandem.pair.id}:{change}:{now:%Y%m%dT%H%M%S%f}"
        _post_in_thread(session, tandem, message, key=key, now=now)
    session.commit()
    return True


# -- App Home ----------------------------------------------------------------------------------------------
# Every week of the pairs, and whether a partner answered it by then (``now``).
_WEEKS_OF_PAIRS = select(
    PairWeek,
    exists()
    .where(
        WeekPartner.week_id == PairWeek.id,
        WeekPartner.answered_at.is_not(None),
        WeekPartner.answered_at <= bindparam("now"),
    )
    .label("answered"),
).where(PairWeek.pair_id.in_(bindparam("pair_ids", expanding=True)))


def weeks_of(session: Session, pair_ids: Sequence[int], *, now: datetime) -> tuple[dict[int, list[PairWeek]], set[int]]:
    """Per pair id, the pair's week rows (in no particular order), and the ids of the weeks a partner answered by
    ``now``: one query for all the pairs."""
    out: dict[int, list[PairWeek]] = {i: [] for i in pair_ids}
    answered: set[int] = set()
    if pair_ids:
        rows = session.execute(_WEEKS_OF_PAIRS, {"pair_ids": list(pair_ids), "now": now}).tuples()
        for week, was_answered in rows:
            out[week.pair_id].append(week)
            if was_answered:
                answered.add(week.id)
    return out, answered


def _next_prompt(tandem: Tandem, participant: Participant, weeks: dict[int, PairWeek]) -> blocks.NextPrompt:
    sched = tandem.schedule
    handled = max((n for n, w in weeks.items() if w.handled_at is not None), default=0)
    partner = tandem.partner_of(participant.id).display_name
    for plan in rules.upcoming(sched, after=handled, moved=_moved(weeks), zones=tandem.zones, limit=sched.weeks):
        row = weeks.get(plan.number)
        if row is not None and row.status == WeekStatus.CANCELLED:
            continue
        if any(rules.is_paused(p.paused_until, plan.day) for p in (tandem.a, tandem.b)):
            continue
        return blocks.NextPrompt(tandem.program.name, partner, plan.number, plan.at[participant.id])
    return blocks.NextPrompt(tandem.program.name, partner, None, None)


def home_info(
    *,
    participant: Participant,
    pairs: Sequence[Pair],
    people: Mapping[int, Participant],
    programs: Mapping[int, Program],
    weeks: Mapping[int, Sequence[PairWeek]],
    now: datetime,
) -> blocks.RhythmHome:
    """Each active tandem's next prompt on the person's own clock, and their break while it lasts; from what Home
    read (no query): the person's active ``pairs`` (``matching.pairs_of``, oldest first), both partners of each in
    ``people``, the ``programs`` and the pairs' ``weeks`` (:func:`weeks_of`) by id. A tandem is an active pair in an
    active program."""
    tandems = [
        Tandem(pair, program, people[pair.participant_a_id], people[pair.participant_b_id])
        for pair in pairs
        if (program := programs.get(pair.program_id)) is not None and program.status == ProgramStatus.ACTIVE
    ]
    return blocks.RhythmHome(
        tz=participant.tz,
        paused_until=current_pause(participant, now=now),
        next_prompts=[_next_prompt(t, participant, {w.number: w for w in weeks.get(t.pair.id, ())}) for t in tandems],
    )
