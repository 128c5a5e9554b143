"""Escalations in the database: requests for help, the late-cancellation pattern, and the hosts' answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import notes as rules
from bot.models import (
    Cancellation,
    Escalation,
    EscalationKind,
    Pair,
    Participant,
    Program,
    ProgramStatus,
    Workspace,
)


def hosts_locale(session: Session, *, workspace_id: int) -> str:
    """The language of the admin channel: the most common default language of the workspace's open programs
    (never the language of the person an escalation is about, which could tell who it is)."""
    locales = Counter(
        session.scalars(
            select(Program.default_locale).where(
                Program.workspace_id == workspace_id, Program.status != ProgramStatus.CLOSED
            )
        )
    )
    if not locales:
        return "en"
    return sorted(locales.items(), key=lambda item: (-item[1], item[0]))[0][0]


def create(
    session: Session,
    *,
    workspace_id: int,
    kind: EscalationKind,
    participant: Participant,
    shared: dict[str, Any],
    now: datetime,
    pair_id: int | None = None,
    program_id: int | None = None,
) -> Escalation:
    """Record an escalation (flushed for its id). Does not commit."""
    escalation = Escalation(
        workspace_id=workspace_id,
        kind=kind,
        participant_id=participant.id,
        pair_id=pair_id,
        program_id=program_id,
        shared=shared,
        created_at=now,
        answers=0,
    )
    session.add(escalation)
    session.flush()
    return escalation


def get(session: Session, *, workspace_id: int, escalation_id: int | None) -> Escalation | None:
    escalation = session.get(Escalation, escalation_id) if escalation_id else None
    if escalation is None or escalation.workspace_id != workspace_id:
        return None
    return escalation


def record_answer(session: Session, *, escalation: Escalation, host_id: str, now: datetime) -> int:
    """Count a host's answer; returns its number. Does not commit."""
    escalation.answers += 1
    escalation.answered_at = now
    escalation.answered_by = host_id
    return escalation.answers


@dataclass(frozen=True)
class LatePattern:
    """A person whose late cancellations make a pattern, the ones that do, and where (their latest pair)."""

    participant: Participant
    pair: Pair
    program: Program
    workspace: Workspace
    cancellation_ids: list[int]


def late_patterns(session: Session, *, now: datetime) -> list[LatePattern]:
    """Everyone with at least ``LATE_THRESHOLD`` late cancellations within ``LATE_WINDOW`` not counted yet."""
    rows = session.execute(
        select(Cancellation.id, Cancellation.participant_id, Cancellation.created_at).where(
            Cancellation.late.is_(True),
            Cancellation.escalated_at.is_(None),
            Cancellation.created_at > now - rules.LATE_WINDOW,
        )
    ).all()
    found = rules.late_patterns(
        (
            rules.LateCancellation(id=r.id, participant_id=r.participant_id, created_at=r.created_at, escalated=False)
            for r in rows
        ),
        now=now,
    )
    out: list[LatePattern] = []
    for participant_id, ids in sorted(found.items()):
        latest = session.scalars(
            select(Cancellation).where(Cancellation.id.in_(ids)).order_by(Cancellation.created_at.desc())
        ).first()
        participant = session.get(Participant, participant_id)
        pair = session.get(Pair, latest.pair_id) if latest is not None else None
        program = session.get(Program, pair.program_id) if pair is not None else None
        workspace = session.get(Workspace, program.workspace_id) if program is not None else None
        if participant is None or pair is None or program is None or workspace is None:
            continue
        out.append(LatePattern(participant, pair, program, workspace, ids))
    return out


def next_late_pattern(session: Session, *, now: datetime) -> datetime | None:
    """When a pattern may form that :func:`late_patterns` does not find now (``rules.next_late_pattern``): one that
    is there now was passed over (its workspace has no admin channel, or a row it names is gone), and stays so while
    its cancellations only leave the window; someone with a cancellation stored for a later moment is looked at
    again."""
    rows = [
        rules.LateCancellation(id=r.id, participant_id=r.participant_id, created_at=r.created_at, escalated=False)
        for r in session.execute(
            select(Cancellation.id, Cancellation.participant_id, Cancellation.created_at).where(
                Cancellation.late.is_(True),
                Cancellation.escalated_at.is_(None),
                Cancellation.created_at > now - rules.LATE_WINDOW,
            )
        )
    ]
    ahead = {r.participant_id for r in rows if r.created_at > now}
    passed_over = set(rules.late_patterns(rows, now=now)) - ahead
    return rules.next_late_pattern(rows, now=now, ignore=passed_over)


def mark_escalated(session: Session, *, cancellation_ids: list[int], now: datetime) -> None:
    """These cancellations were counted by an escalation: they never count again. Does not commit."""
    session.execute(
        update(Cancellation)
        .where(Cancellation.id.in_(cancellation_ids), Cancellation.escalated_at.is_(None))
        .values(escalated_at=now)
        .execution_options(synchronize_session=False)
    )
