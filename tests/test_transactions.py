"""A transaction is all or nothing on both databases, also when its first write is inside a savepoint."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import OutboxMessage, Workspace
from bot.services import outbox

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def test_a_message_queued_in_a_savepoint_is_gone_after_the_rollback(session_factory: sessionmaker[Session]) -> None:
    # outbox.enqueue writes inside a savepoint; on SQLite (Python's sqlite3 begins only before a write, not before a
    # SAVEPOINT) its RELEASE used to commit the row, so a tick that lost its minute to another clock kept it queued
    with session_factory() as s:
        workspace = Workspace(team_id="T0SAVEPOINT", bot_user_id="UB", created_at=NOW)
        s.add(workspace)
        s.commit()
        before = s.scalar(select(func.count()).select_from(OutboxMessage))
        s.rollback()
        payload = {"channel": "C1", "text": "x"}
        queued = outbox.enqueue(
            s, workspace_id=workspace.id, method="chat.postMessage", payload=payload, now=NOW, about=outbox.About()
        )
        assert queued.id is not None  # written (in its savepoint)
        s.rollback()
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == before
