"""A pair's live sessions: the slots Tandem proposed, the one accepted (once or every week), and when its next
reminder is due. Rules in ``bot.domain.live``, storage in ``bot.services.live``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class LiveStatus(enum.StrEnum):
    PROPOSED = "proposed"  # one of the three slots Tandem posted; either partner may accept it
    ACCEPTED = "accepted"  # the pair meets then (and every week, when ``weekly``)
    DROPPED = "dropped"  # a slot of the same proposal that was not chosen, or a proposal a newer one replaced
    CANCELLED = "cancelled"  # accepted, then cancelled by a partner (the calendar file said so)


class LiveSession(Base):
    """One slot of a pair's live session. The slots proposed together share ``proposed_at``; accepting one drops the
    others. ``sequence`` is the calendar file's SEQUENCE (raised by a cancellation); ``remind_at``: when the next
    occurrence's reminder is due (None: none to come)."""

    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]  # UTC; a weekly series' first occurrence
    minutes: Mapped[int] = mapped_column(default=30)
    weekly: Mapped[bool] = mapped_column(default=False)
    until: Mapped[datetime | None]  # a weekly series' last possible start: the program's end
    status: Mapped[str] = mapped_column(String(16), default=LiveStatus.PROPOSED)
    sequence: Mapped[int] = mapped_column(default=0)
    proposed_at: Mapped[datetime]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
