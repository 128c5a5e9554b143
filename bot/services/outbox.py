"""The outbox: Slack calls written in the same transaction as the state change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.domain.delivery import STALE_CLAIM, Decision, Outcome
from bot.models import OutboxMessage, OutboxStatus


def enqueue(
    session: Session,
    *,
    workspace_id: int,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Queue one Web API call. With a ``dedupe_key`` seen before, the earlier message is returned instead.
    Does not commit: the caller's transaction decides."""
    if dedupe_key is not None:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    channel = (
        payload.get("channel")
        or payload.get("user_id")
        or payload.get("users")
        or ",".join(payload.get("__open") or [])
    )
    message = OutboxMessage(
        workspace_id=workspace_id,
        method=method,
        payload=payload,
        channel_key=str(channel)[:64] if channel else None,
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING,
        attempts=0,
        not_before=not_before or now,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()
    return message


def claim_due(session: Session, *, now: datetime, worker_id: str, limit: int = 50) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for this worker and commit the claim.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets many workers claim side by side without sharing a row.
    A message waits while an older one to the same conversation is due or was deferred by a failure and
    is still unsent, so each conversation reads in the order things happened. (An older message merely
    scheduled for later holds nothing back.)
    """
    older = aliased(OutboxMessage)
    blocked_by_older = (
        select(older.id)
        .where(
            older.channel_key == OutboxMessage.channel_key,
            older.id < OutboxMessage.id,
            or_(
                older.status == OutboxStatus.SENDING,
                and_(
                    older.status == OutboxStatus.PENDING,
                    or_(older.not_before <= now, older.last_error.is_not(None)),
                ),
            ),
        )
        .exists()
    )
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.not_before <= now,
                or_(OutboxMessage.channel_key.is_(None), ~blocked_by_older),
            )
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_at = now
        row.claimed_by = worker_id
    session.commit()
    return rows


def record(
    session: Session,
    message_id: int,
    *,
    decision: Decision,
    now: datetime,
    result: dict[str, Any] | None = None,
    rate_limited: bool = False,
) -> None:
    """Store what happened to one claimed message and commit."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.SENDING:
        return
    if not rate_limited:
        message.attempts += 1
    message.claimed_at = None
    message.claimed_by = None
    if decision.outcome is Outcome.SENT:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.result = result
        message.last_error = None
    elif decision.outcome is Outcome.RETRY:
        message.status = OutboxStatus.PENDING
        message.not_before = now + decision.delay
        message.last_error = decision.reason
    else:
        message.status = OutboxStatus.PARKED
        message.last_error = decision.reason
        message.parked_at = now
    session.commit()


def release(session: Session, message_id: int) -> None:
    """Hand a claimed message back unsent, without counting an attempt. Commits."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
    )
    session.commit()


def release_stale_claims(session: Session, *, now: datetime) -> int:
    """Give back messages whose worker vanished mid-send (claimed longer than STALE_CLAIM ago).
    Does not commit."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def depth(session: Session, *, now: datetime) -> int:
    """How many messages are due and not yet sent."""
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        )
        or 0
    )


def post(
    session: Session,
    *,
    workspace_id: int,
    channel: str,
    message: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Queue a chat.postMessage of ``message`` (text and blocks) to ``channel`` (a conversation or a user's DM)."""
    return enqueue(
        session,
        workspace_id=workspace_id,
        method="chat.postMessage",
        payload={"channel": channel, **message},
        now=now,
        dedupe_key=dedupe_key,
        not_before=not_before,
    )
