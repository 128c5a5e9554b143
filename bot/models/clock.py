from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ClockTick(Base):
    """One row per minute the clock acted on; a second tick for the same minute finds it and does nothing."""

    __tablename__ = "clock_tick"

    minute: Mapped[datetime] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime]
    summary: Mapped[dict[str, Any]]
