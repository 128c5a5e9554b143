from __future__ import annotations

from datetime import datetime
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
    # Set when the app was uninstalled (or its bot token revoked): Tandem stops acting here until a reinstall.
    uninstalled_at: Mapped[datetime | None]
    # The custom Slack profile field that names each person's manager (its id, e.g. "Xf01ABCDEF"), when hosts
    # map one (/tandem admin orgchart): a source of reporting lines (bot.models.reporting).
    manager_field_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
