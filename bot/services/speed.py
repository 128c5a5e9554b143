"""Speed dating before matching: up to three candidate intros per person, answered yes / maybe / no by DM until
a deadline. Only the combined level of both answers reaches matching."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Program, SpeedIntro, SpeedRound

ANSWERS = ("yes", "maybe", "no")


def combined(answers: list[str | None]) -> str | None:
    """What two people said about each other, as one level for matching: any "no" excludes the pair; "yes" needs
    both; "maybe" needs both to have said at least maybe; otherwise nothing."""
    if "no" in answers:
        return "no"
    if len(answers) < 2 or None in answers:
        return None
    return "yes" if all(a == "yes" for a in answers) else "maybe"


def latest_round(session: Session, *, program: Program) -> SpeedRound | None:
    return session.scalar(
        select(SpeedRound).where(SpeedRound.program_id == program.id).order_by(SpeedRound.id.desc()).limit(1)
    )


def interest(session: Session, *, program: Program) -> dict[frozenset[int], str]:
    """The interest map matching takes, from the program's latest speed-dating round (its answers so far while
    it is still open)."""
    round_ = latest_round(session, program=program)
    if round_ is None:
        return {}
    said: dict[frozenset[int], list[str | None]] = defaultdict(list)
    for viewer, candidate, answer in session.execute(
        select(SpeedIntro.participant_id, SpeedIntro.candidate_id, SpeedIntro.answer).where(
            SpeedIntro.round_id == round_.id
        )
    ):
        said[frozenset((viewer, candidate))].append(answer)
    return {pair: level for pair, answers in said.items() if (level := combined(answers)) is not None}
