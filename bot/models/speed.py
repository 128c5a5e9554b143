from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class SpeedStatus(enum.StrEnum):
    PREPARING = "preparing"  # a host asked for it; the clock picks the intros and queues the cards
    OPEN = "open"  # intros sent, answers welcome until closes_at
    CLOSED = "closed"  # past the deadline: answers count for matching, buttons say so


class SpeedRound(Base):
    """An optional speed-dating round before matching: each person gets up to 3 candidate intros by DM."""

    __tablename__ = "speed_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SpeedStatus.OPEN)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]  # the one reminder to people with open answers, a day before closing
    closed_at: Mapped[datetime | None]
    # people, intros, people without a candidate
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SpeedIntro(Base):
    """One candidate shown to one person in a round, and what that person said about them (private: only the
    combined level of both answers ever reaches matching; a "no" is never shown to anyone)."""

    __tablename__ = "speed_intro"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("speed_round.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)  # order on the person's card
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # why they might fit, as matching reasons
    answer: Mapped[str | None] = mapped_column(String(8))  # "yes" | "maybe" | "no"
    answered_at: Mapped[datetime | None]
    # the person's ranking of this candidate among their card's: 1 (first choice) to 3, private like the answer;
    # matching weighs it (bot.domain.matching.rules.rank_centi), hosts see only "both ranked each other"
    rank: Mapped[int | None]
