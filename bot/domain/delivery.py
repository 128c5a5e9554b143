"""What to do after a Slack Web API call from the outbox: pure policy, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)
STALE_CLAIM = timedelta(minutes=5)

# Slack errors that say "try again later" rather than "this call is wrong".
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)


# Errors that say "this was done already": after a try whose answer was lost, the retry finds it so.
DONE_ALREADY = frozenset({"already_in_channel", "already_reacted"})

# Slack's published rate tiers (calls per minute per workspace and method) for the methods the outbox makes:
# https://docs.slack.dev/apis/web-api/rate-limits. chat.postMessage is "special": about one message per second
# per conversation, plus a workspace-wide limit Slack does not publish (the workspace budget setting covers it).
TIER_PER_MINUTE: dict[str, int] = {
    "chat.update": 50,  # tier 3
    "conversations.invite": 50,  # tier 3
    "conversations.open": 50,  # tier 3
    "conversations.history": 50,  # tier 3
    "conversations.replies": 50,  # tier 3
    "files.upload_v2": 20,  # files.getUploadURLExternal + completeUploadExternal are tier 4; uploads are heavy
    "views.publish": 100,  # tier 4
}


@dataclass(frozen=True)
class Pacing:
    """How fast the workers send. ``channel_interval``: between two messages to one conversation;
    ``budget_per_minute``: calls per workspace and method (capped at the method's tier)."""

    channel_interval: timedelta = timedelta(seconds=1)
    budget_per_minute: int = 300

    def budget(self, method: str) -> int:
        tier = TIER_PER_MINUTE.get(method)
        return min(self.budget_per_minute, tier) if tier is not None else self.budget_per_minute


def may_have_reached_slack(status: int | None) -> bool:
    """A try that got no answer, or a 5xx, may still have been carried out by Slack: the next try looks first."""
    return status is None or status >= 500


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    PARK = "park"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    delay: timedelta = timedelta(0)
    reason: str = ""


def backoff(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed try: 2 s, 4 s, 8 s, ... capped at 10 minutes."""
    exponent = min(max(0, attempts - 1), 20)  # 2 s * 2**20 is far past the cap; no overflow
    return min(BACKOFF_CAP, BACKOFF_BASE * (2**exponent))


def decide(*, status: int | None, error: str | None, retry_after: float | None, attempts: int) -> Decision:
    """Decide after try number ``attempts`` (1-based).

    ``status`` is the HTTP status (None when no answer came: connection error, timeout), ``error`` Slack's
    error string when ``ok`` was false, ``retry_after`` the Retry-After header of a 429.
    """
    if status == 429:
        # Rate limited: not the message's fault, so it does not use up an attempt's backoff budget.
        wait = timedelta(seconds=max(1.0, retry_after or 1.0))
        return Decision(Outcome.RETRY, wait, "ratelimited")
    if status is not None and 200 <= status < 300 and (error is None or error in DONE_ALREADY):
        return Decision(Outcome.SENT)
    transient = status is None or status >= 500 or (error in TRANSIENT_ERRORS)
    reason = error or (f"http_{status}" if status is not None else "no_response")
    if not transient:
        return Decision(Outcome.PARK, reason=reason)
    if attempts >= MAX_ATTEMPTS:
        return Decision(Outcome.PARK, reason=f"{reason} after {attempts} attempts")
    return Decision(Outcome.RETRY, backoff(attempts), reason)
