"""Slack events seen, by ``event_id``: Slack redelivers an event it thinks was not acknowledged in time (same
``event_id``, with ``X-Slack-Retry-Num``), and each must be handled once (``bot.handlers.middleware``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class SlackEvent(Base):
    __tablename__ = "slack_event"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="")
    received_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]  # the listeners finished; None while running (or when the process died)
