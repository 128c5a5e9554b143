from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class RoundStatus(enum.StrEnum):
    PREVIEW = "preview"  # proposed, waiting for a host's approval
    APPROVED = "approved"  # pairs made, introductions queued
    DISCARDED = "discarded"  # a newer preview replaced it, or a host threw it away


class MatchRound(Base):
    """One run of matching for a program: a preview hosts can adjust, then approve."""

    __tablename__ = "match_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.PREVIEW)
    created_by: Mapped[str | None] = mapped_column(String(32))  # Slack user id of the host, None if scheduled
    created_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None]
    # total score, pool size, score distribution, solver timing
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MatchProposal(Base):
    """A proposed pair in a round (b is None for someone left unmatched, with the reason)."""

    __tablename__ = "match_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_round.id", ondelete="CASCADE"), index=True)
    participant_a_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    participant_b_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(default=0.0)
    # reason keys with their parameters, rendered in each reader's language: [{"key": ..., ...}, ...]
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    locked: Mapped[bool] = mapped_column(default=False)
    unmatched_reason: Mapped[str | None] = mapped_column(String(32))
