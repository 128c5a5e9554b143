"""Enablement before the first week (issue 20, section 2): the kick-off kit a partner got (one row per person and
program, with the side of the pair it was for and the lessons they marked "Got it"), and the peer circle of each side
of a program (a private channel Tandem created, or a thread in a channel the hosts picked)."""

from __future__ import annotations

from datetime import date, datetime
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


class PeerCircle(Base):
    """The peer circle of one side of a program: the people who bring digital skills, or context, swap experiences
    (``bot.domain.kickoff``). ``channel_id``: the private channel Tandem created (``channels``), or the hosts' channel
    (``thread``) with ``thread_ts`` its thread; None while Slack has not answered yet. ``members``: the Slack ids
    Tandem invited (``channels``), so that it removes only people it invited."""

    __tablename__ = "peer_circle"
    __table_args__ = (UniqueConstraint("program_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    members: Mapped[list[Any]] = mapped_column(default=list)
    last_prompt_on: Mapped[date | None]  # the local day of the last monthly prompt
    created_at: Mapped[datetime]
