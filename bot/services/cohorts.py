"""Topic paths with several cohorts: the next cohort of a program copies its setup (fields, rhythm, agreement
template, retro and pulse settings, community channel, matching weights, the privacy notice and the metrics'
definitions, never people or data); every cohort of a path points to the path's first program, so hosts can
compare cohorts. Alumni of a path's earlier cohorts can become co-hosts of a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from bot.domain import impact as impact_rules
from bot.models import Metric, Pair, Participant, Program


def series_of(program: Program) -> int:
    return program.series_id or program.id


def cohorts(session: Session, program: Program) -> list[Program]:
    """The programs of the program's topic path, oldest first (the program itself included)."""
    root = series_of(program)
    return list(
        session.scalars(
            select(Program)
            .where(Program.workspace_id == program.workspace_id, or_(Program.id == root, Program.series_id == root))
            .order_by(Program.created_at, Program.id)
        )
    )


def path_ids(session: Session, program: Program) -> list[int]:
    """The ids of :func:`cohorts`, oldest first, without loading the programs (a host's request may not load one it
    does not see: ``bot.services.roles``)."""
    root = series_of(program)
    return list(
        session.scalars(
            select(Program.id)
            .where(Program.workspace_id == program.workspace_id, or_(Program.id == root, Program.series_id == root))
            .order_by(Program.created_at, Program.id)
        )
    )


def next_name(program: Program, taken: set[str]) -> str:
    """ "Pilot 2027" -> "Pilot 2027 · Cohort 2" (the next free number on the path)."""
    base = re.sub(r"\s*·\s*(Cohort|Kohorte)\s+\d+$", "", program.name).strip()
    number = 2
    while True:
        candidate = f"{base} · Cohort {number}"[:80]
        if candidate.casefold() not in {t.casefold() for t in taken}:
            return candidate
        number += 1


def copy_setup(session: Session, source: Program, target: Program, *, now: datetime) -> None:
    """What the next cohort keeps from ``source``. Does not commit. (How long its data is kept, ``retention_months``,
    comes with the program modal, prefilled from ``source``: what the host entered there wins.)"""
    target.series_id = series_of(source)
    target.timezone = source.timezone
    target.agreement_template = source.agreement_template
    target.kickoff_texts = source.kickoff_texts  # the hosts' own kick-off lessons
    target.peer_circle, target.peer_channel_id = source.peer_circle, source.peer_channel_id  # new circles of its own
    target.retro_every_weeks = source.retro_every_weeks
    target.community_channel_id = source.community_channel_id
    target.poll_every_weeks = source.poll_every_weeks
    target.poll_threshold = source.poll_threshold
    target.matching_weights = dict(source.matching_weights or {})
    # the privacy notice: the same controller, contact and legal basis (the hosts can change it on the card)
    target.privacy_controller = source.privacy_controller
    target.privacy_contact = source.privacy_contact
    target.legal_basis = source.legal_basis
    for metric in session.scalars(
        select(Metric).where(Metric.program_id == source.id, Metric.archived_at.is_(None)).order_by(Metric.id)
    ):
        session.add(
            Metric(
                program_id=target.id,
                name=metric.name,
                unit=metric.unit,
                baseline=metric.baseline,
                target_low=metric.target_low,
                target_high=metric.target_high,
                reporter=metric.reporter,
                created_by=metric.created_by,
                created_at=now,
            )
        )
    target.updated_at = now
    session.flush()


def alumni(session: Session, program: Program) -> dict[str, str]:
    """Slack user id -> display name of everyone who was in a pair of an earlier cohort of the program's path."""
    earlier = [p.id for p in cohorts(session, program) if p.id != program.id and p.created_at <= program.created_at]
    if not earlier:
        return {}
    people = union(
        select(Pair.participant_a_id.label("p")).where(Pair.program_id.in_(earlier)),
        select(Pair.participant_b_id.label("p")).where(Pair.program_id.in_(earlier)),
    ).subquery()
    rows = session.execute(
        select(Participant.slack_user_id, Participant.display_name).where(Participant.id.in_(select(people.c.p)))
    ).tuples()
    return dict(rows.all())


@dataclass(frozen=True)
class CohortLine:
    name: str
    kpis: impact_rules.Kpis
    current: bool
