from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class EscalationKind(enum.StrEnum):
    HELP = "help"  # a person asked for help with /tandem help-me (or the button)
    LATE_PATTERN = "late_pattern"  # repeated cancellations less than 24 h ahead


class Escalation(Base):
    """Something that reached the hosts privately in the admin channel, and whether a host answered.

    ``shared`` is exactly what the hosts were shown (the person's choice for a request for help; for a
    pattern only the program and the count, never a name, a note or anything from the pair's thread).
    ``participant_id`` is who a host's answer goes to; hosts never see it unless the person shared their name.
    """

    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=EscalationKind.HELP)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"))
    # what the hosts see: {"text": ..., "name": ..., "partner": ..., "program": ..., "count": ...}
    shared: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    answers: Mapped[int] = mapped_column(default=0)  # how many times a host answered through Tandem
    answered_at: Mapped[datetime | None]  # the latest answer
    answered_by: Mapped[str | None] = mapped_column(String(32))  # the latest answering host's Slack id
