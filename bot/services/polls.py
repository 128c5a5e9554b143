"""Anonymous mood polls: opening a program's pulse rounds on its rhythm (a DM to each active participant in their
workday daytime), recording an answer, closing a round, and the hosts' results (each round released with the
program's weekly release after it closed, ``bot.services.release``).
Rules in ``bot.domain.polls``; the unlinkability design in ``bot.models.poll``.

**An answer is unlinkable.** :func:`submit` marks the person's receipt ``answered`` and adds a response without
person, time or ordered key; then it rewrites all of the round's receipts (participant order) and responses (key
order; keys are random), so the physical order of rows and the transaction that wrote each live row say nothing
about who answered what. Nothing else is written: no outbox row, no log line, no timestamp.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime

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
from bot.services import outbox, release

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
def results(session: Session, *, program: Program, through: int | None = None) -> list[rules.Result]:
    """The program's released rounds (up to round ``through``), oldest first: each round is its own window, released
    with the weekly release after it closed (``bot.services.release``) and held to its threshold. An open round, or
    one closed since the last release, shows nothing. Comments come with shown rounds only, shuffled."""
    shown_comments = _comments(session, program=program)
    out = []
    for cell in release.pulse_cells(release.of(session, program)):
        number = int(cell.data["number"])
        if through is not None and number > through:
            continue
        comments = list(shown_comments.get(number, [])) if cell.data.get("shown") else []
        random.SystemRandom().shuffle(comments)
        out.append(rules.result_from(cell.data, comments))
    return out


def _comments(session: Session, *, program: Program) -> dict[int, list[str]]:
    rows = session.execute(
        select(PollRound.number, PollResponse.comment)
        .join(PollRound, PollRound.id == PollResponse.round_id)
        .where(PollRound.program_id == program.id, PollRound.closed.is_(True), PollResponse.comment.is_not(None))
    ).tuples()
    out: dict[int, list[str]] = {}
    for number, comment in rows:
        if comment:
            out.setdefault(number, []).append(comment)
    return {number: sorted(found) for number, found in out.items()}


def open_round_of(session: Session, *, program: Program) -> PollRound | None:
    return session.scalar(
        select(PollRound).where(PollRound.program_id == program.id, PollRound.closed.is_(False)).limit(1)
    )


def waiting_rounds(session: Session, *, program: Program) -> list[int]:
    """Rounds that closed but are not released yet (their results come with the next weekly release)."""
    released = {int(c.data["number"]) for c in release.pulse_cells(release.of(session, program))}
    closed = session.scalars(
        select(PollRound.number).where(PollRound.program_id == program.id, PollRound.closed.is_(True))
    ).all()
    return sorted(n for n in closed if n not in released)


def close_due(session: Session, *, now: datetime) -> int:
    """Close every round whose time is up. Its results go to the hosts with the program's next weekly release
    (``post_results``), never before: every figure is released on the same fixed weekly date."""
    closed = 0
    for poll in session.scalars(select(PollRound).where(PollRound.closed.is_(False)).order_by(PollRound.id)).all():
        program = session.get(Program, poll.program_id)
        if program is None or rules.is_open(closes=poll.closes_on, closed=False, tz=program.timezone, now=now):
            continue
        poll.closed = True
        closed += 1
    session.flush()
    return closed


def post_results(
    session: Session, program: Program, workspace: Workspace, *, numbers: list[int], now: datetime
) -> None:
    """The results of rounds ``numbers``, just released, to the admin channel: each round with the trend up to it.
    Does not commit."""
    if not workspace.admin_channel_id or program.status == ProgramStatus.CLOSED:
        return
    ids = dict(
        session.execute(
            select(PollRound.number, PollRound.id).where(
                PollRound.program_id == program.id, PollRound.number.in_(numbers)
            )
        )
        .tuples()
        .all()
    )
    for number in sorted(numbers):
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=blocks.results(
                program.default_locale,
                program=program.name,
                results=results(session, program=program, through=number),
                latest_only=True,
            ),
            now=now,
            dedupe_key=f"poll:{ids[number]}:results",
        )
