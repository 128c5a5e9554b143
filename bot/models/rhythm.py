from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.rhythm import WeekStatus
from bot.models.base import Base

__all__ = ["PairWeek", "WeekAnswer", "WeekPartner", "WeekStatus"]


class PairWeek(Base):
    """One week of a pair's rhythm (``bot.domain.rhythm``): its day, its prompt in the pair's group DM (the
    week's thread), the method card, and how it ended. A row exists once the week is due, or earlier when a
    partner moved or cancelled it ahead of time."""

    __tablename__ = "pair_week"
    __table_args__ = (UniqueConstraint("pair_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... in the pair's schedule
    day: Mapped[date]  # the schedule's day for this week
    moved_to: Mapped[date | None]  # a partner moved it to this day
    status: Mapped[str] = mapped_column(String(16), default=WeekStatus.SCHEDULED)
    method: Mapped[str] = mapped_column(String(32), default="")  # the method card's key
    thread_at: Mapped[datetime | None]  # when its prompt went (or the skip note)
    handled_at: Mapped[datetime | None]  # when the clock dealt with it (posted, skipped, cancelled, missed)
    # The prompt's message, once Slack has it: its ts is the week's thread.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32), index=True)
    # "What we agreed": the homework and the smallest useful next step; it opens next week's prompt.
    agreed_homework: Mapped[str | None] = mapped_column(Text)
    agreed_next_step: Mapped[str | None] = mapped_column(Text)
    agreed_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime | None]
    # The hosts were told that the pair has been silent up to and including this week (no content, ever).
    silence_flagged_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WeekPartner(Base):
    """One partner's side of a posted week: their own prompt moment, the DM nudge when they are behind the thread,
    the one mid-week nudge, and whether they answered. A planned nudge that should no longer go (they answered,
    paused, the week closed) is cleared, so a set ``*_at`` without ``*_sent_at`` is always still due."""

    __tablename__ = "week_partner"
    __table_args__ = (UniqueConstraint("week_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("pair_week.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    prompt_at: Mapped[datetime]  # the program's hour on the week's day, on their wall clock
    nudge_at: Mapped[datetime | None]  # the DM linking to the thread (later partners only)
    nudge_sent_at: Mapped[datetime | None]
    midweek_at: Mapped[datetime | None]
    midweek_sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]


class WeekAnswer(Base):
    """What a partner wrote for a week: a reply in the week's thread, or the Answer modal (then posted in the
    thread by Tandem). Only the pair sees it; hosts never do."""

    __tablename__ = "week_answer"
    __table_args__ = (UniqueConstraint("week_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("pair_week.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    slack_ts: Mapped[str | None] = mapped_column(String(32))  # the thread reply (None for the modal)
    source: Mapped[str] = mapped_column(String(8))  # "thread" or "modal"
    created_at: Mapped[datetime]


class WeekPrep(Base):
    """One partner's preparation for a week of their pair (``bot.services.prep``): planned when the week before opens
    (``due_at``), asked by DM the evening before the week's prompt, in their own working time; what they bring and
    what they need from their partner, which goes into the pair's thread when the week opens. Theirs: export,
    forget-me."""

    __tablename__ = "week_prep"
    __table_args__ = (UniqueConstraint("pair_id", "week_number", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    week_number: Mapped[int]  # the week it prepares, as PairWeek.number
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # when the DM is due; None: it never goes
    asked_at: Mapped[datetime | None]  # when the DM was queued
    bring: Mapped[str | None] = mapped_column(Text)  # "what I bring"
    need: Mapped[str | None] = mapped_column(Text)  # "what I need from you"
    filled_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]  # when it went into the pair's thread (with the week's prompt, or after it)
