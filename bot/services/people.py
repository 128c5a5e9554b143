"""Workspaces and the people Tandem meets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks.common import welcome_dm
from bot.i18n import locale_from_slack
from bot.models import Participant, Workspace
from bot.services import outbox


@dataclass(frozen=True)
class SlackProfile:
    """What Slack's users.info tells us about a person."""

    name: str
    tz: str | None
    slack_locale: str | None


def valid_tz(tz: str | None) -> str:
    """Slack's IANA zone if Python knows it, else UTC."""
    if not tz:
        return "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return tz


def find_workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.team_id == team_id))


def get_or_create_workspace(session: Session, *, team_id: str, bot_user_id: str | None, now: datetime) -> Workspace:
    """The workspace row for ``team_id``, created on first contact."""
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if workspace is None:
        try:
            with session.begin_nested():
                workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id, created_at=now)
                session.add(workspace)
        except IntegrityError:  # another process created it first
            workspace = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one()
    elif bot_user_id and workspace.bot_user_id != bot_user_id:
        workspace.bot_user_id = bot_user_id
    return workspace


def find_participant(session: Session, *, team_id: str, user_id: str) -> Participant | None:
    return session.scalar(
        select(Participant).join(Workspace).where(Workspace.team_id == team_id, Participant.slack_user_id == user_id)
    )


def locale_of(session: Session, *, team_id: str, user_id: str, lookup: Callable[[str], SlackProfile]) -> str:
    """The language to address ``user_id`` in: their stored choice, else their Slack locale."""
    found = find_participant(session, team_id=team_id, user_id=user_id)
    if found is not None:
        return found.locale
    return locale_from_slack(lookup(user_id).slack_locale)


def get_or_register(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    bot_user_id: str | None,
    lookup: Callable[[str], SlackProfile],
    now: datetime,
    welcome: bool = True,
) -> Participant:
    """The person behind ``user_id``; on first contact their name, time zone and language come from Slack
    and a welcome DM is queued in the same transaction. Commits."""
    workspace = get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    participant = session.scalar(
        select(Participant).where(Participant.workspace_id == workspace.id, Participant.slack_user_id == user_id)
    )
    if participant is not None:
        session.commit()
        return participant
    profile = lookup(user_id)
    participant = Participant(
        workspace_id=workspace.id,
        slack_user_id=user_id,
        display_name=profile.name,
        tz=valid_tz(profile.tz),
        locale=locale_from_slack(profile.slack_locale),
        welcomed_at=now if welcome else None,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(participant)
    except IntegrityError:  # registered concurrently by another request
        session.commit()
        found = find_participant(session, team_id=team_id, user_id=user_id)
        assert found is not None
        return found
    if welcome:
        _queue_welcome(session, workspace=workspace, participant=participant, team_id=team_id, now=now)
    session.commit()
    return participant


def _queue_welcome(
    session: Session, *, workspace: Workspace, participant: Participant, team_id: str, now: datetime
) -> None:
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=participant.slack_user_id,
        message=welcome_dm(participant.locale, name=participant.display_name),
        now=now,
        about=outbox.About.of(people=[participant]),
        dedupe_key=f"welcome:{team_id}:{participant.slack_user_id}",
    )
