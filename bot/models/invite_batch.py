from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class BatchStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"  # claimed by a worker (given back if the worker vanishes)
    DONE = "done"


class InviteBatch(Base):
    """A host's request to invite people (picked, or every member of a channel). The modal only records it;
    the worker, which talks to Slack, expands it into enrollments and invitation DMs."""

    __tablename__ = "invite_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    user_ids: Mapped[list[Any]] = mapped_column(default=list)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.PENDING, index=True)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    # What happened: counts of invited, already invited, skipped (bots, deactivated, the host themself)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
