"""Text safety for Slack: user text is escaped before anyone else sees it."""

from __future__ import annotations

import re

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,30}$")


def escape_mrkdwn(value: str) -> str:
    """Escape the three characters Slack treats as control sequences in mrkdwn.

    ``<!channel>``, ``<@U123>`` and ``<http://x|disguised>`` all start with ``<``; once escaped they show as
    typed and notify nobody.
    """
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean(value: str) -> str:
    """Text as it may be stored and sent on: without NUL (which PostgreSQL refuses in text) and without lone
    surrogates (which are not UTF-8); everything else a person typed stays."""
    return _UNSAFE.sub("", value) if _UNSAFE.search(value) else value


def clean_payload(value: object) -> object:
    """``clean`` applied to every string in a decoded JSON payload, in place for dicts and lists."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = clean_payload(item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = clean_payload(item)
    return value


def mention(user_id: str) -> str:
    """A user mention built by Tandem itself from a validated user id."""
    if not _USER_ID.match(user_id):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    if not _CHANNEL_ID.match(channel_id):
        raise ValueError(f"not a Slack channel id: {channel_id!r}")
    return f"<#{channel_id}>"


def truncate(value: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``value`` to at most ``limit`` characters, marking the cut."""
    if len(value) <= limit:
        return value
    return value[: max(0, limit - len(ellipsis))] + ellipsis
