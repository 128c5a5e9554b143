from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, BigId


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a worker (not before ``not_before``)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    PARKED = "parked"  # gave up: a permanent Slack error or too many failures


class OutboxMessage(Base):
    """A Slack Web API call to make, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_channel_sent", "channel_key", "sent_at"),  # pacing per conversation
        Index("ix_outbox_sent_at", "sent_at"),  # the workspace budget: what was sent in the last minute
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(64))
    # Messages to one conversation leave in the order they were queued; a deferred one holds back the rest.
    channel_key: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]]
    # Enqueueing the same key twice is a no-op: the cause of a message is recorded once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    parked_at: Mapped[datetime | None] = mapped_column(index=True)  # when Tandem gave up on it (hosts are told)
    result: Mapped[dict[str, Any] | None]
    # A try may have reached Slack without its answer being recorded (the worker died mid-call, a timeout, a 5xx):
    # before the next try the worker looks the message up in Slack by its idempotency key.
    in_doubt: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
