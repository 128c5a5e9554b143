"""WebClient set-up. Direct calls (answers the user waits for) retry briefly; the outbox retries itself."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import logs


def interactive_client(*, token: str | None, base_url: str) -> WebClient:
    """For calls a person is waiting on (views.open, views.publish, users.info): one quick retry."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        logger=logs.guarded("web"),  # slack_sdk logs request and response bodies at DEBUG: never below INFO here
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=1),
            ServerErrorRetryHandler(max_retry_count=1),
        ],
    )


def outbox_client(*, token: str | None, base_url: str) -> WebClient:
    """For the worker: no built-in retries, because a failed row is rescheduled instead of slept on."""
    return WebClient(token=token, base_url=base_url, timeout=15, retry_handlers=[], logger=logs.guarded("web"))
