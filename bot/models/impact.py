"""Impact: the metrics a host defines per program (a unit, a baseline, a target range, who reports them) and the
values logged over time; a weekly snapshot of the built-in KPIs, so the digest can say what changed; and the released
cells every figure built from other people's contributions is read from (``bot.domain.release``).

Nothing here holds free text from a pair except a metric's name and unit, which hosts write."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class MetricReporter(enum.StrEnum):
    HOST = "host"  # hosts log the program's value (e.g. approval lead time across the company)
    PAIR = "pair"  # each pair logs its own value (e.g. days to its first test); hosts see the pairs' average


class Metric(Base):
    __tablename__ = "metric"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(32), default="")
    baseline: Mapped[float | None]
    target_low: Mapped[float | None]  # the target range; one bound may be open
    target_high: Mapped[float | None]
    reporter: Mapped[str] = mapped_column(String(8), default=MetricReporter.HOST)
    created_by: Mapped[str] = mapped_column(String(32))  # the host's Slack user id
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class MetricValue(Base):
    """One logged value. ``pair_id`` is set for pair-reported metrics (the pair's own value); ``day`` is the day
    the value describes."""

    __tablename__ = "metric_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    value: Mapped[float]
    day: Mapped[date]
    logged_by: Mapped[str] = mapped_column(String(32))  # Slack user id of the host or partner who logged it
    created_at: Mapped[datetime]


class KpiSnapshot(Base):
    """The program's built-in KPIs as the weekly digest showed them (counts and rates only)."""

    __tablename__ = "kpi_snapshot"
    __table_args__ = (UniqueConstraint("program_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    taken_on: Mapped[date]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class ReleaseCell(Base):
    """One released figure of a program's series (``bot.domain.release``): written by the weekly release, never
    changed afterwards. A sum and a count over at least the threshold of distinct contributors, never who they
    were; ``data`` holds further sums (goals done, a rating's count) or a pulse round's result."""

    __tablename__ = "release_cell"
    __table_args__ = (
        UniqueConstraint("program_id", "series", "released_on"),
        CheckConstraint("contributors >= 0", name="contributors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    series: Mapped[str] = mapped_column(String(40))  # "prompts", "metric:<id>", "pulse:<round number>", ...
    released_on: Mapped[date]  # the release's day (program time)
    through: Mapped[datetime]  # the window's end: the next cell of the series holds what settled after it
    contributors: Mapped[int]
    num: Mapped[float]
    den: Mapped[float]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
