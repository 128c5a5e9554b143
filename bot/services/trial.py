"""The trial check-in: when a pair's trial is over each partner is asked privately "continue or switch?"; at the
deadline a switch ends the pair and both return to the pool with priority. Rules in ``bot.domain.trial``.

**Who asked is never recorded.** A switch sets ``TrialCheck.switch_requested`` (once; a second one changes
nothing), a continue writes nothing at all, and no row, message or log line says who clicked what. After a
switch both partners get the same message, and hosts get counts per program, never names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.blocks import trial as blocks
from bot.domain import trial as rules
from bot.domain import worktime
from bot.models import (
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
    TrialCheck,
    Workspace,
)
from bot.services import outbox

NOTED, CLOSED, NOT_YOURS = "noted", "closed", "not_yours"
WAITING = "waiting"  # a switch before the partner has their question: not taken (the moment would say who asked)


# Built once: the clock runs these every minute (building a statement costs more CPU than the query).
# Per active program with a trial: the earliest start of an active pair not asked yet (next_due) ...
_FIRST_UNASKED = (
    select(Program.trial_weeks, func.min(Pair.started_at))
    .join(Pair, Pair.program_id == Program.id)
    .outerjoin(TrialCheck, TrialCheck.pair_id == Pair.id)
    .where(
        Program.status == ProgramStatus.ACTIVE,
        Program.trial_weeks > 0,
        Pair.status == PairStatus.ACTIVE,
        TrialCheck.id.is_(None),
    )
    .group_by(Program.id, Program.trial_weeks)
)
# ... the first open question to close where it may be settled (next_due) ...
_FIRST_CLOSING = (
    select(func.min(TrialCheck.closes_at))
    .join(Program, Program.id == TrialCheck.program_id)
    .where(TrialCheck.resolved_at.is_(None), Program.status.not_in((ProgramStatus.PAUSED, ProgramStatus.DRAFT)))
)
# ... the programs with a trial, a program's pairs to ask (started by ``cutoff``; ask_due) ...
_TRIAL_PROGRAMS = (
    select(Program).where(Program.status == ProgramStatus.ACTIVE, Program.trial_weeks > 0).order_by(Program.id)
)
_UNASKED_PAIRS = (
    select(Pair)
    .outerjoin(TrialCheck, TrialCheck.pair_id == Pair.id)
    .where(
        Pair.program_id == bindparam("program_id"),
        Pair.status == PairStatus.ACTIVE,
        Pair.started_at <= bindparam("cutoff"),
        TrialCheck.id.is_(None),
    )
    .order_by(Pair.id)
)
# ... and the questions closed by ``now`` (resolve_due).
_CLOSED_OPEN = (
    select(TrialCheck)
    .where(TrialCheck.resolved_at.is_(None), TrialCheck.closes_at <= bindparam("now"))
    .order_by(TrialCheck.id)
    .with_for_update(skip_locked=True)
)


def due(session: Session, now: datetime) -> int:
    """Due job: ask the pairs whose trial is over, settle the questions that closed. Returns how many of
    each it handled. Does not commit (the tick does)."""
    return ask_due(session, now=now) + resolve_due(session, now=now)


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the earliest moment a pair still to be asked
    comes due (``rules.due_at``), or a question that :func:`resolve_due` settles closes (a paused or draft program's
    wait for it to change)."""
    firsts = session.execute(_FIRST_UNASKED).tuples()
    moments = [rules.due_at(started_at=started, trial_weeks=weeks, program_active=True) for weeks, started in firsts]
    moments.append(session.scalar(_FIRST_CLOSING))
    return min((at for at in moments if at is not None), default=None)


# -- asking ------------------------------------------------------------------------------------------------
def ask_due(session: Session, *, now: datetime) -> int:
    """Create the check of every active pair whose trial is over and queue each partner's question, in their
    language, for their daytime. Does not commit."""
    asked = 0
    programs = session.scalars(_TRIAL_PROGRAMS).all()
    for program in programs:
        cutoff = rules.started_by(
            trial_weeks=program.trial_weeks, program_active=program.status == ProgramStatus.ACTIVE, now=now
        )
        if cutoff is None:
            continue
        pairs = session.scalars(_UNASKED_PAIRS, {"program_id": program.id, "cutoff": cutoff}).all()
        for pair in pairs:
            _ask(session, program=program, pair=pair, now=now)
            asked += 1
    return asked


def _partners(session: Session, pair: Pair) -> tuple[Participant, Participant]:
    a = session.get(Participant, pair.participant_a_id)
    b = session.get(Participant, pair.participant_b_id)
    assert a is not None and b is not None
    return a, b


def _ask(session: Session, *, program: Program, pair: Pair, now: datetime) -> None:
    a, b = _partners(session, pair)
    send = {person.id: worktime.of(person, program).next_working(now) for person in (a, b)}
    check = TrialCheck(
        pair_id=pair.id,
        program_id=program.id,
        asked_at=now,
        closes_at=rules.closes_at(send.values()),
        switch_requested=False,
    )
    session.add(check)
    session.flush()
    for person, partner in ((a, b), (b, a)):
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=person.slack_user_id,
            message=blocks.question(
                person.locale,
                check_id=check.id,
                partner=partner.display_name,
                program=program.name,
                deadline=blocks.deadline_text(person.locale, check.closes_at, person.tz),
            ),
            now=now,
            about=outbox.About.of(pair=pair, people=[person]),
            dedupe_key=f"trial:{check.id}:ask:{person.id}",
            not_before=send[person.id],
        )


# -- answering ---------------------------------------------------------------------------------------------
# Built once: where a partner's question is (sent, or waiting for their working time) and when it is due
_ASKED = select(OutboxMessage.status, OutboxMessage.not_before).where(OutboxMessage.dedupe_key == bindparam("key"))


@dataclass(frozen=True)
class Answer:
    """What a click came to: NOTED, CLOSED, NOT_YOURS or WAITING; for NOTED, the partner and the deadline to repeat;
    for WAITING, when the partner's question is due to reach them (None: Slack did not take it)."""

    result: str
    partner: str = ""
    closes_at: datetime | None = None
    opens_at: datetime | None = None


def answer(
    session: Session, *, participant: Participant | None, check_id: int | None, switch: bool, now: datetime
) -> Answer:
    """A partner's Continue or Switch. Only one of the pair's two partners may answer, only while the question
    is open. A switch sets the check's flag (once); a continue writes nothing. Commits only a switch."""
    check = session.get(TrialCheck, check_id, with_for_update=switch) if check_id is not None else None
    pair = session.get(Pair, check.pair_id) if check is not None else None
    if check is None or pair is None or participant is None:
        session.rollback()
        return Answer(NOT_YOURS)
    if participant.id == pair.participant_a_id:
        partner_id = pair.participant_b_id
    elif participant.id == pair.participant_b_id:
        partner_id = pair.participant_a_id
    else:
        session.rollback()
        return Answer(NOT_YOURS)
    still_open = rules.is_open(closes_at=check.closes_at, resolved=check.resolved_at is not None, now=now)
    if not still_open or pair.status != PairStatus.ACTIVE:
        session.rollback()
        return Answer(CLOSED)
    partner = session.get(Participant, partner_id)
    name = partner.display_name if partner else ""
    if switch and not check.switch_requested:
        # Only once the partner has their question too: set while theirs still waits for their working time (hours
        # or days across zones), the flag would tell anyone reading the database who asked, since only the one who
        # has the question can click
        found = session.execute(_ASKED, {"key": f"trial:{check.id}:ask:{partner_id}"}).one_or_none()
        status, due = found if found is not None else (None, None)
        if status != OutboxStatus.SENT:
            session.rollback()
            waiting = due if status in (OutboxStatus.PENDING, OutboxStatus.SENDING) else None
            return Answer(WAITING, partner=name, closes_at=check.closes_at, opens_at=waiting)
    noted = Answer(NOTED, partner=name, closes_at=check.closes_at)
    if switch and not check.switch_requested:
        check.switch_requested = True
        session.commit()
    else:
        session.rollback()  # a continue (or a repeated switch) leaves no trace
    return noted


# -- settling ----------------------------------------------------------------------------------------------
def resolve_due(session: Session, *, now: datetime) -> int:
    """Settle every question whose deadline has passed: a switch ends the pair (both waitlisted, both told the
    same), a continue tells both it goes on. Once none of a program's questions is open any more, the hosts get
    one message with the counts of everything settled since the last one (pairs asked together can close hours
    apart across time zones). A paused program's questions wait until it resumes; a closed program's are
    settled without messages. Does not commit."""
    checks = session.scalars(_CLOSED_OPEN, {"now": now}).all()
    programs: dict[int, Program] = {}
    resolved = 0
    for check in checks:
        program = session.get(Program, check.program_id)
        if program is None or program.status in (ProgramStatus.PAUSED, ProgramStatus.DRAFT):
            continue
        check.outcome = rules.outcome(switch_requested=check.switch_requested)
        check.resolved_at = now
        resolved += 1
        pair = session.get(Pair, check.pair_id)
        if program.status != ProgramStatus.ACTIVE or pair is None or pair.status != PairStatus.ACTIVE:
            check.reported_at = now  # nothing to tell anyone
            continue
        programs[program.id] = program
        if check.outcome == rules.SWITCH:
            _end(session, program=program, pair=pair, check=check, now=now)
        else:
            _tell_both(session, program=program, pair=pair, check=check, render=blocks.continues, now=now)
    session.flush()
    for program in programs.values():
        _summary(session, program=program, now=now)
    return resolved


def _end(session: Session, *, program: Program, pair: Pair, check: TrialCheck, now: datetime) -> None:
    """End the pair, put both first in line for the next round, tell both alike."""
    pair.status = PairStatus.ENDED
    pair.ended_at = now
    pair.end_reason = rules.END_REASON
    partners = _partners(session, pair)
    for person in partners:
        person.waitlisted_at = now
    _tell_both(session, program=program, pair=pair, check=check, render=blocks.ended, now=now)


def _tell_both(
    session: Session,
    *,
    program: Program,
    pair: Pair,
    check: TrialCheck,
    render: Callable[..., dict[str, Any]],
    now: datetime,
) -> None:
    """The same message to both partners (each in their language, about the other), in their daytime."""
    a, b = _partners(session, pair)
    for person, partner in ((a, b), (b, a)):
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=person.slack_user_id,
            message=render(person.locale, partner=partner.display_name, program=program.name),
            now=now,
            about=outbox.About.of(pair=pair, people=[person]),
            dedupe_key=f"trial:{check.id}:outcome:{person.id}",
            not_before=worktime.of(person, program).next_working(now),
        )


def _summary(session: Session, *, program: Program, now: datetime) -> None:
    """The hosts' counts, once no question of the program is open any more."""
    still_open = session.scalar(
        select(TrialCheck.id).where(TrialCheck.program_id == program.id, TrialCheck.resolved_at.is_(None)).limit(1)
    )
    if still_open is not None:
        return
    settled = session.scalars(
        select(TrialCheck).where(
            TrialCheck.program_id == program.id,
            TrialCheck.resolved_at.is_not(None),
            TrialCheck.reported_at.is_(None),
        )
    ).all()
    for check in settled:
        check.reported_at = now
    switched = sum(check.outcome == rules.SWITCH for check in settled)
    workspace = session.get(Workspace, program.workspace_id)
    if not settled or workspace is None or not workspace.admin_channel_id:
        return
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=workspace.admin_channel_id,
        message=blocks.summary(
            program.default_locale,
            program_id=program.id,
            program=program.name,
            continued=len(settled) - switched,
            switched=switched,
            waiting=2 * switched,
        ),
        now=now,
        about=outbox.About.of(program=program),  # counts
        dedupe_key=f"trial-summary:{program.id}:{now:%Y%m%dT%H%M}",
    )
