"""users.info -> SlackProfile."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services.people import SlackProfile


def lookup_profile(client: WebClient, user_id: str) -> SlackProfile:
    user = client.users_info(user=user_id, include_locale=True)["user"]
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name") or user_id
    )
    return SlackProfile(name=name, tz=user.get("tz"), slack_locale=user.get("locale"))
