"""Messages to someone Tandem does not store, sent at once instead of through the outbox (which keeps what it
sends, and so would keep who it went to): the welcome and the answer to a DM."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import welcome_dm

HISTORY = 20  # the DM's latest messages looked at for one of Tandem's own


def dm_channel(client: WebClient, user_id: str) -> str:
    """The person's DM with Tandem (``conversations.open`` finds the one that exists)."""
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def welcome_once(
    client: WebClient, *, user_id: str, bot_user_id: str | None, locale: str, name: str, channel: str | None = None
) -> bool:
    """The welcome DM, unless Tandem has written in the person's DM before: Slack's history says so, nothing is
    remembered here. Returns whether it was sent."""
    channel = channel or dm_channel(client, user_id)
    history = client.conversations_history(channel=channel, limit=HISTORY)
    for message in history.get("messages") or []:
        if message.get("bot_id") or (bot_user_id and message.get("user") == bot_user_id):
            return False
    client.chat_postMessage(channel=channel, **welcome_dm(locale, name=name))
    return True


def answer(client: WebClient, *, channel: str, message: dict[str, Any]) -> None:
    """Post ``message`` into ``channel`` (a DM) now."""
    client.chat_postMessage(channel=channel, **message)
