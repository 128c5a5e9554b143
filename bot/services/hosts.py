"""Hosts are members of the workspace's admin channel, while that channel is private, not archived and not shared
with another workspace or organisation (asked of Slack together, cached briefly), who hold a role
(``bot.services.roles``): a Tandem admin sees every program, a host or co-host only theirs.

Every place that decides whether someone is a host asks :func:`standing` (through :func:`authorize` for host
actions): while the channel is public, archived or shared (``bot.domain.hosts``) nobody is a host, every host action
is refused, and the hosts as they were last known are told once by DM how to fix it. The members are not asked of
Slack again while it is so: whoever joined meanwhile is not a host, and is not told.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.blocks import admin as blocks
from bot.domain.hosts import ChannelProblem, ChannelStatus, HostRole, Scope, decode, encode
from bot.i18n import locale_from_slack
from bot.models import Workspace
from bot.services import outbox, people, roles

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(seconds=60)
WARNED_KEY = "admin-channel-unsafe:"  # + workspace id + ":" + host + ":" + a random token: the hosts' DM


class HostsSlack(Protocol):
    """What deciding who the hosts are needs to ask Slack."""

    def members(self, channel_id: str) -> list[str]:
        """The channel's members ([] if Tandem cannot read it)."""
        ...

    def channel_status(self, channel_id: str) -> ChannelStatus | None:
        """What the channel is (``conversations.info``); None if Tandem cannot see it."""
        ...

    def profile(self, user_id: str) -> people.SlackProfile:
        """Name, time zone and language of a person (``users.info``)."""
        ...


class Refusal(enum.StrEnum):
    NOT_SET_UP = "not_set_up"  # no admin channel yet
    WRONG_CHANNEL = "wrong_channel"  # admin commands run in the admin channel only
    NOT_HOST = "not_host"
    NO_ROLE = "no_role"  # in the admin channel, but no admin, host or co-host role: an admin gives one
    UNSAFE = "channel_unsafe"  # the admin channel is public, archived or shared: nobody is a host until it is fixed
    NOT_PRIVATE = "not_private"  # setup: the admin channel must be private
    SETUP_ARCHIVED = "setup_archived"  # setup: not in an archived channel
    SETUP_SHARED = "setup_shared"  # setup: not in a channel shared with another workspace or organisation
    NOT_ALLOWED = "not_allowed"  # setup: only workspace admins/owners or existing hosts


SETUP_REFUSALS = {
    ChannelProblem.PUBLIC: Refusal.NOT_PRIVATE,
    ChannelProblem.ARCHIVED: Refusal.SETUP_ARCHIVED,
    ChannelProblem.SHARED: Refusal.SETUP_SHARED,
}


@dataclass(frozen=True)
class Standing:
    """Who the hosts are now; empty while the admin channel has ``problems``."""

    hosts: frozenset[str]
    problems: tuple[ChannelProblem, ...] = ()


NO_SCOPE = Scope()


@dataclass(frozen=True)
class Verdict:
    workspace: Workspace
    refusal: Refusal | None = None
    problems: tuple[ChannelProblem, ...] = ()
    scope: Scope = NO_SCOPE  # which programs they may see and act on (when not refused)

    @property
    def ok(self) -> bool:
        return self.refusal is None


def standing(session: Session, workspace: Workspace, *, slack: HostsSlack | None, now: datetime) -> Standing:
    """Who the hosts are, and what is wrong with the admin channel. With ``slack``, Slack is asked again (channel
    and members together) when the cache is older than ``MEMBERS_TTL`` (commits); without, the cache answers."""
    if not workspace.admin_channel_id:
        return Standing(frozenset())
    fetched = workspace.admin_members_fetched_at
    if slack is not None and (fetched is None or now - fetched > MEMBERS_TTL or now < fetched):
        _refresh(session, workspace, slack=slack, now=now)
    problems = tuple(decode(workspace.admin_channel_problems))
    if problems:
        return Standing(frozenset(), problems)
    return Standing(frozenset(set(workspace.admin_members) - {workspace.bot_user_id}))


def host_ids(session: Session, workspace: Workspace, *, slack: HostsSlack | None, now: datetime) -> set[str]:
    """The hosts' Slack user ids (none while the admin channel is public, archived or shared)."""
    return set(standing(session, workspace, slack=slack, now=now).hosts)


def _refresh(session: Session, workspace: Workspace, *, slack: HostsSlack, now: datetime) -> None:
    channel = workspace.admin_channel_id
    assert channel
    status = slack.channel_status(channel)
    problems = status.problems() if status is not None else []
    if problems:
        # the members are not asked again: the hosts stay as they were last known, and only they are told
        workspace.admin_channel_problems = encode(problems)
        if workspace.admin_channel_warned_at is None:
            workspace.admin_channel_warned_at = now
            _warn(session, workspace, problems, slack=slack, now=now)
    else:  # fine, or Tandem cannot see the channel (then nobody is a host: it has no members Tandem can read)
        before = set(workspace.admin_members or [])
        workspace.admin_members = sorted(set(slack.members(channel)))
        if workspace.admin_channel_problems is not None and status is not None:
            joined = set(workspace.admin_members) - before - {workspace.bot_user_id}
            _restored(session, workspace, joined=sorted(joined), now=now)
        workspace.admin_channel_problems = None
        workspace.admin_channel_warned_at = None
    workspace.admin_members_fetched_at = now
    session.commit()


def _warn(
    session: Session, workspace: Workspace, problems: list[ChannelProblem], *, slack: HostsSlack, now: datetime
) -> None:
    """A DM to each host as they were last known: what is wrong, that host actions stop, how to fix it. (Once per
    breakage: ``admin_channel_warned_at`` is set in the same transaction.)"""
    token = secrets.token_hex(8)
    for user_id in sorted(set(workspace.admin_members) - {workspace.bot_user_id}):
        try:
            locale = people.locale_of(
                session,
                team_id=workspace.team_id,
                user_id=user_id,
                lookup=slack.profile,
            )
        except Exception:  # Slack did not say: the message still goes, in English
            log.warning("admin channel warning: no language for a host", exc_info=True)
            locale = locale_from_slack(None)
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=user_id,
            message=blocks.channel_unsafe_dm(locale, channel=workspace.admin_channel_id or "", problems=problems),
            now=now,
            dedupe_key=f"{WARNED_KEY}{workspace.id}:{user_id}:{token}",
            about=outbox.About.of(users=[user_id]),
        )


def _restored(session: Session, workspace: Workspace, *, joined: list[str], now: datetime) -> None:
    """In the admin channel, once it is fine again: host actions work again; who joined while it was not is a host
    now too, named so that the hosts can remove anyone who should not be one."""
    from bot.services.escalations import hosts_locale

    locale = hosts_locale(session, workspace_id=workspace.id)
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=workspace.admin_channel_id or "",
        message=blocks.channel_restored(locale, joined=joined),
        now=now,
        dedupe_key=f"admin-channel-restored:{workspace.id}:{secrets.token_hex(8)}",
        about=outbox.About.of(users=joined),
    )


def forget_members(session: Session, *, team_id: str, channel_id: str, left: str | None = None) -> Workspace | None:
    """Someone joined or left the admin channel, or it changed: ask Slack again next time; one who ``left`` is no
    member from now on (posts about a program are routed by the members, ``outbox``). Commits. Returns the
    workspace when ``channel_id`` is its admin channel."""
    workspace = people.find_workspace(session, team_id=team_id)
    if workspace is not None and workspace.admin_channel_id and workspace.admin_channel_id == channel_id:
        workspace.admin_members_fetched_at = None
        if left and left in (workspace.admin_members or []):
            workspace.admin_members = [m for m in workspace.admin_members if m != left]
        session.commit()
        return workspace
    return None


def recheck(session: Session, *, team_id: str, channel_id: str, slack: HostsSlack, now: datetime) -> Standing | None:
    """Slack said the admin channel changed (archived, shared, unarchived, unshared ...): ask again now, so the hosts
    hear of a problem at once. None when ``channel_id`` is not an admin channel. Commits."""
    workspace = forget_members(session, team_id=team_id, channel_id=channel_id)
    if workspace is None:
        return None
    return standing(session, workspace, slack=slack, now=now)


def authorize(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    user_id: str,
    channel_id: str | None,
    slack: HostsSlack,
    now: datetime,
    anywhere: bool = False,
) -> Verdict:
    """May ``user_id`` run an admin action in ``channel_id``? Changes nothing but the hosts' cache (and, the first
    time the admin channel is seen public, archived or shared, queues the hosts' DM)."""
    workspace = people.get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    session.commit()
    if not workspace.admin_channel_id:
        return Verdict(workspace, Refusal.NOT_SET_UP)
    now_standing = standing(session, workspace, slack=slack, now=now)
    if now_standing.problems:
        return Verdict(workspace, Refusal.UNSAFE, now_standing.problems)
    if user_id not in now_standing.hosts:
        return Verdict(workspace, Refusal.NOT_HOST)
    if not anywhere and channel_id != workspace.admin_channel_id:
        return Verdict(workspace, Refusal.WRONG_CHANNEL)
    scope = roles.scope(session, workspace_id=workspace.id, user_id=user_id)
    if not scope.any:
        return Verdict(workspace, Refusal.NO_ROLE)
    return Verdict(workspace, scope=scope)


def may_set_up(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    user_id: str,
    is_workspace_admin: Callable[[], bool],
    slack: HostsSlack,
    now: datetime,
) -> Verdict:
    """May ``user_id`` make a channel the admin channel? Workspace admins and owners may, and the Tandem admins among
    the hosts (while the admin channel is public, archived or shared: the hosts as they were before). Slack is asked
    whether they are a workspace admin only when they are not one of those. Changes nothing but the hosts' cache."""
    workspace = people.get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    session.commit()
    now_standing = standing(session, workspace, slack=slack, now=now)
    last_known = set(workspace.admin_members) - {workspace.bot_user_id} if now_standing.problems else set()
    # a host of one program may not: setup makes everyone in the new channel a Tandem admin
    admin = roles.scope(session, workspace_id=workspace.id, user_id=user_id).admin
    if (admin and (user_id in now_standing.hosts or user_id in last_known)) or is_workspace_admin():
        return Verdict(workspace)
    return Verdict(workspace, Refusal.NOT_ALLOWED)


def claim_admin_channel(
    session: Session,
    *,
    team_id: str,
    bot_user_id: str | None,
    user_id: str,
    channel_id: str,
    status: ChannelStatus,
    user_is_workspace_admin: bool,
    slack: HostsSlack,
    now: datetime,
) -> Verdict:
    """``/tandem admin setup``: make ``channel_id`` the admin channel. Allowed for workspace admins and owners
    and for existing hosts (while the admin channel is public, archived or shared: the hosts as they were before);
    the channel must be private, not archived and not shared. Commits only when it succeeds."""
    allowed = may_set_up(
        session,
        team_id=team_id,
        bot_user_id=bot_user_id,
        user_id=user_id,
        is_workspace_admin=lambda: user_is_workspace_admin,
        slack=slack,
        now=now,
    )
    if not allowed.ok:
        return allowed
    workspace = allowed.workspace
    problems = status.problems()
    if problems:
        return Verdict(workspace, SETUP_REFUSALS[problems[0]], tuple(problems))
    workspace.admin_channel_id = channel_id
    workspace.admin_members_fetched_at = None
    workspace.admin_channel_problems = None
    workspace.admin_channel_warned_at = None
    session.commit()
    crew = standing(session, workspace, slack=slack, now=now).hosts | {user_id}
    # everyone in the channel as it is set up is a Tandem admin; who joins later needs a role (/tandem admin hosts)
    roles.grant(
        session,
        workspace_id=workspace.id,
        user_ids=sorted(crew),
        role=HostRole.ADMIN,
        program_id=None,
        by=None,
        now=now,
    )
    session.commit()
    return Verdict(workspace, scope=Scope(admin=True))


def post_to_hosts(
    session: Session,
    workspace: Workspace,
    *,
    program_id: int | None,
    message: Callable[[str], dict[str, Any]],
    now: datetime,
    cause: str,
    about: outbox.About,
    also: Iterable[str] = (),
) -> None:
    """Tell the hosts who may see the program (``program_id``; None: the admins) what ``message(locale)`` says.

    In the admin channel, or by DM to each member who may see it, in their language, as
    ``outbox.admin_channel_readers`` decides for every post to the admin channel. ``also``: people it is about who
    may not be in the channel yet (a new host), told by DM as well."""
    if not workspace.admin_channel_id:
        return
    from bot.services.escalations import hosts_locale

    members = set(workspace.admin_members or []) - {workspace.bot_user_id}
    may = roles.may_see(session, workspace_id=workspace.id, program_id=program_id)
    extra = (set(also) - members) & may
    readers = outbox.admin_channel_readers(session, workspace, program_id)
    fallback = hosts_locale(session, workspace_id=workspace.id)
    if readers is None:
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=message(fallback),
            now=now,
            about=about,
            dedupe_key=cause,
        )
        direct = extra
    else:
        direct = set(readers) | extra
    for user_id in sorted(direct):
        found = people.find_participant(session, team_id=workspace.team_id, user_id=user_id)
        locale = found.locale if found is not None else fallback
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=user_id,
            message=message(locale),
            now=now,
            about=about,
            dedupe_key=f"{cause}:{user_id}",
        )
