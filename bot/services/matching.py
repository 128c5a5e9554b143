"""Matching rounds: propose (score and solve over the whole pool), lock, swap, run again, discard, approve;
and the scheduled run on a program's matching date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import matching as rules
from bot.domain import speed as speed_rules
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
    ProgramStatus,
    RoundStatus,
    SpeedIntro,
    SpeedRound,
    SpeedStatus,
    Workspace,
)
from bot.services import outbox, reporting

INTRO_KEY = "pair-intro:"


def pool(session: Session, program: Program) -> list[Participant]:
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


def past_pairs(session: Session, workspace_id: int) -> frozenset[frozenset[int]]:
    rows = session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id)
        .join(Program, Program.id == Pair.program_id)
        .where(Program.workspace_id == workspace_id)
    )
    return frozenset(frozenset(row) for row in rows)


@dataclass(frozen=True)
class RoundContext:
    """What scoring needs besides the two people: the same for a round's proposal and every change to it."""

    weights: rules.Weights
    past_pairs: frozenset[frozenset[int]]
    interest: Mapping[frozenset[int], str]
    reference: datetime
    ranks: Mapping[tuple[int, int], int] = dc_field(default_factory=dict)

    def hard_constraint(self, a: rules.Candidate, b: rules.Candidate) -> str | None:
        return rules.hard_constraint(
            a, b, reference=self.reference, weights=self.weights, past_pairs=self.past_pairs, interest=self.interest
        )

    def score(self, a: rules.Candidate, b: rules.Candidate) -> rules.Scored | None:
        return rules.score(
            a,
            b,
            reference=self.reference,
            weights=self.weights,
            past_pairs=self.past_pairs,
            interest=self.interest,
            ranks=self.ranks,
        )


def candidates(session: Session, *, program: Program, people: list[Participant]) -> list[rules.Candidate]:
    """The people as matching sees them, each with their reporting chain as far up as the program keeps apart."""
    chains = reporting.chains(
        session,
        workspace_id=program.workspace_id,
        people=[p.slack_user_id for p in people],
        levels=program.reporting_levels,
    )
    return [
        rules.Candidate.from_participant(
            p, waitlisted=p.waitlisted_at is not None, managers=chains.get(p.slack_user_id, ())
        )
        for p in people
    ]


# Reasons a pair fits that come from what people told Tandem in confidence, a speed-dating answer or ranking: the
# pair's introduction names them (it is about the two of them), hosts never see them, nor the points they add. A
# one-sided ranking ("ranked_one") is not worded anywhere (templates have no text for it): neither partner learns that
# one of them ranked the other.
PRIVATE_REASONS = frozenset({"mutual_interest", "ranked_both", "ranked_one"})


# Reasons that stay with the preview's proposal only (for shown_score): the pair's row, its introduction and the
# partners' data exports never hold them, so neither partner can learn that one of them ranked the other.
UNSPOKEN_REASONS = frozenset({"ranked_one"})


def _points(reasons: list[dict[str, Any]], keys: frozenset[str]) -> float:
    return sum(float(r.get("points", 0)) for r in reasons if r.get("key") in keys)


def shown_score(score: float, reasons: list[dict[str, Any]]) -> float:
    """A pair's score as hosts see it: without the points of private reasons (a mutual yes in speed dating, a
    ranking)."""
    return round(float(score) - _points(reasons, PRIVATE_REASONS), 2)


def shown_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reasons hosts may see (every one but the private ones)."""
    return [r for r in reasons if r.get("key") not in PRIVATE_REASONS]


def speed_interest(session: Session, *, program: Program) -> dict[frozenset[int], str]:
    """The interest map matching takes, from the program's latest speed-dating round (its answers so far while
    open; none when the program never had one). Read here, not in ``bot.services.speed``, which builds its cards
    from this module's pool."""
    latest = select(func.max(SpeedRound.id)).where(SpeedRound.program_id == program.id).scalar_subquery()
    rows = session.execute(
        select(SpeedIntro.participant_id, SpeedIntro.candidate_id, SpeedIntro.answer).where(
            SpeedIntro.round_id == latest
        )
    )
    return speed_rules.interest_map((viewer, candidate, answer) for viewer, candidate, answer in rows)


def speed_ranks(session: Session, *, program: Program) -> dict[tuple[int, int], int]:
    """``{(viewer, candidate): rank}`` from the program's latest speed-dating round (``bot.domain.speed.rank_map``)."""
    latest = select(func.max(SpeedRound.id)).where(SpeedRound.program_id == program.id).scalar_subquery()
    rows = session.execute(
        select(SpeedIntro.participant_id, SpeedIntro.candidate_id, SpeedIntro.rank, SpeedIntro.answer).where(
            SpeedIntro.round_id == latest, SpeedIntro.rank.is_not(None)
        )
    )
    return speed_rules.rank_map((v, c, r, a) for v, c, r, a in rows)


def round_context(session: Session, *, program: Program, reference: datetime) -> RoundContext:
    """The program's weights, the workspace's past pairs and the latest speed-dating answers, scored in the week
    of ``reference`` (a round's is its creation time)."""
    return RoundContext(
        weights=rules.Weights.from_overrides(program.matching_weights),
        past_pairs=past_pairs(session, program.workspace_id),
        interest=speed_interest(session, program=program),
        reference=reference,
        ranks=speed_ranks(session, program=program),
    )


def latest(session: Session, *, program: Program) -> MatchRound | None:
    return session.scalar(
        select(MatchRound).where(MatchRound.program_id == program.id).order_by(MatchRound.id.desc()).limit(1)
    )


def propose(
    session: Session, *, program: Program, created_by: str | None, now: datetime, commit: bool = True
) -> MatchRound:
    """Score every allowed pair in the pool and store the optimal pairing as a preview. Pairs a host locked in
    the previous preview stay, as long as they are still allowed. Commits unless ``commit`` is False (the clock's
    tick commits its own work)."""
    people = pool(session, program)
    previous = session.scalar(
        select(MatchRound)
        .where(MatchRound.program_id == program.id, MatchRound.status == RoundStatus.PREVIEW)
        .order_by(MatchRound.id.desc())
        .limit(1)
    )
    in_pool = {p.id for p in people}
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
    pool_candidates = candidates(session, program=program, people=people)
    context = round_context(session, program=program, reference=now)
    # a lock holds only while the pair is allowed: a "please not", a reporting line or a "no" added since the lock
    # (or anything else) unlocks it, without a word about which
    by_id = {c.id: c for c in pool_candidates}
    locked = [(a, b) for a, b in locked if context.hard_constraint(by_id[a], by_id[b]) is None]
    result = rules.match(
        pool_candidates,
        weights=context.weights,
        past_pairs=context.past_pairs,
        interest=context.interest,
        ranks=context.ranks,
        locked=locked,
        reference=context.reference,
    )
    shown = [shown_score(p.scored.total, [_reason(r) for r in p.scored.reasons]) for p in result.pairs]
    round_ = MatchRound(
        program_id=program.id,
        status=RoundStatus.PREVIEW,
        created_by=created_by,
        created_at=now,
        stats={
            **_stats(
                _shown_distribution(shown, context.weights),
                pairs=len(result.pairs),
                unmatched=len(result.unmatched),
                total=sum(shown),
                pool_size=len(people),
            ),
            "excluded": dict(result.stats.get("excluded") or {}),
            "floor": _floor_facts(result.stats.get("floor") or {}),
            "own_weights": rules.changed_weights(context.weights),
        },
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
    if commit:
        session.commit()
    return round_


def _floor_facts(floor: dict[str, Any]) -> dict[str, Any]:
    """What the preview says of the fairness floor: its margin, whether it was sought, whether it changed the pairs,
    the pool size above which it is not sought. No score: those include private points (``shown_score``)."""
    return {
        "margin": floor.get("margin", 0),
        "applied": bool(floor.get("applied")),
        "raised": bool(floor.get("applied")) and floor.get("weakest") != floor.get("optimum_weakest"),
        "too_large": floor.get("too_large"),
    }


def _reason(reason: Any) -> dict[str, Any]:
    return {"key": reason.key, **reason.params, "points": round(float(reason.points), 2)}


def _shown_distribution(scores: list[float], weights: rules.Weights) -> rules.Distribution:
    return rules.distribution_of(scores, rules.max_score(weights))


def _stats(dist: rules.Distribution, *, pairs: int, unmatched: int, total: float, pool_size: int) -> dict[str, Any]:
    """The preview's figures, from the scores as hosts see them (``shown_score``)."""
    return {
        "pool": pool_size,
        "pairs": pairs,
        "unmatched": unmatched,
        "total": round(float(total), 1),
        "median": round(float(dist.median), 1),
        "min": round(float(dist.min), 1),
        "max": round(float(dist.max), 1),
        "histogram": [count for _low, _high, count in dist.histogram],
    }


def round_people(session: Session, round_: MatchRound) -> list[int]:
    """Everyone a round's preview names (participant ids): both sides of every proposal."""
    ids: dict[int, None] = {}
    for a, b in session.execute(
        select(MatchProposal.participant_a_id, MatchProposal.participant_b_id).where(
            MatchProposal.round_id == round_.id
        )
    ):
        ids.update({i: None for i in (a, b) if i is not None})
    return list(ids)


def preview_rows(session: Session, round_: MatchRound) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The round's pairs (best first) and unmatched people, as plain data for the preview message: scores and
    reasons as hosts may see them (without what speed dating added)."""
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
            "score": shown_score(m.score, m.reasons),
            "reasons": shown_reasons(m.reasons),
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


SWAPPED_OUT = "swapped_out"  # unmatched_reason of someone a host swapped out of a pair


@dataclass(frozen=True)
class SwapOutcome:
    """What a swap did. ``error``: None on success, else why nothing changed: ``stale`` (no longer the current
    preview), ``not_in_round``, ``partners``, ``both_unmatched``, or the hard constraint a new pair would break as
    hosts may learn it (``bot.domain.matching.shown_violation``: a public one, or ``private`` for whatever people
    told Tandem in confidence, never which). ``field``: whose pick the error is about, ``"person"`` or ``"other"``.
    ``names``: on success the two people swapped, for a broken constraint the new pair's names. ``refused``: for a
    broken constraint, how many swaps the rules have refused in this preview (this one included), which every host
    sees, so that trying pairs one by one is never silent."""

    error: str | None = None
    field: str = "person"
    names: tuple[str, str] = ("", "")
    swaps: int = 0  # swaps in this round so far
    refused: int = 0


def _partner(proposal: MatchProposal, participant_id: int) -> int | None:
    if proposal.participant_b_id is None:
        return None
    return proposal.participant_b_id if proposal.participant_a_id == participant_id else proposal.participant_a_id


def swap(session: Session, *, round_: MatchRound, person: str, other: str) -> SwapOutcome:
    """``person`` (X) and ``other`` (Y), Slack user ids, trade places in a preview: pairs (A, X) and (B, Y) become
    (A, Y) and (B, X); with Y unmatched, (A, X) becomes (A, Y) and X is unmatched (``swapped_out``). Each new pair
    is rescored and locked, so running again keeps it, and the round's stats are recomputed. Changes nothing when
    the round is no longer the current preview, either is not in it, they are each other's partner, both are
    unmatched, or a new pair breaks a hard constraint; a broken constraint is counted in the round's stats
    (``refused_swaps``) and committed. Commits on success."""
    session.refresh(round_, with_for_update=True)  # one change to a round at a time (PostgreSQL)
    if round_.status != RoundStatus.PREVIEW:
        return SwapOutcome("stale")
    if person == other:
        return SwapOutcome("same_person", "other")
    program = session.get(Program, round_.program_id)
    assert program is not None
    proposals = list(
        session.scalars(select(MatchProposal).where(MatchProposal.round_id == round_.id).order_by(MatchProposal.id))
    )
    in_round = {m.participant_a_id for m in proposals} | {m.participant_b_id for m in proposals if m.participant_b_id}
    picked = {
        p.slack_user_id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.workspace_id == program.workspace_id,
                Participant.slack_user_id.in_((person, other)),
                Participant.id.in_(in_round),
            )
        )
    }
    x, y = picked.get(person), picked.get(other)
    if x is None:
        return SwapOutcome("not_in_round", "person")
    if y is None:
        return SwapOutcome("not_in_round", "other")
    px = next(m for m in proposals if x.id in (m.participant_a_id, m.participant_b_id))
    py = next(m for m in proposals if y.id in (m.participant_a_id, m.participant_b_id))
    if px is py:
        return SwapOutcome("partners", "other")
    a_id, b_id = _partner(px, x.id), _partner(py, y.id)
    if a_id is None and b_id is None:
        return SwapOutcome("both_unmatched", "other")
    partners = {p.id: p for p in session.scalars(select(Participant).where(Participant.id.in_({a_id, b_id} - {None})))}
    involved = [x, y, *partners.values()]
    by_id = {c.id: c for c in candidates(session, program=program, people=involved)}
    context = round_context(session, program=program, reference=round_.created_at)
    # (proposal, the partner who stays, who moves in, whose pick it is)
    moves = [(px, a_id, y, "other"), (py, b_id, x, "person")]
    for _proposal, stays, mover, field in moves:
        if stays is None:
            continue
        broken = context.hard_constraint(by_id[stays], by_id[mover.id])
        if broken is not None:
            session.rollback()
            refused = _count_refusal(session, round_=round_)
            shown = rules.shown_violation(broken)
            return SwapOutcome(shown, field, (mover.display_name, partners[stays].display_name), refused=refused)
    for proposal, stays, mover, _field in moves:
        if stays is None:
            proposal.participant_a_id, proposal.participant_b_id = mover.id, None
            proposal.score, proposal.reasons, proposal.locked = 0.0, [], False
            proposal.unmatched_reason = SWAPPED_OUT
            continue
        low, high = sorted((stays, mover.id))
        scored = context.score(by_id[low], by_id[high])
        assert scored is not None  # no hard constraint is broken: checked above
        proposal.participant_a_id, proposal.participant_b_id = low, high
        proposal.score = round(scored.total, 2)
        proposal.reasons = [_reason(r) for r in scored.reasons]
        proposal.locked = True
        proposal.unmatched_reason = None
    scores = [shown_score(m.score, m.reasons) for m in proposals if m.participant_b_id is not None]
    swaps = int(round_.stats.get("swaps", 0)) + 1
    round_.stats = {
        **round_.stats,
        **_stats(
            _shown_distribution(scores, context.weights),
            pairs=len(scores),
            unmatched=len(proposals) - len(scores),
            total=sum(scores),
            pool_size=int(round_.stats.get("pool", len(in_round))),
        ),
        "swaps": swaps,
    }
    session.commit()
    return SwapOutcome(names=(x.display_name, y.display_name), swaps=swaps)


def _count_refusal(session: Session, *, round_: MatchRound) -> int:
    """One more swap the rules refused in this preview. Commits. Returns the round's count. (Who tried is said in
    the admin channel, ``bot.flows.matching``, not stored here.)"""
    session.refresh(round_, with_for_update=True)
    stats = dict(round_.stats or {})
    refused = int(stats.get("refused_swaps", 0)) + 1
    round_.stats = {**stats, "refused_swaps": refused}
    session.commit()
    return refused


def discard(session: Session, *, round_: MatchRound) -> bool:
    if round_.status != RoundStatus.PREVIEW:
        return False
    round_.status = RoundStatus.DISCARDED
    session.commit()
    return True


def approve(
    session: Session,
    *,
    round_: MatchRound,
    approved_by: str,
    now: datetime,
    introduction: Any,
    waiting: Any = None,
) -> list[Pair]:
    """Make the previewed pairs real and queue each introduction in a new group DM; the unmatched wait with
    priority for the next round, and are told so by DM. A previewed pair that a hard constraint rules out by now (a
    "please not", a reporting line or a speed-dating "no" that came after the preview) is not made: both wait as the
    unmatched do, and the round's ``kept_apart_at_approval`` counts them. ``introduction(pair, a, b)`` renders the
    intro, ``waiting(person)`` the note to someone left without a partner. Commits."""
    if round_.status != RoundStatus.PREVIEW:
        return []
    program = session.get(Program, round_.program_id)
    assert program is not None
    round_.status = RoundStatus.APPROVED
    round_.approved_by = approved_by
    round_.approved_at = now
    pairs: list[Pair] = []
    proposals = list(
        session.scalars(select(MatchProposal).where(MatchProposal.round_id == round_.id).order_by(MatchProposal.id))
    )
    kept_apart = _kept_apart_now(session, program=program, round_=round_, proposals=proposals)
    for proposal in proposals:
        a = session.get(Participant, proposal.participant_a_id)
        assert a is not None
        if proposal.participant_b_id is not None and proposal.id in kept_apart:
            # a rule keeps them apart since the preview (a "please not" or a reporting line added meanwhile): both
            # wait for the next round, told as anyone unmatched is; hosts get a count, never who or why
            b = session.get(Participant, proposal.participant_b_id)
            for person in (a, b):
                if person is not None:
                    _wait(session, program=program, round_=round_, person=person, waiting=waiting, now=now)
            continue
        if proposal.participant_b_id is None:
            _wait(session, program=program, round_=round_, person=a, waiting=waiting, now=now)
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
            score=round(proposal.score - _points(proposal.reasons, UNSPOKEN_REASONS), 2),
            reasons=[r for r in proposal.reasons if r.get("key") not in UNSPOKEN_REASONS],
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
            about=outbox.About.of(pair=pair),
        )
        pairs.append(pair)
    session.commit()
    return pairs


def _wait(
    session: Session, *, program: Program, round_: MatchRound, person: Participant, waiting: Any, now: datetime
) -> None:
    """Someone left without a partner this round: first in line next time, and told so by DM."""
    person.waitlisted_at = person.waitlisted_at or now
    if waiting is not None:
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=person.slack_user_id,
            message=waiting(person),
            now=now,
            about=outbox.About.of(program=program, people=[person]),
            dedupe_key=f"match-waiting:{round_.id}:{person.id}",
        )


def _kept_apart_now(
    session: Session, *, program: Program, round_: MatchRound, proposals: list[MatchProposal]
) -> set[int]:
    """The proposals whose two people a hard constraint keeps apart as things stand now (checked again at approval,
    since people may have changed their "please not" list or reporting line after the preview)."""
    paired = [m for m in proposals if m.participant_b_id is not None]
    if not paired:
        return set()
    ids = {m.participant_a_id for m in paired} | {m.participant_b_id for m in paired if m.participant_b_id}
    people = list(session.scalars(select(Participant).where(Participant.id.in_(ids))))
    by_id = {c.id: c for c in candidates(session, program=program, people=people)}
    context = round_context(session, program=program, reference=round_.created_at)
    apart = {
        m.id
        for m in paired
        if m.participant_a_id in by_id
        and m.participant_b_id in by_id
        and context.hard_constraint(by_id[m.participant_a_id], by_id[m.participant_b_id]) is not None
    }
    if apart:
        round_.stats = {**(round_.stats or {}), "kept_apart_at_approval": len(apart)}
    return apart


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


@dataclass(frozen=True)
class ScheduledRun:
    """A program whose matching date has come, with its workspace (which may have no admin channel)."""

    program: Program
    workspace: Workspace


def _awaiting_schedule(*columns: Any) -> Select[Any]:
    """``columns`` of the active programs with a matching date not handled yet (``match_ran_on`` is not that
    date), joined with their workspace."""
    return (
        select(*columns)
        .join(Workspace, Workspace.id == Program.workspace_id)
        .where(
            Program.status == ProgramStatus.ACTIVE,
            Program.match_on.is_not(None),
            or_(Program.match_ran_on.is_(None), Program.match_ran_on != Program.match_on),
        )
    )


def due_scheduled(session: Session, *, now: datetime) -> list[ScheduledRun]:
    """Active programs whose matching date is today or earlier in their zone, from 09:00 local time on, and not
    handled yet (``match_ran_on`` is not that date): :func:`bot.domain.matching.scheduled_due`."""
    rows = session.execute(_awaiting_schedule(Program, Workspace).order_by(Program.id)).tuples().all()
    due = []
    for program, workspace in rows:
        assert program.match_on is not None
        if rules.scheduled_due(program.match_on, program.timezone, now=now):
            due.append(ScheduledRun(program, workspace))
    return due


def next_scheduled(session: Session, *, now: datetime) -> datetime | None:
    """When :func:`due_scheduled` next names a program (``bot.services.ticks.NextDue``): the earliest
    :func:`bot.domain.matching.next_scheduled` of the programs it looks at; None when there are none."""
    rows = session.execute(_awaiting_schedule(Program.match_on, Program.timezone, _OPEN_SPEED_CLOSES)).tuples().all()
    return min(
        (
            max(rules.next_scheduled(day, tz, now=now), closes or now)  # a speed round open: once it has closed
            for day, tz, closes in rows
            if day is not None
        ),
        default=None,
    )


# the deadline of a program's speed-dating round that is being prepared or open (the scheduled run waits for it)
_OPEN_SPEED_CLOSES = (
    select(func.max(SpeedRound.closes_at))
    .where(SpeedRound.program_id == Program.id, SpeedRound.status.in_((SpeedStatus.PREPARING, SpeedStatus.OPEN)))
    .scalar_subquery()
)


def mark_scheduled_done(program: Program) -> None:
    """The program's matching date is handled: the clock won't run it again (until the date changes)."""
    program.match_ran_on = program.match_on


_PERSON = bindparam("participant_id")
_PAIRS_OF = (
    select(Pair)
    .where(or_(Pair.participant_a_id == _PERSON, Pair.participant_b_id == _PERSON))
    .order_by(Pair.started_at, Pair.id)
)
_ACTIVE_PAIRS_OF = _PAIRS_OF.where(Pair.status == PairStatus.ACTIVE)


def pairs_of(session: Session, *, participant: Participant, active_only: bool = True) -> list[Pair]:
    """The person's pairs (active ones by default), oldest first."""
    query = _ACTIVE_PAIRS_OF if active_only else _PAIRS_OF  # built once: most requests ask
    return list(session.scalars(query, {"participant_id": participant.id}))


# All the person's pairs, each active one with the partner's row (App Home shows both).
_PARTNER = case((Pair.participant_a_id == _PERSON, Pair.participant_b_id), else_=Pair.participant_a_id)
_PAIRS_WITH_PARTNERS = (
    select(Pair, Participant)
    .outerjoin(
        Participant,
        and_(Pair.status == PairStatus.ACTIVE, Participant.id == _PARTNER),
    )
    .where(or_(Pair.participant_a_id == _PERSON, Pair.participant_b_id == _PERSON))
    .order_by(Pair.started_at, Pair.id)
)


def pairs_with_partners(session: Session, *, participant: Participant) -> list[tuple[Pair, Participant | None]]:
    """:func:`pairs_of` with past pairs too, each active pair with the partner (None for the past ones): one query."""
    return list(session.execute(_PAIRS_WITH_PARTNERS, {"participant_id": participant.id}).tuples())
