"""Anonymous mood polls (``bot.domain.polls``): a program's pulse rounds, who was asked and whether they answered
(the receipt), the sealed answers of an open round (the ballot) and the answers of a closed one (the response).

**Unlinkable in the storage's history too.** An answer is written as a *ballot*: the receipt turns "answered" and
the ballot is added in one transaction, but the ballot holds only a random key, the round and the answer sealed
with the app's secret key (``TANDEM_SECRET_KEY``, AES-GCM, ``bot.crypto``), padded so that every ballot has the same
length. Nothing readable of an answer reaches the database (its WAL, dead row versions, backups) while the round is
open. When the round closes with at least its threshold of ballots, the clock opens them all, shuffles them and
writes them as responses (fresh random keys, shuffled order) in one transaction that touches no receipt, deleting
the ballots; with fewer, the ballots are deleted unopened. So the transaction that wrote a receipt never wrote a
readable answer, and the one that wrote the answers wrote no receipt and all of the round's answers at once.
Neither table has a time finer than the round (no created_at, no updated_at). What remains: someone holding both
the database (or a copy) from while a round is open and the key can open its ballots and tell whose each is; Slack
carries each answer to Tandem.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
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


class PollBallot(Base):
    """One answer to an open round, sealed: no person, no time, a random key; ``sealed`` is the answer (mood,
    ratings, comment) encrypted and padded to the same length as every other ballot (``bot.services.polls``)."""

    __tablename__ = "poll_ballot"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("poll_round.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class PollResponse(Base):
    """One answer to a closed round, opened from its ballot with all the others of the round at the close: no
    person, no time, a random key, written in shuffled order."""

    __tablename__ = "poll_response"
    __table_args__ = (CheckConstraint("mood BETWEEN 1 AND 5", name="mood"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("poll_round.id", ondelete="CASCADE"), index=True)
    mood: Mapped[int]
    answers: Mapped[dict[str, Any]]  # question key -> 1..5
    comment: Mapped[str | None] = mapped_column(Text)
