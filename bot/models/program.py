from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Rhythm(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class Program(Base):
    """A cohort: learning fields, duration, rhythm, trial period and bold goals."""

    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint("duration_weeks BETWEEN 1 AND 104", name="duration_weeks"),
        CheckConstraint("trial_weeks BETWEEN 0 AND 52", name="trial_weeks"),
        CheckConstraint("prompt_weekday BETWEEN 0 AND 6", name="prompt_weekday"),
        CheckConstraint("prompt_hour BETWEEN 0 AND 23", name="prompt_hour"),
        CheckConstraint("retention_months BETWEEN 1 AND 60", name="retention_months"),
        CheckConstraint("reporting_levels BETWEEN 1 AND 5", name="reporting_levels"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=ProgramStatus.DRAFT)
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    learning_fields: Mapped[list[Any]] = mapped_column(default=list)
    start_date: Mapped[date | None]
    duration_weeks: Mapped[int] = mapped_column(default=12)
    rhythm: Mapped[str] = mapped_column(String(16), default=Rhythm.WEEKLY)
    prompt_weekday: Mapped[int] = mapped_column(default=0)  # Monday = 0, as datetime.weekday()
    prompt_hour: Mapped[int] = mapped_column(default=9)  # local hour of each participant
    # The weekdays (Monday = 0) prompts, nudges and reminders may reach people on (bot.domain.worktime).
    working_days: Mapped[list[Any]] = mapped_column(default=lambda: [0, 1, 2, 3, 4])
    trial_weeks: Mapped[int] = mapped_column(default=4)
    # None means the localized default "What moves us forward by next week?".
    focus_question: Mapped[str | None] = mapped_column(Text)
    bold_goals: Mapped[list[Any]] = mapped_column(default=list)
    # Open sign-up: anyone may join with `/tandem join` while this is on.
    signup_open: Mapped[bool] = mapped_column(default=False)
    # The creating host's zone: the admin digest goes out at 09:00 here.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by: Mapped[str | None] = mapped_column(String(32))
    last_digest_on: Mapped[date | None]
    # The onboarding counts the last digest reported, so an unchanged day stays quiet.
    digest_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Matching weights overriding the defaults in bot.domain.matching (e.g. {"values": 2.0}).
    matching_weights: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Scheduled matching: on this date, at 09:00 in ``timezone``, the clock posts a preview for hosts to approve.
    match_on: Mapped[date | None]
    match_ran_on: Mapped[date | None]  # the scheduled date already handled
    # The working agreement's template: {"sections": {key: text}} overriding the localized default section by
    # section (bot.domain.agreement.SECTIONS); None: the default. New pairs get it.
    agreement_template: Mapped[dict[str, Any] | None]
    # Retro rituals (issue 6): a pair's retro after every ``retro_every_weeks`` of its weeks and at the end; hosts
    # may post consented quotes to ``community_channel_id``.
    retro_every_weeks: Mapped[int] = mapped_column(default=4)
    community_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Anonymous mood polls (issue 6): a pulse every ``poll_every_weeks`` weeks (0: none); results only for groups of
    # at least ``poll_threshold`` answers (never below 3, bot.domain.polls.THRESHOLD_MIN).
    poll_every_weeks: Mapped[int] = mapped_column(default=2)
    poll_threshold: Mapped[int] = mapped_column(default=5)
    # Topic paths with several cohorts: every cohort of a path points to its first program (None: the first).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)
    # Retention (issue 9): ``retention_months`` calendar months after the program's end
    # (``bot.domain.retention``) the clock deletes its free text and participant links; ``expired_at`` says it did.
    # ``closed_at``: a host closed it (a closed program ends then).
    retention_months: Mapped[int] = mapped_column(default=12, server_default="12")
    closed_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
    # Matching keeps a person apart from everyone up to this many levels above them in their reporting line (1: the
    # manager; 2: also the manager's manager), and from people with the same direct manager (bot.domain.orgchart).
    reporting_levels: Mapped[int] = mapped_column(default=2, server_default="2")
    # The privacy notice the hosts complete (``bot.domain.privacy_notice``): who is responsible for the program's data
    # (the controller), whom participants ask (e.g. the data-protection officer), and the legal basis ("consent" or
    # "works_agreement"). Shown in the invitation and in /tandem privacy once complete.
    privacy_controller: Mapped[str | None] = mapped_column(String(300))
    privacy_contact: Mapped[str | None] = mapped_column(String(300))
    legal_basis: Mapped[str | None] = mapped_column(String(16))
    # Features a works council may count as monitoring (§87(1) no. 6 BetrVG), each listed in the draft works
    # agreement: hosts told which pair went silent by name, the per-person log of late cancellations, streaks. Off:
    # counts only (``bot.domain.monitoring``).
    named_silence: Mapped[bool] = mapped_column(default=True, server_default=true())
    late_cancel_log: Mapped[bool] = mapped_column(default=True, server_default=true())
    streaks: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The kick-off kit's lesson texts the hosts wrote (issue 20): {locale: {lesson key: text}}, only those that
    # differ from Tandem's default (bot.domain.kickoff); None: the defaults.
    kickoff_texts: Mapped[dict[str, Any] | None]
    # The peer circle (issue 20): "off", "channels" (one private channel per side, Tandem creates it) or "thread"
    # (one thread per side in ``peer_channel_id``, a channel the hosts picked and Tandem is in).
    peer_circle: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    peer_channel_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
