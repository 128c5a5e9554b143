"""The admin flow's questions to Slack, answered with a WebClient."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.hosts import ChannelStatus
from bot.services.people import SlackProfile
from bot.slack.invites import channel_members
from bot.slack.profiles import lookup_profile


class SlackAdmin:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def members(self, channel_id: str) -> list[str]:
        try:
            return channel_members(self.client, channel_id)
        except SlackApiError:
            return []  # Tandem was removed from the admin channel: nobody is a host until it is back

    def is_workspace_admin(self, user_id: str) -> bool:
        user = self.client.users_info(user=user_id)["user"]
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def channel_status(self, channel_id: str) -> ChannelStatus | None:
        """Private, archived, shared with another workspace or organisation (``conversations.info``); None when
        Tandem cannot see the channel."""
        try:
            channel = self.client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError:
            return None
        return ChannelStatus.of(channel)

    def profile(self, user_id: str) -> SlackProfile:
        return lookup_profile(self.client, user_id)
