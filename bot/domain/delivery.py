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
    if status is not None and 200 <= status < 300 and error is None:
        return Decision(Outcome.SENT)
    transient = status is None or status >= 500 or (error in TRANSIENT_ERRORS)
    reason = error or (f"http_{status}" if status is not None else "no_response")
    if not transient:
        return Decision(Outcome.PARK, reason=reason)
    if attempts >= MAX_ATTEMPTS:
        return Decision(Outcome.PARK, reason=f"{reason} after {attempts} attempts")
    return Decision(Outcome.RETRY, backoff(attempts), reason)
