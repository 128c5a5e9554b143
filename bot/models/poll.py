"""Anonymous mood polls (``bot.domain.polls``): a program's pulse rounds, who was asked and whether they answered
(the receipt), and the answers (the response), which cannot be tied to the receipts.

**Unlinkable by construction.** A response has no participant, no time finer than its round (no created_at,
no updated_at) and a random key; a receipt has no key of its own beyond (round, participant), no time and no
order. Every submit rewrites all of the round's receipts (in participant order) and all of its responses (in key
order, which is random) in the same transaction, so neither insertion order, SQLite's rowid, PostgreSQL's
physical order (``ctid``) nor the inserting transaction (``xmin``) lines a receipt up with a response.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class PollRound(Base):
    """One pulse of a program: opened on ``opens_on`` (program time), closed on ``closes_on``; the questions it
    asks beyond the mood and the threshold its results are held to (copied from the program when it opened)."""

    __tablename__ = "poll_round"
    __table_args__ = (
        UniqueConstraint("program_id", "number"),
        CheckConstraint("threshold >= 3", name="threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ...
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    threshold: Mapped[int]
    questions: Mapped[list[Any]]  # keys of bot.domain.polls.QUESTIONS, in the modal's order
    closed: Mapped[bool] = mapped_column(default=False)  # no more answers; results come with the weekly release


class PollReceipt(Base):
    """Someone was asked in a round, and whether they answered: never what, never when."""

    __tablename__ = "poll_receipt"

    round_id: Mapped[int] = mapped_column(ForeignKey("poll_round.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answered: Mapped[bool] = mapped_column(default=False)


class PollResponse(Base):
    """One answer to a round: no person, no time, a random key (``uuid4().hex``)."""

    __tablename__ = "poll_response"
    __table_args__ = (CheckConstraint("mood BETWEEN 1 AND 5", name="mood"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("poll_round.id", ondelete="CASCADE"), index=True)
    mood: Mapped[int]
    answers: Mapped[dict[str, Any]]  # question key -> 1..5
    comment: Mapped[str | None] = mapped_column(Text)
