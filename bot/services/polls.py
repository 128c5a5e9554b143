"""Anonymous mood polls: opening a program's pulse rounds on its rhythm (a DM to each active participant in their
workday daytime), recording an answer, closing a round (results to the admin channel) and the hosts' results.
Rules in ``bot.domain.polls``; the unlinkability design in ``bot.models.poll``.

**An answer is unlinkable.** :func:`submit` marks the person's receipt ``answered`` and adds a response without
person, time or ordered key; then it rewrites all of the round's receipts (participant order) and responses (key
order; keys are random), so the physical order of rows and the transaction that wrote each live row say nothing
about who answered what. Nothing else is written: no outbox row, no log line, no timestamp.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import polls as blocks
from bot.domain import localtime
from bot.domain import polls as rules
from bot.domain.rhythm import paused_now
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Pair,
    PairStatus,
    Participant,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import outbox

SAVED, MISSING, NOT_YOURS, CLOSED, ANSWERED = "saved", "missing", "not_yours", "closed", "answered"


def due(session: Session, now: datetime) -> int:
    """Due job: open the rounds that are due, close the ones whose time is up. Does not commit (the tick does)."""
    return open_due(session, now=now) + close_due(session, now=now)


# -- opening -----------------------------------------------------------------------------------------------
def audience(session: Session, *, program: Program, now: datetime) -> list[Participant]:
    """Everyone onboarded in the program with an active pair in it and not on a break (``/tandem pause``), by id."""
    pairs = session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id).where(
            Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE
        )
    ).all()
    paired = {pid for row in pairs for pid in row}
    if not paired:
        return []
    people = session.scalars(
        select(Participant)
        .join(Enrollment, Enrollment.participant_id == Participant.id)
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status == EnrollmentStatus.ONBOARDED,
            Participant.id.in_(paired),
        )
        .order_by(Participant.id)
    )
    return [p for p in people if not paused_now(p.paused_until, now=now, tz=p.tz)]


def last_number(session: Session, *, program_id: int) -> int:
    numbers = session.scalars(select(PollRound.number).where(PollRound.program_id == program_id)).all()
    return max(numbers, default=0)


def open_due(session: Session, *, now: datetime) -> int:
    opened = 0
    programs = session.scalars(
        select(Program).where(Program.status == ProgramStatus.ACTIVE, Program.poll_every_weeks > 0).order_by(Program.id)
    ).all()
    for program in programs:
        number = rules.due_round(
            start=program.start_date,
            every_weeks=program.poll_every_weeks,
            duration_weeks=program.duration_weeks,
            last_number=last_number(session, program_id=program.id),
            tz=program.timezone,
            now=now,
        )
        if number is not None and open_round(session, program=program, number=number, now=now) is not None:
            opened += 1
    return opened


def open_round(session: Session, *, program: Program, number: int, now: datetime) -> PollRound | None:
    """Open round ``number``: a receipt (not answered) and a pulse DM for each active participant. None when nobody
    is active (no round is recorded then)."""
    people = audience(session, program=program, now=now)
    if not people:
        return None
    today = now.astimezone(localtime.zone(program.timezone)).date()
    poll = PollRound(
        program_id=program.id,
        number=number,
        opens_on=today,
        closes_on=rules.closes_on(today),
        threshold=max(program.poll_threshold, rules.THRESHOLD_MIN),
        questions=rules.questions_for(number),
        closed=False,
    )
    session.add(poll)
    session.flush()
    closes = rules.at_hour(poll.closes_on, program.timezone)
    for person in people:
        session.add(PollReceipt(round_id=poll.id, participant_id=person.id, answered=False))
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=person.slack_user_id,
            message=blocks.pulse(
                person.locale,
                round_id=poll.id,
                program=program.name,
                threshold=poll.threshold,
                deadline=blocks.deadline_text(person.locale, closes, person.tz),
            ),
            now=now,
            about=outbox.About.of(program=program, people=[person]),
            dedupe_key=f"poll:{poll.id}:ask:{person.id}",
            not_before=localtime.send_at(now, person.tz),
        )
    session.flush()
    return poll


# -- answering ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    round: PollRound
    program: Program


def find(session: Session, *, participant: Participant | None, round_id: int | None, now: datetime) -> Found | str:
    """The round someone may answer now, or why not (MISSING, NOT_YOURS, CLOSED, ANSWERED)."""
    poll = session.get(PollRound, round_id) if round_id is not None else None
    program = session.get(Program, poll.program_id) if poll is not None else None
    if poll is None or program is None:
        return MISSING
    if participant is None or participant.workspace_id != program.workspace_id:
        return NOT_YOURS
    receipt = session.get(PollReceipt, (poll.id, participant.id))
    if receipt is None:
        return NOT_YOURS
    if receipt.answered:
        return ANSWERED
    if not rules.is_open(closes=poll.closes_on, closed=poll.closed, tz=program.timezone, now=now):
        return CLOSED
    return Found(round=poll, program=program)


def submit(
    session: Session, *, participant: Participant | None, round_id: int | None, pulse: rules.Pulse, now: datetime
) -> str:
    """Record one answer (see the module docstring) and commit; anything else changes nothing (rolled back)."""
    if round_id is not None:
        session.get(PollRound, round_id, with_for_update=True)  # one answer to a round at a time
    found = find(session, participant=participant, round_id=round_id, now=now)
    if isinstance(found, str) or participant is None:
        session.rollback()
        return found if isinstance(found, str) else NOT_YOURS
    poll_id = found.round.id
    receipts = [
        dict(row)
        for row in session.execute(select(PollReceipt.__table__).where(PollReceipt.round_id == poll_id)).mappings()
    ]
    for row in receipts:
        if row["participant_id"] == participant.id:
            row["answered"] = True
    responses = [
        dict(row)
        for row in session.execute(select(PollResponse.__table__).where(PollResponse.round_id == poll_id)).mappings()
    ]
    responses.append(
        {
            "id": uuid.uuid4().hex,
            "round_id": poll_id,
            "mood": pulse.mood,
            "answers": dict(pulse.answers),
            "comment": pulse.comment,
        }
    )
    session.expunge_all()  # no ORM object of these tables may write anything after the rewrite
    try:
        session.execute(delete(PollReceipt.__table__).where(PollReceipt.round_id == poll_id))
        session.execute(delete(PollResponse.__table__).where(PollResponse.round_id == poll_id))
        session.execute(insert(PollReceipt.__table__), sorted(receipts, key=lambda r: r["participant_id"]))
        session.execute(insert(PollResponse.__table__), sorted(responses, key=lambda r: r["id"]))
        session.commit()
    except IntegrityError:
        session.rollback()
        return ANSWERED
    return SAVED


# -- results -----------------------------------------------------------------------------------------------
def round_result(
    session: Session, poll: PollRound, *, shuffle: Callable[[list[str]], None] | None = None
) -> rules.Result:
    asked = session.scalars(select(PollReceipt.participant_id).where(PollReceipt.round_id == poll.id)).all()
    rows = session.execute(
        select(PollResponse.mood, PollResponse.answers, PollResponse.comment).where(PollResponse.round_id == poll.id)
    ).all()
    responses: list[tuple[int, dict[str, Any], str | None]] = [(m, a or {}, c) for m, a, c in rows]
    return rules.result(
        number=poll.number,
        threshold=poll.threshold,
        asked=len(asked),
        responses=responses,
        questions=list(poll.questions or []),
        shuffle=shuffle if shuffle is not None else random.SystemRandom().shuffle,
    )


def results(session: Session, *, program: Program, through: int | None = None) -> list[rules.Result]:
    """The results of the program's closed rounds (up to round ``through``), oldest first, each held to its
    threshold. An open round shows nothing, so nobody can compare results before and after someone answered."""
    query = select(PollRound).where(PollRound.program_id == program.id, PollRound.closed.is_(True))
    if through is not None:
        query = query.where(PollRound.number <= through)
    return [round_result(session, poll) for poll in session.scalars(query.order_by(PollRound.number))]


def open_round_of(session: Session, *, program: Program) -> PollRound | None:
    return session.scalar(
        select(PollRound).where(PollRound.program_id == program.id, PollRound.closed.is_(False)).limit(1)
    )


def close_due(session: Session, *, now: datetime) -> int:
    """Close every round whose time is up; its results (with the trend) go to the admin channel."""
    closed = 0
    for poll in session.scalars(select(PollRound).where(PollRound.closed.is_(False)).order_by(PollRound.id)).all():
        program = session.get(Program, poll.program_id)
        if program is None or rules.is_open(closes=poll.closes_on, closed=False, tz=program.timezone, now=now):
            continue
        poll.closed = True
        closed += 1
        session.flush()
        workspace = session.get(Workspace, program.workspace_id)
        if workspace is None or not workspace.admin_channel_id or program.status == ProgramStatus.CLOSED:
            continue
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=blocks.results(
                program.default_locale,
                program=program.name,
                results=results(session, program=program, through=poll.number),
                latest_only=True,
            ),
            now=now,
            about=outbox.About.of(program=program),  # anonymous figures and comments, never linked to anyone
            dedupe_key=f"poll:{poll.id}:results",
        )
    session.flush()
    return closed
