from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class FollowUp(Base):
    """One partner's follow-up question 30 or 90 days after their pair ended (``bot.domain.followup``): "Is what we
    learned still in use? What exactly?". The row is written when the question is queued (so it is asked once);
    the answer, an optional text and the consent to quote it are written once. Hosts see the answers only counted,
    as released weekly (series ``followup``), and the text only when its author consented."""

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("pair_id", "participant_id", "days"),
        CheckConstraint("days IN (30, 90)", name="days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    days: Mapped[int]  # 30 or 90 days after the pair ended
    asked_at: Mapped[datetime]  # queued for the person's working time
    closes_at: Mapped[datetime]  # an answer after this changes nothing
    answer: Mapped[str | None] = mapped_column(String(8))  # "yes", "partly", "no"
    text: Mapped[str | None] = mapped_column(Text)  # "what exactly?" (optional)
    quote_ok: Mapped[bool] = mapped_column(default=False)  # "you may quote me" (only with a text)
    answered_at: Mapped[datetime | None]
