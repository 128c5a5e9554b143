"""A pair's working agreement: its versions (the first from the program's template, then proposed changes) and
who accepted which version when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Agreement(Base):
    """One per pair, posted in the pair's group DM right after the introduction. ``agreed_at``: when both
    partners first accepted a version (reminders stop then)."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")  # the pair's common language
    created_at: Mapped[datetime]
    agreed_at: Mapped[datetime | None]
    # Reminders to each partner (the pair's a and b side) while they have not accepted: how many, and the last.
    reminders_a: Mapped[int] = mapped_column(default=0)
    reminders_b: Mapped[int] = mapped_column(default=0)
    reminded_a_at: Mapped[datetime | None]
    reminded_b_at: Mapped[datetime | None]


class AgreementVersion(Base):
    """The agreement's text as data: ``sections`` maps each section key (bot.domain.agreement.SECTIONS) to its
    text. Version 1 comes from the program's template (``proposed_by`` None); later ones are proposed changes.
    ``agreed_at``: both partners accepted it; ``superseded_at``: a newer version replaced it."""

    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)  # the proposer's note to the partner
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    agreed_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    # The message showing this version in the pair's group DM, once sent.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


class AgreementAcceptance(Base):
    """A partner accepted a version, at ``accepted_at``. A proposer accepts their own proposal."""

    __tablename__ = "agreement_acceptance"
    __table_args__ = (UniqueConstraint("version_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    accepted_at: Mapped[datetime]
