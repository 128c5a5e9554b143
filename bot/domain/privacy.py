"""Data rights, pure: what marks a forgotten person, and which stored texts still carry someone's words."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.domain.text import escape_mrkdwn

FORGOTTEN_PREFIX = "forgotten-"  # a forgotten person's row keeps only this and a random suffix as its Slack id
END_REASON = "left"  # a pair ended because one partner left Tandem (forget-me or removed by a host)
MIN_NEEDLE = 8  # shorter texts ("yes", "ok") are too common to tell a stored copy of someone's words
SNIPPET = 40  # a long text may have been cut where it was shown: its beginning is looked for too


def forgotten_id(token: str) -> str:
    """The Slack id column of a forgotten person: unlinkable (``token`` is random), never a valid Slack id."""
    return f"{FORGOTTEN_PREFIX}{token}"


def is_forgotten(slack_user_id: str) -> bool:
    return slack_user_id.startswith(FORGOTTEN_PREFIX)


def needles(texts: Iterable[str | None]) -> set[str]:
    """The strings that betray a stored copy of these texts: each text as typed, as Tandem escaped it for Slack,
    as JSON stores it, and the first ``SNIPPET`` characters of each (a copy may be truncated). Short texts are
    left out (they would match everywhere); so are the lines of a text, which are looked for one by one."""
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        for part in {text, *text.splitlines()}:
            part = part.strip()
            if len(part) < MIN_NEEDLE:
                continue
            for form in {part, escape_mrkdwn(part)}:
                found.add(form)
                found.add(form[:SNIPPET])
                found.add(json.dumps(form)[1:-1])  # non-ASCII and quotes as a JSON column may store them
                found.add(json.dumps(form, ensure_ascii=False)[1:-1][:SNIPPET])
    return {n for n in found if len(n) >= MIN_NEEDLE}


def carries(value: Any, marks: Iterable[str]) -> bool:
    """Whether a stored value (text, or JSON as Python values) contains any of ``marks``."""
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    alt = text if isinstance(value, str) else json.dumps(value, default=str)
    return any(m in text or m in alt for m in marks)


def without(values: list[Any] | None, unwanted: str) -> list[Any]:
    """A stored list (of Slack ids) without one id."""
    return [v for v in values or [] if v != unwanted]
