from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Workspace(Base):
    """A Slack workspace (team) where Tandem is installed."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    # The private channel hosts claimed with `/tandem admin setup`; hosts are its members.
    admin_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Who the hosts are: the admin channel's members as Slack last said, and when we asked (a brief cache).
    admin_members: Mapped[list[Any]] = mapped_column(default=list)
    admin_members_fetched_at: Mapped[datetime | None]
    # What was wrong with the admin channel when Slack was last asked, with the members (bot.domain.hosts: "public",
    # "archived", "shared", comma-separated); None while it is private, not archived and not shared. While it is set
    # nobody is a host, and ``admin_members`` keeps the hosts as they were before.
    admin_channel_problems: Mapped[str | None] = mapped_column(String(64))
    # When those hosts were told by DM how to fix it; cleared when the channel is fine again (told once per breakage).
    admin_channel_warned_at: Mapped[datetime | None]
    # The day (UTC) the clock last forgot the workspace's people who never joined a program (bot.services.retention).
    people_checked_on: Mapped[date | None]
    # Set when the app was uninstalled (or its bot token revoked): Tandem stops acting here until a reinstall.
    uninstalled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
