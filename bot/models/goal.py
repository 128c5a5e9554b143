"""A pair's bold goals: 1–3 open at a time, each with an optional due date and one-click progress."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Goal(Base):
    """Belongs to the pair: either partner sets, edits, moves or finishes it. ``progress`` in percent (0, 25, 50,
    75, 100); ``done_at`` set when it is done. A goal one partner sets (``created_by``; a changed text is set anew)
    is *proposed* until the other accepts it (``accepted_at``); only accepted goals count in the KPIs."""

    __tablename__ = "goal"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # order in the pair's list
    text: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    progress: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]  # None: proposed, waiting for the partner of ``created_by``
    created_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
