from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class EnrollmentStatus(enum.StrEnum):
    INVITED = "invited"  # invitation sent, no answer yet
    DECLINED = "declined"  # "Not now": no further messages
    INTERVIEWING = "interviewing"  # joined, onboarding interview under way
    ONBOARDED = "onboarded"  # interview complete
    LEFT = "left"  # the person left Tandem (forget-me, or a host removed them): a tombstone, messaged no more


class InviteSource(enum.StrEnum):
    LIST = "list"  # a host picked people
    CHANNEL = "channel"  # every member of a channel
    SIGNUP = "signup"  # the person ran /tandem join


class Enrollment(Base):
    """One person in one program: invitation, answer, and the state of their onboarding interview."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("program_id", "participant_id"),
        Index("ix_enrollment_status_activity", "status", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EnrollmentStatus.INVITED)
    source: Mapped[str] = mapped_column(String(16), default=InviteSource.LIST)
    invited_by: Mapped[str | None] = mapped_column(String(32))  # Slack user id of the host
    invited_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # The interview: the step the person is on (bot.domain.interview.Step), when they last did anything,
    # and how many reminders they got since (2 at most, then silence).
    interview_step: Mapped[str | None] = mapped_column(String(32))
    interview_started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None]
    # Where the current step's DM is (channel, ts), so it can be updated once answered.
    step_message: Mapped[dict[str, Any]] = mapped_column(default=dict)
