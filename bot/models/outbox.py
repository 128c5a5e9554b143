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
    # What the call is about, set by whoever queued it (``bot.services.outbox.About``): forget-me and retention find
    # a person's or a program's stored calls by these, never by searching what the payloads say. A call about a pair
    # is about both partners; the people it names or is addressed to otherwise are its ``OutboxSubject`` rows.
    program_id: Mapped[int | None] = mapped_column(index=True)
    pair_id: Mapped[int | None] = mapped_column(index=True)
    # When the payload was emptied (what the call said is kept only while it may still have to be sent): on
    # sending, and some time after it was parked. Routing, key and Slack's answer (channel, ts) stay.
    emptied_at: Mapped[datetime | None]


class OutboxSubject(Base):
    """A person a stored Slack call is to or about (by participant id: nothing personal in the index itself)."""

    __tablename__ = "outbox_subject"

    outbox_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, autoincrement=False, index=True
    )
