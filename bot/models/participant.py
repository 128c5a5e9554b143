from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.worktime import ROW_FIELDS
from bot.models.base import Base, NullableJSON


class TandemRole(enum.StrEnum):
    DIGITAL = "digital"  # brings digital routines, social-media and no-code skills
    CONTEXT = "context"  # brings context, stakeholder logic, a feel for risk
    BOTH = "both"


class Participant(Base):
    """A person in a workspace who meets Tandem, with the profile the onboarding interview fills."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name, from Slack, correctable
    locale: Mapped[str] = mapped_column(String(8), default="en")  # "en" or "de", from Slack, correctable
    role: Mapped[str | None] = mapped_column(String(16))
    self_description: Mapped[str | None] = mapped_column(Text)
    curiosity: Mapped[list[Any]] = mapped_column(default=list)
    can_teach: Mapped[list[Any]] = mapped_column(default=list)
    want_to_learn: Mapped[list[Any]] = mapped_column(default=list)
    learning_style: Mapped[str | None] = mapped_column(String(32))
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    values: Mapped[list[Any]] = mapped_column(default=list)
    department: Mapped[str | None] = mapped_column(String(120))
    hours_per_week: Mapped[int | None]
    preferred_days: Mapped[list[Any]] = mapped_column(default=list)
    # Whose public holidays keep prompts and reminders away (bot.domain.worktime): the country (ISO code; None: the
    # one of the time zone, when unambiguous) and the region (a subdivision code such as "BY"), from the interview.
    country: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(16))
    # The weekdays (Monday = 0) the person works on, from the interview: prompts, nudges and reminders reach them only
    # then (bot.domain.worktime). None: the program's working days. Not preferred_days, which is for matching.
    working_days: Mapped[list[Any] | None] = mapped_column(NullableJSON)
    # Agreed to the basics of the working agreement (confidentiality, preparation, reachability).
    consented_at: Mapped[datetime | None]
    # True once the person confirmed or corrected the time zone and language Slack gave us.
    settings_confirmed: Mapped[bool] = mapped_column(default=False)
    # Matching constraint: people this person asked not to be paired with (Slack user ids), private to them. Their
    # manager, when known, is in reporting_line (bot.models.reporting), with the org chart's and Slack's.
    avoid: Mapped[list[Any]] = mapped_column(default=list)
    # Waiting for a partner since (unmatched last round, or after a switch): matched first next time.
    waitlisted_at: Mapped[datetime | None]
    # Unused since issue 16: whether Tandem welcomed someone is read from Slack's DM history.
    welcomed_at: Mapped[datetime | None]
    # Away (vacation) up to and including this day: the weekly prompts of the person's pairs skip it.
    paused_until: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def worktime_fields(person: Any = Participant) -> tuple[Any, ...]:
    """The columns of ``person`` (Participant or an alias of it) a person's working time depends on
    (``bot.domain.worktime.of`` reads them): a query that loads people with ``load_only`` and then asks for their
    working time names these, or each person costs a query of their own."""
    return (person.tz, person.country, person.region, person.working_days)


def worktime_columns(person: Any = Participant, side: str = "") -> tuple[ColumnElement[Any], ...]:
    """:func:`worktime_fields`, labelled as ``bot.domain.worktime.of_row`` reads them for ``side`` (``_a``, ``_b``, or
    nothing). The query selects the program's ``working_days`` beside them."""
    columns = worktime_fields(person)
    return tuple(column.label(f"{name}{side}") for column, name in zip(columns, ROW_FIELDS, strict=True))
