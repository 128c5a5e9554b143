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
