"""A pair's bold goals: set 1–3 in a form (either partner), one-click progress and done from App Home, and the
goals as plain data for other messages (the weekly thread). Rules in ``bot.domain.agreement``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.blocks import agreement as blocks
from bot.domain import agreement as rules
from bot.models import Goal, Pair, PairStatus, Participant, Program
from bot.services import matching
from bot.services.agreements import NOT_YOURS, partners, post_to_pair

SAVED, DONE, MOVED, REOPENED, UNCHANGED = "saved", "done", "moved", "reopened", "unchanged"
ACCEPTED, WITHDRAWN, PROPOSED, OWN_PROPOSAL = "accepted", "withdrawn", "proposed", "own_proposal"


def goals_of(session: Session, pair: Pair) -> list[Goal]:
    """The pair's goals: open ones in their order, then done ones."""
    goals = session.scalars(select(Goal).where(Goal.pair_id == pair.id).order_by(Goal.position, Goal.id)).all()
    return open_first(goals)


def open_first(goals: Sequence[Goal]) -> list[Goal]:
    """``goals`` (in position order) with the open ones first, then the done ones."""
    return [g for g in goals if g.done_at is None] + [g for g in goals if g.done_at is not None]


def goals_context(session: Session, pair: Pair) -> list[dict[str, Any]]:
    """The pair's goals as plain data for a message (``bot.blocks.agreement.goals_section`` renders them): each
    ``{"id", "text", "due" (date or None), "progress" (0-100), "done" (bool), "done_on" (UTC date or None),
    "proposed" (bool: set by one partner, not accepted by the other yet)}``, open goals first."""
    return context_of(goals_of(session, pair))


def context_of(goals: Sequence[Goal]) -> list[dict[str, Any]]:
    """``goals_context`` of goals already read, in the order given."""
    return [
        {
            "id": g.id,
            "text": g.text,
            "due": g.due_on,
            "progress": g.progress,
            "done": g.done_at is not None,
            "done_on": g.done_at.date() if g.done_at else None,
            "proposed": g.accepted_at is None,
        }
        for g in goals
    ]


def pairs_of(session: Session, participant: Participant) -> list[Pair]:
    return matching.pairs_of(session, participant=participant)


def own_pair(session: Session, *, participant: Participant | None, pair_id: int | None) -> Pair | None:
    """The active pair ``pair_id`` if ``participant`` is in it."""
    pair = session.get(Pair, pair_id) if pair_id is not None else None
    if pair is None or participant is None or pair.status != PairStatus.ACTIVE:
        return None
    return pair if participant.id in (pair.participant_a_id, pair.participant_b_id) else None


def partner_of(session: Session, pair: Pair, participant: Participant) -> Participant:
    a, b = partners(session, pair)
    return b if a.id == participant.id else a


@dataclass(frozen=True)
class Form:
    """What the goals form shows: the open goals in their slots and the ideas to pick from."""

    pair_id: int
    partner: str
    slots: list[tuple[int | None, str, date | None]]
    ideas: list[str]


def form(session: Session, *, pair: Pair, participant: Participant) -> Form:
    program = session.get(Program, pair.program_id)
    open_goals = [g for g in goals_of(session, pair) if g.done_at is None][: rules.SLOTS]
    taken = {g.text.casefold() for g in goals_of(session, pair)}
    ideas = [
        i
        for i in blocks.goal_ideas(participant.locale, program.bold_goals if program else [])
        if i.casefold() not in taken
    ]
    return Form(
        pair_id=pair.id,
        partner=partner_of(session, pair, participant).display_name,
        slots=[(g.id, g.text, g.due_on) for g in open_goals],
        ideas=ideas,
    )


def save(
    session: Session,
    *,
    participant: Participant,
    pair: Pair,
    slots: Sequence[tuple[int | None, Any, Any]],
    picked: Sequence[Any],
    today: date,
    now: datetime,
) -> dict[str, str]:
    """The goals form was submitted: apply it (``bot.domain.agreement.parse_goals``) and tell the pair in its
    group DM. Returns the errors (then nothing changed). Commits."""
    session.refresh(pair, with_for_update=True)  # one change to a pair's goals at a time (PostgreSQL)
    goals = {g.id: g for g in session.scalars(select(Goal).where(Goal.pair_id == pair.id))}
    shown = {goal_id for goal_id, _text, _due in slots if goal_id is not None}
    other_open = sum(1 for g in goals.values() if g.done_at is None and g.id not in shown)
    plan, errors = rules.parse_goals(
        slots,
        picked,
        known={g.id: (g.due_on, g.done_at is not None) for g in goals.values()},
        other_open=other_open,
        today=today,
    )
    if plan is None:
        session.rollback()
        return errors
    if plan.remove:
        session.execute(delete(Goal).where(Goal.pair_id == pair.id, Goal.id.in_(plan.remove)))
    position = 0
    for change in plan.keep:
        position += 1
        goal = goals.get(change.goal_id) if change.goal_id is not None else None
        if goal is None:
            session.add(
                Goal(
                    pair_id=pair.id,
                    position=position,
                    text=change.text,
                    due_on=change.due,
                    progress=0,
                    accepted_at=None,  # proposed until the partner accepts it
                    created_by=participant.id,
                    updated_by=participant.id,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif (goal.text, goal.due_on, goal.position) != (change.text, change.due, position):
            if goal.text != change.text:  # a goal in other words is set anew: proposed until the partner accepts it
                goal.created_by, goal.accepted_at = participant.id, None
            goal.text, goal.due_on, goal.position = change.text, change.due, position
            goal.updated_by, goal.updated_at = participant.id, now
    for goal in goals.values():  # open goals the form did not show come after
        if goal.id not in shown and goal.id not in plan.remove and goal.done_at is None:
            position += 1
            goal.position = position
    session.flush()
    _tell_pair(session, pair, who=participant, now=now)
    session.commit()
    return {}


def _tell_pair(session: Session, pair: Pair, *, who: Participant, now: datetime) -> None:
    program = session.get(Program, pair.program_id)
    a, b = partners(session, pair)
    locale = rules.common_locale(a.locale, b.locale)
    post_to_pair(
        session,
        workspace_id=program.workspace_id if program else who.workspace_id,
        pair=pair,
        a=a,
        b=b,
        message=blocks.goals_posted(locale, who=who.display_name, goals=goals_context(session, pair)),
        now=now,
    )


def mark(
    session: Session, *, participant: Participant | None, goal_id: int | None, progress: int, now: datetime
) -> str:
    """One click on a goal: ``progress`` 25/50/75, ``rules.DONE`` (done: the pair hears it), or 0 (not done after
    all: back to 75 %). Only a partner of the goal's pair, while it is active. Commits. Returns SAVED, DONE,
    REOPENED, UNCHANGED or NOT_YOURS."""
    goal = session.get(Goal, goal_id) if goal_id is not None else None
    pair = own_pair(session, participant=participant, pair_id=goal.pair_id if goal else None)
    if goal is None or pair is None or participant is None:
        session.rollback()
        return NOT_YOURS
    if goal.accepted_at is None:  # progress counts only on a goal both carry
        session.rollback()
        return PROPOSED
    if progress == rules.DONE:
        if goal.done_at is not None:
            session.rollback()
            return UNCHANGED
        goal.progress, goal.done_at = rules.DONE, now
        result = DONE
        _post(
            session,
            pair,
            participant,
            lambda locale: blocks.goal_done_posted(locale, who=participant.display_name, text=goal.text),
            dedupe_key=f"goal-done:{goal.id}:{now.isoformat()}",
            now=now,
        )
    elif progress == 0:
        if goal.done_at is None:
            session.rollback()
            return UNCHANGED
        goal.done_at, goal.progress, result = None, max(rules.PROGRESS_STEPS), REOPENED
    else:
        if goal.done_at is None and goal.progress == progress:
            session.rollback()
            return UNCHANGED
        goal.progress, goal.done_at, result = progress, None, SAVED
    goal.updated_by, goal.updated_at = participant.id, now
    session.commit()
    return result


def waiting_for(session: Session, participant: Participant | None) -> list[tuple[int, str, str]]:
    """The goals the person's partners proposed and the person has not accepted yet, in their active pairs: (goal id,
    text, the proposer's name) each."""
    if participant is None or participant.id is None:
        return []
    out = []
    for pair in pairs_of(session, participant):
        partner = partner_of(session, pair, participant)
        for goal in goals_of(session, pair):
            if goal.accepted_at is None and goal.done_at is None and goal.created_by != participant.id:
                out.append((goal.id, goal.text, partner.display_name))
    return out


def accept(session: Session, *, participant: Participant | None, goal_id: int | None, now: datetime) -> str:
    """The partner of whoever proposed the goal accepts it: from now on it is the pair's and counts (the pair hears
    it). Only the other partner of an active pair; the proposer is told their partner accepts it. Commits. Returns
    ACCEPTED, UNCHANGED (accepted already), OWN_PROPOSAL or NOT_YOURS."""
    goal = session.get(Goal, goal_id) if goal_id is not None else None
    pair = own_pair(session, participant=participant, pair_id=goal.pair_id if goal else None)
    if goal is None or pair is None or participant is None:
        session.rollback()
        return NOT_YOURS
    session.refresh(pair, with_for_update=True)  # one change to a pair's goals at a time (PostgreSQL)
    session.refresh(goal)
    if goal.accepted_at is not None:
        session.rollback()
        return UNCHANGED
    if goal.created_by == participant.id:
        session.rollback()
        return OWN_PROPOSAL
    goal.accepted_at, goal.updated_by, goal.updated_at = now, participant.id, now
    _post_change(session, pair, participant, goal, "accepted", now=now)
    session.commit()
    return ACCEPTED


def withdraw(session: Session, *, participant: Participant | None, goal_id: int | None, now: datetime) -> str:
    """Whoever proposed a goal takes it back while it is only proposed: it is deleted (the pair hears it). Commits.
    Returns WITHDRAWN, UNCHANGED (accepted already: it is the pair's now), NOT_YOURS (someone else's proposal)."""
    goal = session.get(Goal, goal_id) if goal_id is not None else None
    pair = own_pair(session, participant=participant, pair_id=goal.pair_id if goal else None)
    if goal is None or pair is None or participant is None or goal.created_by != participant.id:
        session.rollback()
        return NOT_YOURS
    session.refresh(pair, with_for_update=True)
    session.refresh(goal)
    if goal.accepted_at is not None:
        session.rollback()
        return UNCHANGED
    _post_change(session, pair, participant, goal, "withdrawn", now=now)
    session.delete(goal)
    session.commit()
    return WITHDRAWN


def _post_change(session: Session, pair: Pair, who: Participant, goal: Goal, change: str, *, now: datetime) -> None:
    message = lambda locale: blocks.goal_change_posted(locale, change, who=who.display_name, text=goal.text)  # noqa: E731
    _post(session, pair, who, message, dedupe_key=f"goal-{change}:{goal.id}", now=now)


def _post(
    session: Session,
    pair: Pair,
    who: Participant,
    message: Callable[[str], dict[str, Any]],
    *,
    dedupe_key: str,
    now: datetime,
) -> None:
    """``message`` (built in the partners' common language) in the pair's thread, from what ``who`` did."""
    program = session.get(Program, pair.program_id)
    a, b = partners(session, pair)
    post_to_pair(
        session,
        workspace_id=program.workspace_id if program else who.workspace_id,
        pair=pair,
        a=a,
        b=b,
        message=message(rules.common_locale(a.locale, b.locale)),
        now=now,
        dedupe_key=dedupe_key,
    )
