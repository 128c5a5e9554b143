"""The admin flow's questions to Slack, answered with a WebClient."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.hosts import ChannelStatus
from bot.flows.host import SlackUnavailable
from bot.services.people import SlackProfile
from bot.slack.invites import channel_members
from bot.slack.profiles import lookup_profile

log = logging.getLogger(__name__)

FILE_HOSTS = frozenset({"files.slack.com"})  # where Slack keeps uploaded files (url_private)
LOOKUP_TRIES = 5  # an e-mail lookup over Slack's rate limit waits for Retry-After and tries again, this often
DOWNLOAD_TIMEOUT = 30


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

    # -- reporting lines (bot.flows.orgchart) ---------------------------------------------------------------------
    def profile_fields(self) -> list[tuple[str, str]] | None:
        """The workspace's custom profile fields as (id, label) (``team.profile.get``); None when Slack won't say."""
        try:
            profile = self.client.team_profile_get()["profile"] or {}
        except SlackApiError as exc:
            log.warning("team.profile.get failed: %s", exc.response.get("error"))
            return None
        return [
            (str(f["id"]), str(f.get("label") or f["id"]))
            for f in profile.get("fields") or []
            if isinstance(f, dict) and f.get("id") and not f.get("is_hidden")
        ]

    def profile_value(self, user_id: str, field_id: str) -> str | None:
        """What a person's profile says in the custom field ``field_id`` (``users.profile.get``); None when it says
        nothing (or the person is gone). Raises SlackUnavailable when Slack does not answer."""
        data = self._call(
            lambda: self.client.users_profile_get(user=user_id), none_on=("user_not_found", "user_is_bot")
        )
        if data is None:
            return None
        fields = (data.get("profile") or {}).get("fields") or {}
        value = (fields.get(field_id) or {}).get("value") if isinstance(fields, dict) else None
        text = str(value).strip() if value else ""
        return text or None

    def lookup_email(self, email: str) -> str | None:
        """The Slack id of the member with this e-mail address (``users.lookupByEmail``), None if there is none (or
        it is a bot or a deactivated account). Raises SlackUnavailable when Slack does not answer."""
        data = self._call(lambda: self.client.users_lookupByEmail(email=email), none_on=("users_not_found",))
        user = (data or {}).get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return None
        return str(user["id"])

    def download(self, file: dict[str, Any], *, uploader: str, max_bytes: int) -> bytes | None:
        """The content of a file a person uploaded (a ``file_input``'s file object), at most ``max_bytes`` + 1
        bytes. What the submission says about the file is not trusted: ``files.info`` tells where it is and who
        uploaded it; only a file ``uploader`` uploaded, kept on Slack's file host, is fetched, with the bot token.
        None when it is not theirs or cannot be fetched."""
        file_id = str(file.get("id") or "") if isinstance(file, dict) else ""
        if not file_id:
            return None
        try:
            info = self.client.files_info(file=file_id)["file"] or {}
        except SlackApiError as exc:
            log.warning("files.info failed: %s", exc.response.get("error"))
            return None
        if info.get("user") != uploader:
            log.warning("an uploaded file was not the submitter's own; not fetched")
            return None
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        if not self._file_url_ok(url):
            log.warning("an uploaded file is not on Slack's file host; not fetched")
            return None
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.client.token}"})
        try:
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
                if "text/html" in (response.headers.get("Content-Type") or ""):
                    log.warning("Slack answered a file download with a page (no files:read scope?)")
                    return None
                return bytes(response.read(max_bytes + 1))
        except (urllib.error.URLError, OSError) as exc:
            log.warning("downloading an uploaded file failed: %s", type(exc).__name__)
            return None

    def _file_url_ok(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        api = urllib.parse.urlsplit(self.client.base_url)
        if parts.hostname in FILE_HOSTS:
            return parts.scheme == "https"
        return bool(parts.hostname) and parts.hostname == api.hostname and parts.scheme == api.scheme

    def _call(self, call: Any, *, none_on: tuple[str, ...]) -> dict[str, Any] | None:
        for attempt in range(LOOKUP_TRIES):
            try:
                return dict(call().data)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error in none_on:
                    return None
                if exc.response.status_code == 429 and attempt + 1 < LOOKUP_TRIES:
                    time.sleep(min(30, int(exc.response.headers.get("Retry-After", "1") or 1)))
                    continue
                raise SlackUnavailable(str(error)) from exc
        raise SlackUnavailable("ratelimited")
