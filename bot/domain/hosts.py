"""What the admin channel must be for its members to be hosts, pure: private, not archived, not shared.

Hosts are the members of the workspace's admin channel. That holds only while the channel is what ``/tandem admin
setup`` made sure of: a private channel of this workspace alone. A channel a workspace admin turned public,
archived, or shared with another workspace or organisation (Slack Connect, an org-wide share, or an invitation to
share still pending) could be joined by anyone; while it is so, nobody is a host.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class ChannelProblem(enum.StrEnum):
    """What is wrong with the admin channel, in the order the hosts are told (and how they fix it)."""

    PUBLIC = "public"  # make it private again (or set up a new private channel)
    ARCHIVED = "archived"  # unarchive it
    SHARED = "shared"  # stop sharing it with the other workspace or organisation


# conversations.info's flags that say another workspace or organisation is (or is about to be) in the channel
SHARED_FLAGS = ("is_shared", "is_ext_shared", "is_org_shared", "is_pending_ext_shared")


@dataclass(frozen=True)
class ChannelStatus:
    """The admin channel as Slack describes it (``conversations.info``)."""

    private: bool
    archived: bool
    shared: bool

    @classmethod
    def of(cls, channel: Mapping[str, Any]) -> ChannelStatus:
        """From ``conversations.info``'s ``channel``. A DM or group DM is never a private channel."""
        private = bool(channel.get("is_private")) and not channel.get("is_im") and not channel.get("is_mpim")
        return cls(
            private=private,
            archived=bool(channel.get("is_archived")),
            shared=any(bool(channel.get(flag)) for flag in SHARED_FLAGS),
        )

    def problems(self) -> list[ChannelProblem]:
        found = []
        if not self.private:
            found.append(ChannelProblem.PUBLIC)
        if self.archived:
            found.append(ChannelProblem.ARCHIVED)
        if self.shared:
            found.append(ChannelProblem.SHARED)
        return found


def encode(problems: Iterable[ChannelProblem | str]) -> str | None:
    """The problems as the workspace row keeps them: comma-separated, or None when there is none."""
    names = [str(p) for p in problems]
    return ",".join(names) if names else None


def decode(stored: str | None) -> list[ChannelProblem]:
    """The problems a workspace row keeps (unknown words are read as "public": never as "fine")."""
    if not stored:
        return []
    out: list[ChannelProblem] = []
    for word in stored.split(","):
        try:
            problem = ChannelProblem(word.strip())
        except ValueError:
            problem = ChannelProblem.PUBLIC
        if problem not in out:
            out.append(problem)
    return out


# -- who hosts what ----------------------------------------------------------------------------------------------
class HostRole(enum.StrEnum):
    """What someone in the admin channel may do. Being in the private admin channel is still needed (above); a role
    says which programs they see and act on."""

    ADMIN = "admin"  # a Tandem admin of the workspace: every program, and who hosts what
    HOST = "host"  # a host of one program: all of it, and who hosts and co-hosts it
    COHOST = "cohost"  # a co-host of one program (a cohort): all of it but who hosts it


@dataclass(frozen=True)
class Scope:
    """The programs one person may see and act on as a host, from their roles."""

    admin: bool = False
    hosts: frozenset[int] = frozenset()  # programs they host
    cohosts: frozenset[int] = frozenset()  # programs they co-host

    @classmethod
    def of(cls, roles: Iterable[tuple[str, int | None]]) -> Scope:
        """From (role, program id) rows; an unknown role or a program role without a program counts for nothing."""
        admin, hosts, cohosts = False, set(), set()
        for role, program_id in roles:
            if role == HostRole.ADMIN:
                admin = True
            elif role == HostRole.HOST and program_id is not None:
                hosts.add(program_id)
            elif role == HostRole.COHOST and program_id is not None:
                cohosts.add(program_id)
        return cls(admin, frozenset(hosts), frozenset(cohosts))

    @property
    def any(self) -> bool:
        """Hosts anything at all."""
        return self.admin or bool(self.hosts or self.cohosts)

    def sees(self, program_id: int | None) -> bool:
        return program_id is not None and (self.admin or program_id in self.hosts or program_id in self.cohosts)

    def manages(self, program_id: int | None) -> bool:
        """May change who hosts and co-hosts the program."""
        return program_id is not None and (self.admin or program_id in self.hosts)


def audience_is_everyone(members: Iterable[str], may_see: Iterable[str]) -> bool:
    """Whether everyone in the admin channel (``members``) may see a program (``may_see``): only then does a post
    about it go to the channel; Slack shows a private channel's history to all its members, later ones included."""
    return set(members) <= set(may_see)


# -- a second host's confirmation --------------------------------------------------------------------------------
class Confirmable(enum.StrEnum):
    """Host actions that delete or close: asked for by one host, done when a second one confirms."""

    REMOVE = "remove"  # a person and all their data (``/tandem admin remove``)
    CLOSE = "close"  # a program, for good
    THRESHOLD = "threshold"  # the pulse's threshold lowered: later rounds show results from fewer answers


CONFIRM_WITHIN_DAYS = 7  # a request nobody decided on within a week has lapsed


def confirmers(may_see: Iterable[str], members: Iterable[str], requester: str) -> set[str]:
    """Who may confirm: the others in the admin channel who may see what it concerns. Empty: nobody can, so the
    action is done at once and every host who may see it is told."""
    return (set(may_see) & set(members)) - {requester}


def decision_problem(*, requester: str, decider: str, age_days: float) -> str | None:
    """Why ``decider`` may not confirm now ("self": the one who asked; "expired"), or None."""
    if decider == requester:
        return "self"
    if age_days > CONFIRM_WITHIN_DAYS:
        return "expired"
    return None
