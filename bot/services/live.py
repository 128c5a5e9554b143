"""Live sessions across time zones: proposing three slots in the pair's group DM, accepting one (once or weekly),
the calendar file through the outbox, cancelling (a late one goes into the late-cancellation lane), and the clock's
reminders an hour before. Rules in ``bot.domain.live``; wording in ``bot.blocks.live``.

Everything a partner clicks is checked against the pair: only its two partners, only while it is active. Accepting
and cancelling change a row only from the state the click saw (``UPDATE ... WHERE status = ...``), so two clicks at
once, or a stale button, change it once and the other click is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.blocks import live as blocks
from bot.domain import calendar_file
from bot.domain import live as rules
from bot.domain import rhythm as rhythm_rules
from bot.domain.localtime import zone
from bot.models import (
    CancelKind,
    Cancellation,
    LiveSession,
    LiveStatus,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ProgramStatus,
)
from bot.services import matching, outbox
from bot.services.rhythm import Tandem, tandem_of

ICS_NAME = "tandem-live-session.ics"
KEY = "live:"  # outbox dedupe keys


@dataclass(frozen=True)
class Found:
    """The pair behind a click or command, or why not (a ``bot.blocks.live.note`` key)."""

    tandem: Tandem | None = None
    refusal: str | None = None


def tandem_for(session: Session, *, participant: Participant | None, pair_id: int | None) -> Found:
    """The active pair ``pair_id`` if ``participant`` is one of its partners."""
    pair = session.get(Pair, pair_id) if pair_id is not None else None
    if pair is None or participant is None or participant.id not in (pair.participant_a_id, pair.participant_b_id):
        return Found(refusal="not_yours")
    if pair.status != PairStatus.ACTIVE:
        return Found(refusal="ended")
    return Found(tandem_of(session, pair))


def caller_pair(session: Session, *, participant: Participant, channel_id: str | None) -> Found:
    """``/tandem slot``: the caller's active pair whose group DM the command came from, else their newest."""
    pairs = list(
        session.scalars(
            select(Pair)
            .join(Program, Program.id == Pair.program_id)
            .where(
                Pair.status == PairStatus.ACTIVE,
                Program.status == ProgramStatus.ACTIVE,
                (Pair.participant_a_id == participant.id) | (Pair.participant_b_id == participant.id),
            )
            .order_by(Pair.started_at.desc(), Pair.id.desc())
        )
    )
    if not pairs:
        return Found(refusal="no_pair")
    pair = next((p for p in pairs if channel_id and p.channel_id == channel_id), pairs[0])
    return Found(tandem_of(session, pair))


def _people(tandem: Tandem) -> list[blocks.Person]:
    return [blocks.Person(tandem.a.slack_user_id, tandem.a.tz), blocks.Person(tandem.b.slack_user_id, tandem.b.tz)]


def series_end(program: Program) -> datetime | None:
    """The last moment a weekly series may start: the program's end (midnight after its last day, program time)."""
    if program.start_date is None:
        return None
    end_day = program.start_date + timedelta(weeks=program.duration_weeks)
    return datetime.combine(end_day, time(0), tzinfo=zone(program.timezone)).astimezone(UTC)


def _group(tandem: Tandem, session: Session) -> dict[str, Any]:
    """Where a message to the pair goes: its group DM (opened by the worker when it is not known yet)."""
    channel = tandem.pair.channel_id or matching.pair_channel(session, tandem.pair)
    return {"channel": channel} if channel else {"__open": [tandem.a.slack_user_id, tandem.b.slack_user_id]}


def _to_pair(session: Session, tandem: Tandem, message: dict[str, Any], *, now: datetime, key: str) -> None:
    """A message to the pair's group DM, through the outbox (exactly once by ``key``)."""
    outbox.enqueue(
        session,
        workspace_id=tandem.program.workspace_id,
        method="chat.postMessage",
        payload={**_group(tandem, session), **message},
        now=now,
        about=outbox.About.of(pair=tandem.pair),
        dedupe_key=key,
    )


# -- proposing -----------------------------------------------------------------------------------------------------
def propose(session: Session, *, tandem: Tandem, now: datetime) -> list[LiveSession] | rules.NoSlot:
    """Three slots for the pair, posted in its group DM (an earlier proposal's open slots are dropped), or why there
    is none (nothing is stored or sent then). Commits."""
    away = (tandem.a.paused_until, tandem.b.paused_until)  # a break lasts from now up to its last day
    found = rules.find_slots(tandem.zones[tandem.a.id], tandem.zones[tandem.b.id], now=now, away=away)
    if isinstance(found, rules.NoSlot):
        return found
    session.execute(
        update(LiveSession)
        .where(LiveSession.pair_id == tandem.pair.id, LiveSession.status == LiveStatus.PROPOSED)
        .values(status=LiveStatus.DROPPED)
    )
    rows = [LiveSession(pair_id=tandem.pair.id, starts_at=s, proposed_at=now) for s in found]
    session.add_all(rows)
    session.flush()
    end = series_end(tandem.program)
    message = blocks.proposal(
        tandem.locale,
        slots=[blocks.Slot(r.id, r.starts_at) for r in rows],
        people=_people(tandem),
        until=end.astimezone(zone(tandem.program.timezone)).date() if end and end > found[0] else None,
    )
    _to_pair(session, tandem, message, now=now, key=f"{KEY}proposal:{rows[0].id}")
    session.commit()
    return rows


# -- accepting -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What a click did: ``message`` replaces the clicked one; ``refusal`` (a note key, with ``by`` for "taken"):
    nothing changed."""

    message: dict[str, Any] | None = None
    refusal: str | None = None
    by: str = ""


def _slot(
    session: Session, *, participant: Participant | None, session_id: int | None
) -> tuple[LiveSession | None, Found]:
    row = session.get(LiveSession, session_id) if session_id is not None else None
    if row is None:
        return None, Found(refusal="not_yours")
    return row, tandem_for(session, participant=participant, pair_id=row.pair_id)


def accept(
    session: Session, *, participant: Participant | None, session_id: int | None, weekly: bool, now: datetime
) -> Outcome:
    """Accept a proposed slot: the other slots of its proposal go away, the calendar file goes to the pair, the
    reminder is set. A slot that is no longer open changes nothing and says why. Commits what it changes."""
    row, found = _slot(session, participant=participant, session_id=session_id)
    if row is None or found.tandem is None or participant is None:
        return Outcome(refusal=found.refusal)
    tandem = found.tandem
    # one accept per pair at a time (PostgreSQL: the pair's row locked until commit): two partners clicking two slots
    # of one proposal at once get one session, and the second is told who was first
    session.execute(select(Pair.id).where(Pair.id == row.pair_id).with_for_update())
    session.refresh(row)
    if row.status != LiveStatus.PROPOSED:
        return _not_open(session, row)
    if row.starts_at <= now:
        return Outcome(refusal="past")
    end = series_end(tandem.program) if weekly else None
    weekly = end is not None and end > row.starts_at
    first = rules.next_occurrence(row.starts_at, weekly=weekly, until=end, after=now + rules.REMIND_BEFORE)
    claimed = session.execute(
        update(LiveSession)
        .where(LiveSession.id == row.id, LiveSession.status == LiveStatus.PROPOSED)
        .values(
            status=LiveStatus.ACCEPTED,
            accepted_by=participant.id,
            accepted_at=now,
            weekly=weekly,
            until=end if weekly else None,
            # an hour before; a slot less than an hour ahead gets no reminder (its next occurrence does)
            remind_at=rules.reminder_at(first) if first is not None else None,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # the partner's click came first: nothing changed
        return _not_open(session, session.get(LiveSession, row.id) or row)
    session.execute(
        update(LiveSession)
        .where(
            LiveSession.pair_id == row.pair_id,
            LiveSession.proposed_at == row.proposed_at,
            LiveSession.status == LiveStatus.PROPOSED,
        )
        .values(status=LiveStatus.DROPPED)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    _send_calendar(session, tandem, row, now=now, cancel=False)
    session.commit()
    return Outcome(message=accepted_message(tandem, row))


def accepted_message(tandem: Tandem, row: LiveSession) -> dict[str, Any]:
    by = tandem.person(row.accepted_by).slack_user_id if row.accepted_by in (tandem.a.id, tandem.b.id) else ""
    until = row.until.astimezone(zone(tandem.program.timezone)).date() - timedelta(days=1) if row.until else None
    return blocks.accepted(
        tandem.locale, session_id=row.id, starts_at=row.starts_at, people=_people(tandem), by=by, weekly_until=until
    )


def _not_open(session: Session, row: LiveSession) -> Outcome:
    """Why a slot can't be accepted: one of its proposal was accepted (by whom), or it is gone."""
    taken = session.scalar(
        select(LiveSession.accepted_by).where(
            LiveSession.pair_id == row.pair_id,
            LiveSession.proposed_at == row.proposed_at,
            LiveSession.status.in_((LiveStatus.ACCEPTED, LiveStatus.CANCELLED)),
        )
    )
    if taken is not None:
        person = session.get(Participant, taken)
        return Outcome(refusal="taken", by=person.slack_user_id if person else "")
    return Outcome(refusal="gone")


def _send_calendar(session: Session, tandem: Tandem, row: LiveSession, *, now: datetime, cancel: bool) -> None:
    """The .ics of the session (or of its cancellation) uploaded to the pair's group DM, through the outbox."""
    summary, description = blocks.calendar_texts(
        [tandem.locale, tandem.a.locale, tandem.b.locale], weekly=row.weekly
    )  # the thread's language first
    content = calendar_file.invitation(
        uid=calendar_file.uid(row.id, row.proposed_at),
        starts_at=row.starts_at,
        minutes=row.minutes,
        summary=summary,
        description=description,
        sequence=row.sequence,
        stamp=now,
        weekly_until=row.until if row.weekly else None,
        cancelled=cancel,
    )
    payload = {
        **_group(tandem, session),
        "file_uploads": [{"content": content.decode("utf-8"), "filename": ICS_NAME, "title": summary}],
        "initial_comment": blocks.upload_comment(tandem.locale, cancel=cancel),
    }
    outbox.enqueue(
        session,
        workspace_id=tandem.program.workspace_id,
        method=outbox.UPLOAD_METHOD,
        payload=payload,
        now=now,
        about=outbox.About.of(pair=tandem.pair),
        dedupe_key=f"{KEY}ics:{row.id}:{row.sequence}",
    )


# -- cancelling ----------------------------------------------------------------------------------------------------
def cancel(session: Session, *, participant: Participant | None, session_id: int | None, now: datetime) -> Outcome:
    """Cancel an accepted session (a weekly one: the rest of the series): the pair is told, the calendar gets a
    cancellation (same UID, SEQUENCE + 1); less than 24 hours before its next occurrence it is a late cancellation,
    logged as *Cancel a week* logs one. Commits what it changes."""
    row, found = _slot(session, participant=participant, session_id=session_id)
    if row is None or found.tandem is None or participant is None:
        return Outcome(refusal=found.refusal)
    tandem = found.tandem
    if row.status == LiveStatus.CANCELLED:
        return Outcome(refusal="cancelled")
    if row.status != LiveStatus.ACCEPTED:
        return Outcome(refusal="gone")
    upcoming = rules.next_occurrence(row.starts_at, weekly=row.weekly, until=row.until, after=now)
    if upcoming is None:
        return Outcome(refusal="over")
    done = session.execute(
        update(LiveSession)
        .where(LiveSession.id == row.id, LiveSession.status == LiveStatus.ACCEPTED)
        .values(status=LiveStatus.CANCELLED, sequence=LiveSession.sequence + 1, remind_at=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # cancelled by the partner's click a moment ago: nothing changed
        return Outcome(refusal="cancelled")
    session.refresh(row)
    late = rules.is_late(upcoming, now=now)
    week = session.scalar(select(func.max(PairWeek.number)).where(PairWeek.pair_id == tandem.pair.id))
    session.add(
        Cancellation(
            pair_id=tandem.pair.id,
            participant_id=participant.id,
            week_number=week or 0,
            kind=CancelKind.LIVE,
            late=late,
            created_at=now,
        )
    )
    message = blocks.cancelled(
        tandem.locale, starts_at=upcoming, people=_people(tandem), by=participant.slack_user_id, late=late
    )
    _to_pair(session, tandem, message, now=now, key=f"{KEY}cancelled:{row.id}")
    _send_calendar(session, tandem, row, now=now, cancel=True)
    session.commit()
    return Outcome(message=blocks.cancelled_session(tandem.locale, starts_at=row.starts_at, people=_people(tandem)))


# -- the clock: reminders ------------------------------------------------------------------------------------------
_DUE = (
    select(LiveSession)
    .join(Pair, Pair.id == LiveSession.pair_id)
    .where(LiveSession.status == LiveStatus.ACCEPTED, LiveSession.remind_at.is_not(None))
    .order_by(LiveSession.remind_at, LiveSession.id)
)
_NEXT = select(func.min(LiveSession.remind_at)).where(
    LiveSession.status == LiveStatus.ACCEPTED, LiveSession.remind_at.is_not(None)
)


def remind(session: Session, now: datetime) -> int:
    """Clock job: each accepted session whose reminder is due: a DM to each partner an hour before (in their own
    time and language), or, when this occurrence is skipped (a break, a public holiday, outside someone's working
    time), a DM saying so instead, in the person's working time; then the next occurrence's reminder. A session of a
    pair that ended gets none. Idempotent: ``remind_at`` moves on in the same transaction. Does not commit (the tick
    does)."""
    done = 0
    for row in session.scalars(_DUE.where(LiveSession.remind_at <= now)).all():
        occurrence = row.remind_at + rules.REMIND_BEFORE  # type: ignore[operator]
        pair = session.get(Pair, row.pair_id)
        following = rules.next_occurrence(row.starts_at, weekly=row.weekly, until=row.until, after=occurrence)
        row.remind_at = rules.reminder_at(following) if following is not None else None
        if pair is None or pair.status != PairStatus.ACTIVE or occurrence <= now:
            continue  # the pair ended, or the clock was away past the session: no reminder for the past
        tandem = tandem_of(session, pair)
        a, b = tandem.zones[tandem.a.id], tandem.zones[tandem.b.id]
        paused = [
            rhythm_rules.is_paused(p.paused_until, occurrence.astimezone(zone(p.tz)).date())
            for p in (tandem.a, tandem.b)
        ]
        paused.append(tandem.program.status != ProgramStatus.ACTIVE)  # the hosts paused the program
        skip = rules.occurrence_skip(occurrence, a, b, paused=paused)
        for person in (tandem.a, tandem.b):
            partner = tandem.partner_of(person.id).slack_user_id
            not_before = None  # the reminder: an hour before a session inside both working times, whenever that is
            if skip is None:
                message = blocks.reminder(person.locale, starts_at=occurrence, tz=person.tz, partner=partner)
            else:  # no session: the note waits for the person's working time (a holiday's note: the next workday)
                message = blocks.skipped(
                    person.locale, starts_at=occurrence, tz=person.tz, partner=partner, reason=skip, following=following
                )
                not_before = tandem.zones[person.id].next_working(now)
            outbox.post(
                session,
                workspace_id=tandem.program.workspace_id,
                channel=person.slack_user_id,
                message=message,
                now=now,
                about=outbox.About.of(pair=pair, people=[person]),
                dedupe_key=f"{KEY}remind:{row.id}:{occurrence.isoformat()}:{person.id}",
                not_before=not_before if not_before and not_before > now else None,
            )
        done += 1
    return done


def next_reminder(session: Session, now: datetime) -> datetime | None:
    """When :func:`remind` may next act: the earliest reminder due of an accepted session."""
    return session.scalar(_NEXT)
