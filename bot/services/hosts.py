"""Hosts are exactly the members of the workspace's private admin channel (asked of Slack, cached briefly)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.models import Workspace
from bot.services import people

MEMBERS_TTL = timedelta(seconds=60)

MembersLookup = Callable[[str], list[str]]


class Refusal(enum.StrEnum):
    NOT_SET_UP = "not_set_up"  # no admin channel yet
    WRONG_CHANNEL = "wrong_channel"  # admin commands run in the admin channel only
    NOT_HOST = "not_host"
    NOT_PRIVATE = "not_private"  # setup: the admin channel must be private
    NOT_ALLOWED = "not_allowed"  # setup: only workspace admins/owners or existing hosts


@dataclass(frozen=True)
class Verdict:
    workspace: Workspace
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def host_ids(session: Session, workspace: Workspace, *, members: MembersLookup, now: datetime) -> set[str]:
    """The hosts' Slack user ids: the admin channel's members, refreshed when older than MEMBERS_TTL."""
    if not workspace.admin_channel_id:
        return set()
    fetched = workspace.admin_members_fetched_at
    if fetched is None or now - fetched > MEMBERS_TTL or now < fetched:
        workspace.admin_members = sorted(set(members(workspace.admin_channel_id)))
        workspace.admin_members_fetched_at = now
        session.commit()
    return set(workspace.admin_members) - {workspace.bot_user_id}


def forget_members(session: Session, *, team_id: str, channel_id: str) -> None:
    """Someone joined or left the admin channel: ask Slack again next time. Commits."""
    workspace = people.find_workspace(session, team_id=team_id)
    if workspace is not None and workspace.admin_channel_id == channel_id:
        workspace.admin_members_fetched_at = None
        session.commit()


def authorize(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    user_id: str,
    channel_id: str | None,
    members: MembersLookup,
    now: datetime,
    anywhere: bool = False,
) -> Verdict:
    """May ``user_id`` run an admin action in ``channel_id``? Changes nothing but the members cache."""
    workspace = people.get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    session.commit()
    if not workspace.admin_channel_id:
        return Verdict(workspace, Refusal.NOT_SET_UP)
    if user_id not in host_ids(session, workspace, members=members, now=now):
        return Verdict(workspace, Refusal.NOT_HOST)
    if not anywhere and channel_id != workspace.admin_channel_id:
        return Verdict(workspace, Refusal.WRONG_CHANNEL)
    return Verdict(workspace)


def claim_admin_channel(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    user_id: str,
    channel_id: str,
    channel_is_private: bool,
    user_is_workspace_admin: bool,
    members: MembersLookup,
    now: datetime,
) -> Verdict:
    """``/tandem admin setup``: make ``channel_id`` the admin channel. Allowed for workspace admins and owners
    and for existing hosts; the channel must be private. Commits only when it succeeds."""
    workspace = people.get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    session.commit()
    is_host = user_id in host_ids(session, workspace, members=members, now=now)
    if not (user_is_workspace_admin or is_host):
        return Verdict(workspace, Refusal.NOT_ALLOWED)
    if not channel_is_private:
        return Verdict(workspace, Refusal.NOT_PRIVATE)
    workspace.admin_channel_id = channel_id
    workspace.admin_members_fetched_at = None
    session.commit()
    host_ids(session, workspace, members=members, now=now)
    return Verdict(workspace)
