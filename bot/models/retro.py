from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Retro(Base):
    """A pair's retro at the end of one cycle (``bot.domain.retro``): opened in the pair's group DM, its message is
    the retro's thread; the summary goes there once both partners filled it in."""

    __tablename__ = "retro"
    __table_args__ = (UniqueConstraint("pair_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int]  # 1, 2, ...
    last_week: Mapped[int]  # the pair's week number that ended the cycle
    final: Mapped[bool] = mapped_column(default=False)  # the program's end
    locale: Mapped[str] = mapped_column(String(8), default="en")
    opened_at: Mapped[datetime]
    # The opening message, once Slack has it: its ts is the retro's thread.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    summary_at: Mapped[datetime | None]  # both filled it in; the summary went into the thread


class RetroAnswer(Base):
    """One partner's retro form, and the quote they proposed with both partners' consent. Only the pair sees the
    free text; hosts see counts, and a quote only once both consented."""

    __tablename__ = "retro_answer"
    __table_args__ = (
        UniqueConstraint("retro_id", "participant_id"),
        CheckConstraint("talk_share BETWEEN 1 AND 5", name="talk_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retro_id: Mapped[int] = mapped_column(ForeignKey("retro.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    went_well: Mapped[str] = mapped_column(Text)
    learned: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text)
    talk_share: Mapped[int]  # 1 (one of us did all the talking) .. 5 (balanced)
    quote: Mapped[str | None] = mapped_column(Text)  # "a quote we'd share", proposed by this partner
    # what the retro was about, tagged from a short list (``bot.domain.retro.THEMES``); hosts see released counts only
    themes: Mapped[list[Any]] = mapped_column(default=list)
    author_consent_at: Mapped[datetime | None]  # the proposer confirmed sharing it
    partner_consent_at: Mapped[datetime | None]  # the other partner agreed
    declined_at: Mapped[datetime | None]  # either said no: never shared
    posted_at: Mapped[datetime | None]  # a host posted it to the community channel
    posted_channel: Mapped[str | None] = mapped_column(String(32))
    posted_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
