"""Matching rounds: propose (score and solve over the whole pool), lock, run again, discard, approve."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.domain import matching as rules
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    MatchProposal,
    MatchRound,
    OutboxMessage,
    Pair,
    PairStatus,
    Participant,
    Program,
    RoundStatus,
)
from bot.services import outbox, speed

INTRO_KEY = "pair-intro:"


def _pool(session: Session, program: Program) -> list[Participant]:
    """Everyone onboarded in the program who has no active pair in it."""
    paired = (
        select(Pair.participant_a_id)
        .where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        .union(select(Pair.participant_b_id).where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE))
    )
    return list(
        session.scalars(
            select(Participant)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .where(
                Enrollment.program_id == program.id,
                Enrollment.status == EnrollmentStatus.ONBOARDED,
                Participant.id.not_in(paired),
            )
            .order_by(Participant.id)
        )
    )


def _past_pairs(session: Session, workspace_id: int) -> frozenset[frozenset[int]]:
    rows = session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id)
        .join(Program, Program.id == Pair.program_id)
        .where(Program.workspace_id == workspace_id)
    )
    return frozenset(frozenset(row) for row in rows)


def latest(session: Session, *, program: Program) -> MatchRound | None:
    return session.scalar(
        select(MatchRound).where(MatchRound.program_id == program.id).order_by(MatchRound.id.desc()).limit(1)
    )


def propose(session: Session, *, program: Program, created_by: str | None, now: datetime) -> MatchRound:
    """Score every allowed pair in the pool and store the optimal pairing as a preview. Pairs a host locked in
    the previous preview stay. Commits."""
    pool = _pool(session, program)
    previous = session.scalar(
        select(MatchRound)
        .where(MatchRound.program_id == program.id, MatchRound.status == RoundStatus.PREVIEW)
        .order_by(MatchRound.id.desc())
        .limit(1)
    )
    in_pool = {p.id for p in pool}
    locked: list[tuple[int, int]] = []
    if previous is not None:
        locked = [
            (m.participant_a_id, m.participant_b_id)
            for m in session.scalars(
                select(MatchProposal).where(MatchProposal.round_id == previous.id, MatchProposal.locked.is_(True))
            )
            if m.participant_b_id is not None and {m.participant_a_id, m.participant_b_id} <= in_pool
        ]
    session.execute(
        update(MatchRound)
        .where(MatchRound.program_id == program.id, MatchRound.status == RoundStatus.PREVIEW)
        .values(status=RoundStatus.DISCARDED)
    )
    candidates = [rules.Candidate.from_participant(p, waitlisted=p.waitlisted_at is not None) for p in pool]
    result = rules.match(
        candidates,
        weights=rules.Weights.from_overrides(program.matching_weights),
        past_pairs=_past_pairs(session, program.workspace_id),
        interest=speed.interest(session, program=program),
        locked=locked,
        reference=now,
    )
    round_ = MatchRound(
        program_id=program.id,
        status=RoundStatus.PREVIEW,
        created_by=created_by,
        created_at=now,
        stats=_stats(result, pool_size=len(pool)),
    )
    session.add(round_)
    session.flush()
    locked_set = {frozenset(pair) for pair in locked}
    rows = [
        {
            "round_id": round_.id,
            "participant_a_id": pair.a.id,
            "participant_b_id": pair.b.id,
            "score": round(pair.scored.total, 2),
            "reasons": [_reason(r) for r in pair.scored.reasons],
            "locked": frozenset((pair.a.id, pair.b.id)) in locked_set,
            "unmatched_reason": None,
        }
        for pair in result.pairs
    ] + [
        {
            "round_id": round_.id,
            "participant_a_id": left.candidate.id,
            "participant_b_id": None,
            "score": 0.0,
            "reasons": [],
            "locked": False,
            "unmatched_reason": left.reason,
        }
        for left in result.unmatched
    ]
    if rows:  # one executemany instead of an ORM object per proposal
        session.execute(insert(MatchProposal), rows)
    session.commit()
    return round_


def _reason(reason: Any) -> dict[str, Any]:
    return {"key": reason.key, **reason.params, "points": round(float(reason.points), 2)}


def _stats(result: Any, *, pool_size: int) -> dict[str, Any]:
    dist = result.distribution
    return {
        "pool": pool_size,
        "pairs": len(result.pairs),
        "unmatched": len(result.unmatched),
        "total": round(float(result.total), 1),
        "median": round(float(dist.median), 1),
        "min": round(float(dist.min), 1),
        "max": round(float(dist.max), 1),
        "histogram": [count for _low, _high, count in dist.histogram],
    }


def preview_rows(session: Session, round_: MatchRound) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The round's pairs (best first) and unmatched people, as plain data for the preview message."""
    proposals = list(session.scalars(select(MatchProposal).where(MatchProposal.round_id == round_.id)))
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.id.in_(
                    {m.participant_a_id for m in proposals}
                    | {m.participant_b_id for m in proposals if m.participant_b_id}
                )
            )
        )
    }
    pairs = [
        {
            "id": m.id,
            "a": people[m.participant_a_id].display_name,
            "b": people[m.participant_b_id].display_name,
            "score": m.score,
            "reasons": m.reasons,
            "locked": m.locked,
        }
        for m in proposals
        if m.participant_b_id is not None
    ]
    pairs.sort(key=lambda p: (-p["score"], p["id"]))
    unmatched = [
        {"name": people[m.participant_a_id].display_name, "reason": m.unmatched_reason or "other"}
        for m in proposals
        if m.participant_b_id is None
    ]
    return pairs, unmatched


def toggle_lock(session: Session, *, round_: MatchRound, proposal_id: int) -> bool:
    """Lock or unlock a proposed pair of a current preview. False if the preview is no longer current. Commits."""
    proposal = session.get(MatchProposal, proposal_id)
    if round_.status != RoundStatus.PREVIEW or proposal is None or proposal.round_id != round_.id:
        return False
    proposal.locked = not proposal.locked
    session.commit()
    return True


def discard(session: Session, *, round_: MatchRound) -> bool:
    if round_.status != RoundStatus.PREVIEW:
        return False
    round_.status = RoundStatus.DISCARDED
    session.commit()
    return True


def approve(session: Session, *, round_: MatchRound, approved_by: str, now: datetime, introduction: Any) -> list[Pair]:
    """Make the previewed pairs real and queue each introduction in a new group DM; the unmatched wait with
    priority for the next round. ``introduction(pair, a, b)`` renders the intro. Commits."""
    if round_.status != RoundStatus.PREVIEW:
        return []
    program = session.get(Program, round_.program_id)
    assert program is not None
    round_.status = RoundStatus.APPROVED
    round_.approved_by = approved_by
    round_.approved_at = now
    pairs: list[Pair] = []
    for proposal in session.scalars(
        select(MatchProposal).where(MatchProposal.round_id == round_.id).order_by(MatchProposal.id)
    ):
        a = session.get(Participant, proposal.participant_a_id)
        assert a is not None
        if proposal.participant_b_id is None:
            a.waitlisted_at = a.waitlisted_at or now
            continue
        b = session.get(Participant, proposal.participant_b_id)
        assert b is not None
        a.waitlisted_at = b.waitlisted_at = None
        pair = Pair(
            program_id=program.id,
            participant_a_id=a.id,
            participant_b_id=b.id,
            status=PairStatus.ACTIVE,
            round_id=round_.id,
            score=proposal.score,
            reasons=proposal.reasons,
            started_at=now,
        )
        session.add(pair)
        session.flush()
        outbox.enqueue(
            session,
            workspace_id=program.workspace_id,
            method="chat.postMessage",
            payload={"__open": [a.slack_user_id, b.slack_user_id], **introduction(pair, a, b)},
            dedupe_key=f"{INTRO_KEY}{pair.id}",
            now=now,
        )
        pairs.append(pair)
    session.commit()
    return pairs


def pair_channel(session: Session, pair: Pair) -> str | None:
    """The pair's group DM, known once its introduction was sent (then remembered on the pair)."""
    if pair.channel_id is None:
        intro = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{INTRO_KEY}{pair.id}"))
        if intro is not None and intro.result:
            pair.channel_id = intro.result.get("channel")
            pair.thread_ts = intro.result.get("ts")
    return pair.channel_id


def active_pairs(session: Session, *, program: Program) -> list[Pair]:
    return list(
        session.scalars(
            select(Pair).where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE).order_by(Pair.id)
        )
    )
