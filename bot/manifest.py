"""Tandem's Slack app manifest, the app's one definition: ``tandem manifest`` prints it for Socket Mode (the
default), for HTTP request URLs (``--http https://host``) or for installing in several workspaces over OAuth
(``--oauth``). ``manifest.yml`` in the repository is the Socket Mode variant, written by ``tandem manifest >
manifest.yml`` (a test checks it is up to date); the bot scopes Tandem asks for on install come from here too.

Each scope and each event carries the reason Tandem needs it; the YAML shows the reasons as comments.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.ids import ID

EVENTS_PATH = "/slack/events"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"

# bot scope -> why Tandem asks for it (the fewest that do; tests/test_manifest.py holds the list)
SCOPES: dict[str, str] = {
    "chat:write": "messages in DMs, group DMs and the admin channel",
    "commands": "/tandem",
    "im:history": "message.im: answers typed in the DM with Tandem",
    "im:write": "open the DM with a participant",
    "mpim:history": "message.mpim: a pair's replies in its group DM",
    "mpim:write": "open a pair's group DM",
    "users:read": "users.info: name, time zone, locale, admin flags",
    "users:read.email": "users.lookupByEmail: an org chart's people given by e-mail (looked up, never stored)",
    "users.profile:read": "team.profile.get / users.profile.get: the profile field a workspace maps to managers",
    "channels:read": "member_joined_channel in public channels; members of a channel to invite",
    "groups:read": "member_joined_channel in the private admin channel; who the hosts are",
    "groups:write": (
        "conversations.invite: alumni a host picks join the private admin channel as co-hosts; the peer circle:"
        " conversations.create, .invite and .kick of each side's private channel"
    ),
    "files:write": "/tandem notes export: the notes as a Markdown file in the person's DM",
    "files:read": "files.info and url_private: the org-chart CSV a host uploads in the import modal",
    "channels:history": "a message whose delivery is in doubt is looked up by its key before a resend",
    "groups:history": "the same in the private admin channel (digests, charts)",
}

# bot event -> why Tandem listens to it ("" when the event's name says it)
EVENTS: dict[str, str] = {
    "app_home_opened": "the Home tab",
    "message.im": "answers typed in the DM with Tandem",
    "message.mpim": "a pair's replies in its group DM",
    "member_joined_channel": "someone joined the community or the admin channel",
    "member_left_channel": "someone left it",
    "channel_archive": "the admin channel archived, unarchived, shared with another organisation or no longer:",
    "group_archive": "host authority holds only while it is private, not archived, not shared (checked again)",
    "channel_unarchive": "",
    "group_unarchive": "",
    "channel_shared": "",
    "channel_unshared": "",
    "app_uninstalled": "the app was removed from a workspace: its installation is deleted, Tandem stops there",
    "tokens_revoked": "the same when the bot token is revoked",
}

LONG_DESCRIPTION = (
    "Tandem runs reverse-mentoring programs inside Slack. Some colleagues bring digital routines, social-media and"
    " no-code skills and a fresh user's eye, others bring context, stakeholder logic and a feel for risk, and many"
    " bring some of both. Tandem interviews participants by DM, pairs them thoughtfully, and keeps each pair learning"
    " week after week in its own asynchronous thread, in English and German."
)


class BadURL(ValueError):
    """A public URL Slack cannot use; ``str(err)`` is one line saying what is wrong."""


def public_url(url: str) -> str:
    """``https://host[:port]`` as Slack needs it for request URLs (no path: Tandem adds its own), without a trailing
    slash. Raises BadURL with one line."""
    example = "e.g. https://tandem.example.com"
    parts = urlsplit(url.strip())
    if parts.scheme != "https":
        raise BadURL(f"{url!r} must start with https:// (Slack sends requests only to HTTPS), {example}")
    try:
        port = parts.port
    except ValueError:
        raise BadURL(f"{url!r} has a bad port, {example}") from None
    host = parts.hostname or ""
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*", host):
        raise BadURL(f"{url!r} has no valid host name, {example}")
    if parts.username or parts.password:
        raise BadURL(f"{url!r} must not carry a user or password, {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadURL(
            f"{url!r} must be the server's address only, without a path (Tandem adds {EVENTS_PATH}), {example}"
        )
    return f"https://{host.lower()}" + (f":{port}" if port is not None else "")


def build(http: str | None = None, *, oauth: bool = False) -> dict[str, Any]:
    """The manifest as data: Socket Mode without ``http``; request URLs under ``http`` (checked by
    :func:`public_url`) with it; with ``oauth`` also the redirect URL (needs ``http``)."""
    base = public_url(http) if http is not None else None
    if oauth and base is None:
        raise BadURL("--oauth needs --http URL: installing over OAuth needs Tandem's public address")
    command: dict[str, Any] = {
        "command": "/tandem",
        "description": "Tandem reverse mentoring (try /tandem help)",
        "usage_hint": "help",
        "should_escape": True,
    }
    if base:
        command = {
            "command": "/tandem",
            "url": base + EVENTS_PATH,
            **{k: v for k, v in command.items() if k != "command"},
        }
    manifest: dict[str, Any] = {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Tandem",
            "description": "Reverse mentoring, asynchronously, one week at a time.",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#2d5a4a",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Tandem", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "Save to Tandem notes",
                    "type": "message",
                    "callback_id": ID.NOTE_SHORTCUT.value,
                    "description": "Save this message (its text, link and files) to your tandem's notes",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": list(SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": base is None,
            "token_rotation_enabled": False,
        },
    }
    if base:
        manifest["settings"]["event_subscriptions"] = {"request_url": base + EVENTS_PATH, "bot_events": list(EVENTS)}
        manifest["settings"]["interactivity"]["request_url"] = base + EVENTS_PATH
    if oauth:
        manifest["oauth_config"] = {"redirect_urls": [base + OAUTH_REDIRECT_PATH], **manifest["oauth_config"]}
    return manifest


def _header(http: str | None, oauth: bool) -> list[str]:
    lines = [
        "# Slack app manifest for Tandem, written by `tandem manifest` (bot/manifest.py): change it there, not here.",
        '# Create the app at api.slack.com/apps -> "From an app manifest" and paste this.',
    ]
    if http is None:
        lines += [
            "# Socket Mode: `tandem serve` connects out with SLACK_APP_TOKEN and needs no public URL.",
            "# For request URLs: `tandem manifest --http https://your.host`; for several workspaces: add --oauth.",
        ]
    elif not oauth:
        lines.append(
            "# Request URLs (HTTP mode): run `tandem serve` without SLACK_APP_TOKEN, reachable at this address."
        )
    else:
        lines.append(
            "# Several workspaces over OAuth: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead of SLACK_BOT_TOKEN,"
            " turn on Manage Distribution."
        )
    return lines


def render(http: str | None = None, *, oauth: bool = False) -> str:
    """The manifest as YAML, each scope's and event's reason as a comment on its line."""
    data = build(http, oauth=oauth)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    reasons = {**SCOPES, **EVENTS}
    width = max(map(len, reasons))
    out = _header(http, oauth)
    for line in text.splitlines():
        item = re.fullmatch(r"(\s*- )(\S+)", line)
        if item and reasons.get(item.group(2)):
            line = f"{item.group(1)}{item.group(2):<{width}}  # {reasons[item.group(2)]}"
        out.append(line)
    return "\n".join(out) + "\n"
