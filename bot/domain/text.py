"""Text safety for Slack: user text is escaped before anyone else sees it."""

from __future__ import annotations

import re

# -- how much text Tandem takes in, in one place ---------------------------------------------------------------
# Modal inputs carry their own max_length (Slack stops people there as they type; each feature's domain module
# names its limit, and bot.blocks.inputs.text_input requires one). Text that arrives otherwise is held to these:
COMMAND_TEXT_MAX = 4000  # characters after ``/tandem``; longer is refused and echoed back, never cut
THREAD_REPLY_MAX = 4000  # a reply in a pair's week thread that becomes an answer
ECHO_CHUNK = 2900  # characters of refused text per section when it is shown back to its author
ECHO_BLOCKS_MAX = 45  # sections of echo in one message (Slack allows 50 blocks)


def echo_chunks(value: str) -> list[str]:
    """A refused text in pieces that, once escaped (``escape_mrkdwn``), fit one section each, so its author can
    copy it all back; at most ``ECHO_BLOCKS_MAX`` pieces."""
    pieces: list[str] = []
    start, size = 0, 0
    for i, char in enumerate(value):
        cost = _ESCAPED_SIZE.get(char, 1)
        if size + cost > ECHO_CHUNK:
            pieces.append(value[start:i])
            if len(pieces) == ECHO_BLOCKS_MAX:
                return pieces
            start, size = i, 0
        size += cost
    if start < len(value):
        pieces.append(value[start:])
    return pieces[:ECHO_BLOCKS_MAX]


_ESCAPED_SIZE = {"&": 5, "<": 4, ">": 4}


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


def file_slug(name: str, default: str = "program") -> str:
    """A name as part of a file name: "Pilot 2027 · Cohort 2" -> "pilot-2027---cohort-2" (``default`` when nothing
    is left)."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or default
