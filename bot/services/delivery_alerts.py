"""Telling the hosts when Tandem gave up on messages: once an hour at most, per workspace, in its admin channel,
the count of messages parked in the past hour by Web API method and Slack error. Counts only: never to whom or
what (the outbox ids are in the logs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from bot.blocks.admin import note
from bot.models import OutboxMessage, OutboxStatus, Program, Workspace
from bot.services import outbox

KEY = "outbox-parked:"  # + workspace id + ":" + the hour (its own alerts are never counted)
WINDOW = timedelta(hours=1)


def _locale(session: Session, workspace_id: int) -> str:
    newest = session.scalar(_NEWEST_LOCALE, {"workspace_id": workspace_id})
    return newest or "en"


def _window(now: datetime) -> tuple[datetime, datetime]:
    """The last full hour before ``now``: the parked messages an alert at ``now`` counts."""
    end = now.replace(minute=0, second=0, microsecond=0)
    return end - WINDOW, end


def _key(workspace_id: int, start: datetime) -> str:
    return f"{KEY}{workspace_id}:{start.isoformat()}"


def _counted() -> list[ColumnElement[bool]]:
    """Parked messages an alert counts: all but the alerts themselves."""
    return [
        OutboxMessage.status == OutboxStatus.PARKED,
        ~func.coalesce(OutboxMessage.dedupe_key, "").startswith(KEY),
    ]


# Built once: the clock asks every minute (building a statement costs more CPU than the query). Bind parameters:
# ``start``/``end`` (the hour counted), ``keys``/``key`` (alerts' dedupe keys), ``workspace_id``.
_TOLD = Workspace.admin_channel_id.is_not(None) & (Workspace.admin_channel_id != "")
_PARKED_COUNTS = (
    select(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error, func.count())
    .where(*_counted(), OutboxMessage.parked_at >= bindparam("start"), OutboxMessage.parked_at < bindparam("end"))
    .group_by(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error)
    .order_by(OutboxMessage.workspace_id, OutboxMessage.method, OutboxMessage.last_error)
)
_WAITING = (
    select(OutboxMessage.workspace_id)
    .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
    .where(*_counted(), _TOLD)
    .where(OutboxMessage.parked_at >= bindparam("start"), OutboxMessage.parked_at < bindparam("end"))
    .distinct()
)
_FIRST_AFTER = (
    select(func.min(OutboxMessage.parked_at))
    .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
    .where(*_counted(), _TOLD, OutboxMessage.parked_at >= bindparam("end"))
)
_SENT_KEYS = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(bindparam("keys", expanding=True)))
_SENT_KEY = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == bindparam("key"))
_NEWEST_LOCALE = (
    select(Program.default_locale)
    .where(Program.workspace_id == bindparam("workspace_id"))
    .order_by(Program.id.desc())
    .limit(1)
)


def due(session: Session, now: datetime) -> int:
    """Clock: for the last full hour, one alert per workspace that had messages parked. Does not commit."""
    start, end = _window(now)
    rows = session.execute(_PARKED_COUNTS, {"start": start, "end": end}).all()
    by_workspace: dict[int, list[tuple[str, str, int]]] = {}
    for workspace_id, method, error, count in rows:
        by_workspace.setdefault(workspace_id, []).append((method, (error or "unknown")[:60], int(count)))
    sent = 0
    for workspace_id, problems in by_workspace.items():
        workspace = session.get(Workspace, workspace_id)
        key = _key(workspace_id, start)
        if workspace is None or not workspace.admin_channel_id:
            continue
        if session.scalar(_SENT_KEY, {"key": key}) is not None:
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


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` acts next (``bot.services.ticks.NextDue``): now while a workspace with an admin channel had
    messages parked in the last full hour and was not told yet; else the end of the hour of the first message parked
    since (it is told then); None when there is none. A workspace without an admin channel waits for one."""
    start, end = _window(now)
    waiting = session.scalars(_WAITING, {"start": start, "end": end}).all()
    keys = [_key(workspace_id, start) for workspace_id in waiting]
    if keys:
        sent = set(session.scalars(_SENT_KEYS, {"keys": keys}))
        if any(key not in sent for key in keys):
            return now
    first = session.scalar(_FIRST_AFTER, {"end": end})
    return None if first is None else _window(first)[1] + WINDOW
