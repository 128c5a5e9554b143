from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class CancelKind(enum.StrEnum):
    CANCEL = "cancel"  # this week's session does not happen
    MOVE = "move"  # it happens later (moved_to)
    LIVE = "live"  # an accepted live session (``bot.models.live``) is cancelled; ``late``: < 24 h before it


class Cancellation(Base):
    """A partner cancelled or moved a week from the pair's thread. ``late``: less than 24 h before the session
    (the week's prompt time). Late ones are logged for the escalation rule; the partner is told, hosts are not,
    unless a pattern escalates."""

    __tablename__ = "cancellation"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    week_number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8), default=CancelKind.CANCEL)
    moved_to: Mapped[date | None]
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # when an escalation counted it (so a pattern escalates once)
    escalated_at: Mapped[datetime | None]
