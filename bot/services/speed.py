"""Speed dating before matching: up to three candidate intros per person, answered yes / maybe / no by DM until
a deadline. Only the combined level of both answers reaches matching; hosts see counts."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.domain import matching as rules
from bot.domain import speed as domain
from bot.domain import worktime
from bot.models import Participant, Program, SpeedIntro, SpeedRound, SpeedStatus
from bot.services import matching, outbox

CARD_KEY = "speed-card:"


@dataclass(frozen=True)
class CardEntry:
    """One candidate on a person's card."""

    intro: SpeedIntro
    candidate: Participant


# (viewer, entries, round, reminder?) -> a message
CardRenderer = Callable[[Participant, list[CardEntry], SpeedRound, bool], dict[str, Any]]


class Answered(enum.StrEnum):
    SAVED = "saved"
    NOT_YOURS = "not_yours"
    CLOSED = "closed"
    INVALID = "invalid"


def latest_round(session: Session, *, program: Program) -> SpeedRound | None:
    return session.scalar(
        select(SpeedRound).where(SpeedRound.program_id == program.id).order_by(SpeedRound.id.desc()).limit(1)
    )


def open_round(session: Session, *, program: Program) -> SpeedRound | None:
    """The program's round that is being prepared or open for answers, if any."""
    found = latest_round(session, program=program)
    return found if found is not None and found.status in (SpeedStatus.PREPARING, SpeedStatus.OPEN) else None


def _rows(session: Session, round_id: int) -> list[tuple[int, int, str | None]]:
    return [
        (viewer, candidate, answer)
        for viewer, candidate, answer in session.execute(
            select(SpeedIntro.participant_id, SpeedIntro.candidate_id, SpeedIntro.answer).where(
                SpeedIntro.round_id == round_id
            )
        )
    ]


def request(
    session: Session, *, program: Program, closes_at: datetime, created_by: str | None, now: datetime
) -> SpeedRound:
    """Record a host's request for a round; the clock prepares it (:func:`prepare_due`): picking the intros takes
    seconds for a large pool, longer than Slack waits for a modal's answer. Commits."""
    round_ = SpeedRound(
        program_id=program.id,
        status=SpeedStatus.PREPARING,
        created_by=created_by,
        created_at=now,
        closes_at=closes_at,
        stats={},
    )
    session.add(round_)
    session.commit()
    return round_


def prepare_due(session: Session, *, now: datetime, card: Callable[[Program], CardRenderer]) -> list[SpeedRound]:
    """Prepare every requested round: pick the intros for everyone waiting for a partner, store them and queue
    each person's card by DM; the round opens. A round where nobody can be introduced to anybody closes at once
    (its stats say so). Does not commit."""
    prepared = []
    for round_ in session.scalars(
        select(SpeedRound).where(SpeedRound.status == SpeedStatus.PREPARING).order_by(SpeedRound.id)
    ).all():
        program = session.get(Program, round_.program_id)
        assert program is not None
        _prepare(session, program, round_, card(program), now=now)
        prepared.append(round_)
    return prepared


def next_prepare(session: Session, *, now: datetime) -> datetime | None:
    """When :func:`prepare_due` acts next (``bot.services.ticks.NextDue``): now while a round waits to be prepared,
    else not until a host asks for one."""
    waiting = session.scalar(select(SpeedRound.id).where(SpeedRound.status == SpeedStatus.PREPARING).limit(1))
    return now if waiting is not None else None


def _prepare(session: Session, program: Program, round_: SpeedRound, card: CardRenderer, *, now: datetime) -> None:
    people = matching.pool(session, program)
    chosen = domain.intros(
        [rules.Candidate.from_participant(p) for p in people],
        reference=now,
        weights=rules.Weights.from_overrides(program.matching_weights),
        past_pairs=matching.past_pairs(session, program.workspace_id),
    )
    shown = {i.viewer for i in chosen}
    round_.stats = {
        "pool": len(people),
        "people": len(shown),
        "intros": len(chosen),
        "without": len(people) - len(shown),
    }
    if not chosen:
        round_.status = SpeedStatus.CLOSED
        round_.closed_at = now
        return
    round_.status = SpeedStatus.OPEN
    session.execute(
        insert(SpeedIntro),
        [
            {
                "round_id": round_.id,
                "participant_id": i.viewer,
                "candidate_id": i.candidate,
                "position": i.position,
                "reasons": [r.as_dict() for r in i.reasons],
                "answer": None,
                "answered_at": None,
                "rank": None,
            }
            for i in chosen
        ],
    )
    for viewer in people:
        if viewer.id in shown:
            _queue_card(session, program, round_, viewer, card, now=now, reminder=False)


def card_entries(session: Session, *, round_: SpeedRound, participant: Participant) -> list[CardEntry]:
    rows = session.execute(
        select(SpeedIntro, Participant)
        .join(Participant, Participant.id == SpeedIntro.candidate_id)
        .where(SpeedIntro.round_id == round_.id, SpeedIntro.participant_id == participant.id)
        .order_by(SpeedIntro.position, SpeedIntro.id)
    )
    return [CardEntry(intro, candidate) for intro, candidate in rows]


def _queue_card(
    session: Session,
    program: Program,
    round_: SpeedRound,
    viewer: Participant,
    card: CardRenderer,
    *,
    now: datetime,
    reminder: bool,
) -> None:
    entries = card_entries(session, round_=round_, participant=viewer)
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=viewer.slack_user_id,
        message=card(viewer, entries, round_, reminder),
        now=now,
        about=outbox.About.of(program=program, people=[viewer, *(e.candidate for e in entries)]),
        dedupe_key=f"{CARD_KEY}{round_.id}:{viewer.id}:{'reminder' if reminder else 'intro'}",
        not_before=domain.deliver_at(now, worktime.of(viewer, program), closes_at=round_.closes_at),
    )


def is_open(round_: SpeedRound, now: datetime) -> bool:
    return round_.status == SpeedStatus.OPEN and now < round_.closes_at


def answer(
    session: Session, *, participant: Participant, intro_id: int, answer: str, now: datetime
) -> tuple[Answered, SpeedRound | None]:
    """Record (or change) what ``participant`` says about one candidate on their card. Commits."""
    intro = session.get(SpeedIntro, intro_id)
    if intro is None or intro.participant_id != participant.id:
        return Answered.NOT_YOURS, None
    round_ = session.get(SpeedRound, intro.round_id)
    assert round_ is not None
    if answer not in domain.ANSWERS:
        return Answered.INVALID, round_
    if not is_open(round_, now):
        return Answered.CLOSED, round_
    intro.answer = answer
    intro.answered_at = now
    session.commit()
    return Answered.SAVED, round_


def rank(
    session: Session, *, participant: Participant, intro_id: int, rank: int, now: datetime
) -> tuple[Answered, SpeedRound | None]:
    """``participant`` ranks one candidate on their card (``bot.domain.speed.reranked``: each rank once, the same
    rank again takes it back). Commits."""
    intro = session.get(SpeedIntro, intro_id)
    if intro is None or intro.participant_id != participant.id:
        return Answered.NOT_YOURS, None
    round_ = session.get(SpeedRound, intro.round_id)
    assert round_ is not None
    if rank not in rules.RANKS:
        return Answered.INVALID, round_
    if not is_open(round_, now):
        return Answered.CLOSED, round_
    card = {
        i.id: i
        for i in session.scalars(
            select(SpeedIntro).where(SpeedIntro.round_id == round_.id, SpeedIntro.participant_id == participant.id)
        )
    }
    for key, value in domain.reranked({k: i.rank for k, i in card.items()}, intro.id, rank).items():
        card[key].rank = value
    session.commit()
    return Answered.SAVED, round_


def remind(session: Session, *, now: datetime, card: CardRenderer) -> int:
    """A day before closing, re-send the card once to everyone who has not answered any candidate yet (a partial
    answer is an answer: no nagging). Does not commit."""
    sent = 0
    for round_ in session.scalars(select(SpeedRound).where(SpeedRound.status == SpeedStatus.OPEN)):
        if not domain.reminder_due(
            created_at=round_.created_at, closes_at=round_.closes_at, reminded=round_.reminded_at is not None, now=now
        ):
            continue
        round_.reminded_at = now
        program = session.get(Program, round_.program_id)
        assert program is not None
        answered = select(SpeedIntro.participant_id).where(
            SpeedIntro.round_id == round_.id, SpeedIntro.answer.is_not(None)
        )
        waiting = session.scalars(
            select(Participant).where(
                Participant.id.in_(select(SpeedIntro.participant_id).where(SpeedIntro.round_id == round_.id)),
                Participant.id.not_in(answered),
            )
        )
        for viewer in waiting:
            _queue_card(session, program, round_, viewer, card, now=now, reminder=True)
            sent += 1
    return sent


def next_remind(session: Session, *, now: datetime) -> datetime | None:
    """When :func:`remind` acts next (``bot.services.ticks.NextDue``): the first moment an open round not yet
    reminded is due its reminder (:func:`bot.domain.speed.next_reminder`); None when none will be."""
    rounds = session.execute(
        select(SpeedRound.created_at, SpeedRound.closes_at).where(
            SpeedRound.status == SpeedStatus.OPEN, SpeedRound.reminded_at.is_(None), SpeedRound.closes_at > now
        )
    )
    moments = (
        domain.next_reminder(created_at=created_at, closes_at=closes_at, reminded=False, now=now)
        for created_at, closes_at in rounds
    )
    return min((at for at in moments if at is not None), default=None)


def next_close(session: Session, *, now: datetime) -> datetime | None:
    """When :func:`close_due` acts next (``bot.services.ticks.NextDue``): the earliest deadline of an open round
    (at or before ``now``: it closes now); None when no round is open."""
    return session.scalar(select(func.min(SpeedRound.closes_at)).where(SpeedRound.status == SpeedStatus.OPEN))


def close_due(session: Session, *, now: datetime) -> list[tuple[SpeedRound, dict[str, int]]]:
    """Close every round past its deadline; returns each with its counts for the hosts. Does not commit."""
    closed = []
    for round_ in session.scalars(
        select(SpeedRound).where(SpeedRound.status == SpeedStatus.OPEN, SpeedRound.closes_at <= now)
    ):
        round_.status = SpeedStatus.CLOSED
        round_.closed_at = now
        counts = dict(domain.summary(_rows(session, round_.id)))
        round_.stats = {**round_.stats, **counts}
        closed.append((round_, counts))
    return closed
