from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class HostRoleRow(Base):
    """Who hosts what (``bot.domain.hosts.HostRole``): a Tandem admin of the workspace (no program), or a host or
    co-host of one program. Being a member of the private admin channel is needed as well."""

    __tablename__ = "host_role"
    __table_args__ = (Index("ix_host_role_workspace_user", "workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[str | None] = mapped_column(String(32))
    granted_at: Mapped[datetime]


class HostConfirmation(Base):
    """An action that deletes or closes, asked for by one host and waiting for a second one
    (``bot.domain.hosts.Confirmable``): removing a person and their data, closing a program. ``target``: the
    person's Slack user id, or the program's id. Deleted once decided; forget-me of the person deletes it."""

    __tablename__ = "host_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
