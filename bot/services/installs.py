"""Workspaces installing and uninstalling Tandem (several workspaces, OAuth).

An uninstalled workspace keeps its data (a reinstall brings it back), but Tandem stops acting for it: what its
outbox still holds is parked with the reason ``uninstalled``, now and on every clock tick, so nothing reaches
Slack for it until it is installed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, Table, inspect, select, update
from sqlalchemy.orm import Session

from bot.models import OutboxMessage, OutboxStatus, Workspace
from bot.services.people import find_workspace, get_or_create_workspace

UNINSTALLED = "uninstalled"  # the outbox's last_error for what was parked because of it


def installed(
    session: Session, *, team_id: str, name: str | None, bot_user_id: str | None, now: datetime
) -> tuple[Workspace, bool]:
    """Record an installation: the workspace row, created or refreshed (name, bot user), and no longer uninstalled.
    Returns it and whether it is new. Commits."""
    existed = find_workspace(session, team_id=team_id) is not None
    workspace = get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    if name:
        workspace.name = name[:200]
    workspace.uninstalled_at = None
    session.commit()
    return workspace, not existed


def forget_installer(session: Session, *, team_id: str) -> int:
    """slack_sdk's installation store keeps who installed the app (``user_id``, not null) though Tandem never reads
    it (it authorizes with the bot token alone): emptied, with any user token. Returns how many rows. Commits."""
    bind = session.get_bind()
    if not inspect(bind).has_table("slack_installations"):
        return 0
    table = Table("slack_installations", MetaData(), autoload_with=bind)
    result = session.execute(
        update(table)
        .where(table.c.team_id == team_id, table.c.user_id != "")
        .values(user_id="", user_token=None, user_scopes=None, user_refresh_token=None, user_token_expires_at=None)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def uninstalled(session: Session, *, team_id: str, now: datetime) -> int:
    """The app was uninstalled from ``team_id`` (or its bot token revoked): mark the workspace and park what its
    outbox still holds. Returns how many messages were parked. Commits."""
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        return 0
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
    parked = _park(session, [workspace.id], now=now)
    session.commit()
    return parked


def park_uninstalled(session: Session, now: datetime) -> int:
    """Clock: park the pending messages of uninstalled workspaces, also those this tick's jobs just queued (it runs
    last). Does not commit."""
    ids = list(session.scalars(select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))))
    return _park(session, ids, now=now) if ids else 0


def _park(session: Session, workspace_ids: list[int], *, now: datetime) -> int:
    session.flush()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.workspace_id.in_(workspace_ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.PARKED, last_error=UNINSTALLED, parked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
