"""Telling the hosts when Tandem gave up on messages: once an hour at most, per workspace, in its admin channel,
the count of messages parked in the past hour by Web API method and Slack error. Counts only: never to whom or
what (the outbox ids are in the logs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks.admin import note
from bot.models import OutboxMessage, OutboxStatus, Program, Workspace
from bot.services import outbox

KEY = "outbox-parked:"  # + workspace id + ":" + the hour (its own alerts are never counted)
WINDOW = timedelta(hours=1)


def _locale(session: Session, workspace_id: int) -> str:
    newest = session.scalar(
        select(Program.default_locale).where(Program.workspace_id == workspace_id).order_by(Program.id.desc())
    )
    return newest or "en"


def due(session: Session, now: datetime) -> int:
    """Clock: for the last full hour, one alert per workspace that had messages parked. Does not commit."""
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - WINDOW
    rows = session.execute(
        select(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error, func.count())
        .where(
            OutboxMessage.status == OutboxStatus.PARKED,
            OutboxMessage.parked_at >= start,
            OutboxMessage.parked_at < end,
            ~func.coalesce(OutboxMessage.dedupe_key, "").startswith(KEY),
        )
        .group_by(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error)
        .order_by(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error)
    ).all()
    by_workspace: dict[int, list[tuple[str, str, int]]] = {}
    for workspace_id, method, error, count in rows:
        by_workspace.setdefault(workspace_id, []).append((method, (error or "unknown")[:60], int(count)))
    sent = 0
    for workspace_id, problems in by_workspace.items():
        workspace = session.get(Workspace, workspace_id)
        key = f"{KEY}{workspace_id}:{start.isoformat()}"
        if workspace is None or not workspace.admin_channel_id:
            continue
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
            continue
        details = ", ".join(f"{method} ({error}) × {count}" for method, error, count in problems)
        outbox.post(
            session,
            workspace_id=workspace_id,
            channel=workspace.admin_channel_id,
            message=note(
                _locale(session, workspace_id),
                "delivery_parked",
                count=sum(c for *_, c in problems),
                details=details,
            ),
            now=now,
            about=outbox.NOBODY,  # counts by method and Slack error, never to whom
            dedupe_key=key,
        )
        sent += 1
    return sent
