"""Messages Tandem posts as answers or announcements, through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.models import Participant
from bot.services import outbox, people


def reply_in_dm(
    session: Session, *, participant: Participant, message: dict[str, Any], cause: str, now: datetime
) -> None:
    """Answer a person in their DM with Tandem, once per ``cause``. Commits."""
    outbox.post(
        session,
        workspace_id=participant.workspace_id,
        channel=participant.slack_user_id,
        message=message,
        now=now,
        about=outbox.About.of(people=[participant]),
        dedupe_key=f"{cause}:reply",
    )
    session.commit()


def post_to_channel(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    channel_id: str,
    message: dict[str, Any],
    cause: str,
    now: datetime,
) -> None:
    """Post into a channel, once per ``cause`` (a message about no one: Tandem's own hello). Commits."""
    workspace = people.get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=channel_id,
        message=message,
        now=now,
        about=outbox.NOBODY,
        dedupe_key=f"{cause}:post",
    )
    session.commit()
