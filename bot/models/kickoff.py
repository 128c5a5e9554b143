"""The kick-off kit a partner got before their pair's first week (issue 20, section 2): one row per person and
program, with the side of the pair it was for and the lessons they marked "Got it"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class KickoffKit(Base):
    __tablename__ = "kickoff_kit"
    __table_args__ = (UniqueConstraint("program_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(16))  # "digital" or "context" (bot.domain.kickoff.LESSONS)
    locale: Mapped[str] = mapped_column(String(8))  # the language it was sent in
    sent_at: Mapped[datetime]  # queued (it reaches the person in their working time)
    read: Mapped[list[Any]] = mapped_column(default=list)  # the lesson keys they marked "Got it"
