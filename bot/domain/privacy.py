"""Data rights, pure: what marks a forgotten person."""

from __future__ import annotations

from typing import Any

FORGOTTEN_PREFIX = "forgotten-"  # a forgotten person's row keeps only this and a random suffix as its Slack id
END_REASON = "left"  # a pair ended because one partner left Tandem (forget-me or removed by a host)


def forgotten_id(token: str) -> str:
    """The Slack id column of a forgotten person: unlinkable (``token`` is random), never a valid Slack id."""
    return f"{FORGOTTEN_PREFIX}{token}"


def is_forgotten(slack_user_id: str) -> bool:
    return slack_user_id.startswith(FORGOTTEN_PREFIX)


def without(values: list[Any] | None, unwanted: str) -> list[Any]:
    """A stored list (of Slack ids) without one id."""
    return [v for v in values or [] if v != unwanted]
