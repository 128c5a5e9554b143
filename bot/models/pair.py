from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class PairStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Pair(Base):
    """Two participants of a program learning together in their own group DM thread."""

    __tablename__ = "pair"
    __table_args__ = (CheckConstraint("participant_a_id <> participant_b_id", name="two_people"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    participant_a_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    participant_b_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.ACTIVE)
    channel_id: Mapped[str | None] = mapped_column(String(32))  # the pair's group DM
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # the current week's thread
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_round.id", ondelete="SET NULL"))
    score: Mapped[float | None]
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # Why it ended: "switch" (after the trial; never who asked), "program_closed", ...
    end_reason: Mapped[str | None] = mapped_column(String(32))
