"""Learning cards: a short "what I learned" a participant writes and, only when they press *Publish*, shares in
their program's community-of-practice channel (with their name or without it, as they chose)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class LearningCard(Base):
    __tablename__ = "learning_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    show_name: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]  # the author pressed Publish (their consent); None: a draft
    channel_id: Mapped[str | None] = mapped_column(String(32))  # where it was posted
    # published with the consent text that names the card library (``/tandem cards``, the next cohorts' kick-off kit):
    # cards published before the library existed were consented for the community channel only and stay out of it
    in_library: Mapped[bool] = mapped_column(default=False, server_default=false())
