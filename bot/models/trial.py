from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class TrialOutcome(enum.StrEnum):
    CONTINUE = "continue"
    SWITCH = "switch"


class TrialCheck(Base):
    """The end-of-trial question "continue or switch?" for one pair.

    Deliberately holds no per-person answer: only whether *someone* asked to switch. A "switch" sets the flag,
    a "continue" changes nothing, so the database cannot tell which partner asked, not even while the
    question is open. The outcome is settled at ``closes_at``.
    """

    __tablename__ = "trial_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    switch_requested: Mapped[bool] = mapped_column(default=False)
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    # When the hosts' summary counted it: one summary per program once none of its questions is open any more.
    reported_at: Mapped[datetime | None]
