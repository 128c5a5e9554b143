from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ReportingLine(Base):
    """Who reports to whom in a workspace, by Slack user id, as one source says it (``bot.domain.orgchart``):
    ``orgchart`` (a host's import; the next import replaces them all), ``slack_profile`` (the custom profile field
    the workspace maps) or ``interview`` (what the person told Tandem). Either person may be someone who never
    joined a program: a skip-level manager need not take part. Matching keeps reporting lines apart; nobody sees
    these rows in Slack."""

    __tablename__ = "reporting_line"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "person_slack_id"),
        CheckConstraint("source IN ('orgchart', 'slack_profile', 'interview')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    person_slack_id: Mapped[str] = mapped_column(String(40))
    manager_slack_id: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
