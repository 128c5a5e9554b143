"""The outbox: Slack calls written in the same transaction as the state change that caused them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.domain.delivery import STALE_CLAIM, Decision, Outcome, Pacing
from bot.models import OutboxMessage, OutboxStatus, Workspace

BUDGET_WINDOW = timedelta(minutes=1)
PAUSED = "paused: ratelimited"  # last_error of messages held back by another message's 429
# payload key: once Slack has the call, the stored copy is emptied (a person's data export must not linger here)
SCRUB = "__scrub"


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
    message = _new_message(
        workspace_id=workspace_id,
        method=method,
        payload=payload,
        now=now,
        dedupe_key=dedupe_key,
        not_before=not_before,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()
    return message


UPLOAD_METHOD = "files.upload_v2"  # slack_sdk's upload: files.getUploadURLExternal, the bytes, completeUploadExternal


def upload_to_dm(
    session: Session,
    *,
    workspace_id: int,
    user_id: str,
    files: list[dict[str, str]],
    comment: str,
    now: datetime,
    dedupe_key: str,
    scrub: bool = False,
) -> OutboxMessage:
    """Queue one upload of ``files`` (each ``content``, ``filename``, ``title``) into the person's DM with Tandem,
    with ``comment``. ``scrub``: the stored copy is emptied once Slack has it. Does not commit."""
    payload: dict[str, Any] = {"__open": [user_id]}
    if scrub:
        payload[SCRUB] = True
    payload.update(file_uploads=files, initial_comment=comment)
    return enqueue(
        session, workspace_id=workspace_id, method=UPLOAD_METHOD, payload=payload, now=now, dedupe_key=dedupe_key
    )


def _channel_key(payload: dict[str, Any]) -> str | None:
    """The conversation a call goes to, for per-conversation ordering and pacing."""
    channel = (
        payload.get("channel")
        or payload.get("user_id")
        or payload.get("users")
        or ",".join(payload.get("__open") or [])
    )
    return str(channel)[:64] if channel else None


def _new_message(
    *,
    workspace_id: int,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None,
    not_before: datetime | None,
) -> OutboxMessage:
    return OutboxMessage(
        workspace_id=workspace_id,
        method=method,
        payload=payload,
        channel_key=_channel_key(payload),
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING,
        attempts=0,
        not_before=not_before or now,
        created_at=now,
    )


DEDUPE_CHUNK = 500  # dedupe keys in one IN (...)


def enqueue_many(session: Session, items: Sequence[Mapping[str, Any]], *, now: datetime) -> list[OutboxMessage]:
    """:func:`enqueue` for many calls at once: ``items`` are its keyword arguments (``workspace_id``, ``method``,
    ``payload``, optional ``dedupe_key`` and ``not_before``). Returns the message of each item in order: the
    earlier one for a key seen before (also earlier in ``items``: the first wins).

    One SELECT (per chunk of keys) finds the known keys and the new rows are flushed together in one savepoint,
    in the order of ``items`` (so their ids keep that order). Should a concurrent transaction have written one of
    the keys meanwhile, the savepoint is rolled back and each item goes through :func:`enqueue`. Does not
    commit."""
    keys = list(dict.fromkeys(item["dedupe_key"] for item in items if item.get("dedupe_key") is not None))
    known: dict[str, OutboxMessage] = {}
    for start in range(0, len(keys), DEDUPE_CHUNK):
        chunk = keys[start : start + DEDUPE_CHUNK]
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(chunk))):
            known[message.dedupe_key] = message  # type: ignore[index]
    result: list[OutboxMessage] = []
    new: list[OutboxMessage] = []
    for item in items:
        key = item.get("dedupe_key")
        message = known.get(key) if key is not None else None
        if message is None:
            message = _new_message(
                workspace_id=item["workspace_id"],
                method=item["method"],
                payload=item["payload"],
                now=now,
                dedupe_key=key,
                not_before=item.get("not_before"),
            )
            new.append(message)
            if key is not None:
                known[key] = message
        result.append(message)
    if not new:
        return result
    try:
        with session.begin_nested():
            session.add_all(new)
    except IntegrityError:
        return [enqueue(session, now=now, **item) for item in items]
    return result


def claim_due(
    session: Session, *, now: datetime, worker_id: str, limit: int = 50, pacing: Pacing | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for this worker and commit the claim.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets many workers claim side by side without sharing a row.
    A message waits while an older one to the same conversation is due or was deferred by a failure and
    is still unsent, so each conversation reads in the order things happened. (An older message merely
    scheduled for later holds nothing back.)

    With ``pacing``, a conversation gets at most one message per ``channel_interval``, and a workspace at most
    its budget of calls per method per minute; both are read from what the outbox sent (and has in flight),
    so every worker of the database keeps to one shared pace.
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
    # nothing goes to an admin channel that is public, archived or shared (bot.services.hosts): held until it is fixed
    unsafe_admin_channel = (
        select(Workspace.id)
        .where(
            Workspace.id == OutboxMessage.workspace_id,
            Workspace.admin_channel_id == OutboxMessage.channel_key,
            Workspace.admin_channel_problems.is_not(None),
        )
        .exists()
    )
    conditions = [
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.channel_key.is_(None), ~blocked_by_older),
        or_(OutboxMessage.channel_key.is_(None), ~unsafe_admin_channel),
    ]
    remaining: dict[tuple[int, str], int] = {}
    if pacing is not None:
        if pacing.channel_interval > timedelta(0):
            recent = aliased(OutboxMessage)
            conditions.append(
                or_(
                    OutboxMessage.channel_key.is_(None),
                    ~select(recent.id)
                    .where(
                        recent.channel_key == OutboxMessage.channel_key, recent.sent_at > now - pacing.channel_interval
                    )
                    .exists(),
                )
            )
        remaining = _budget_left(session, now=now, pacing=pacing)
        spent = [key for key, left in remaining.items() if left <= 0]
        if spent:
            conditions.append(~tuple_(OutboxMessage.workspace_id, OutboxMessage.method).in_(spent))
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(*conditions)
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for row in rows:
        if pacing is not None:
            key = (row.workspace_id, row.method)
            left = remaining.get(key, pacing.budget(row.method))
            if left <= 0:
                continue  # over this minute's budget: stays pending, untouched
            remaining[key] = left - 1
        row.status = OutboxStatus.SENDING
        row.claimed_at = now
        row.claimed_by = worker_id
        claimed.append(row)
    session.commit()
    return claimed


def _budget_left(session: Session, *, now: datetime, pacing: Pacing) -> dict[tuple[int, str], int]:
    """Calls each (workspace, method) may still make this minute: its budget less what was sent in the last
    minute and what is in flight."""
    used = session.execute(
        select(OutboxMessage.workspace_id, OutboxMessage.method, func.count())
        .where(
            or_(
                OutboxMessage.sent_at > now - BUDGET_WINDOW,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
        )
        .group_by(OutboxMessage.workspace_id, OutboxMessage.method)
    ).all()
    return {(ws, method): pacing.budget(method) - int(n) for ws, method, n in used}


def record(
    session: Session,
    message_id: int,
    *,
    decision: Decision,
    now: datetime,
    result: dict[str, Any] | None = None,
    rate_limited: bool = False,
    in_doubt: bool = False,
) -> None:
    """Store what happened to one claimed message and commit. ``in_doubt``: the try may have reached Slack
    (no answer, a 5xx), so the next one looks for the message before sending it again."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.SENDING:
        return
    if not rate_limited:
        message.attempts += 1
    message.claimed_at = None
    message.claimed_by = None
    message.in_doubt = in_doubt and decision.outcome is not Outcome.SENT
    if decision.outcome is Outcome.SENT:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.result = result
        message.last_error = None
        if message.payload.get(SCRUB):
            message.payload = {SCRUB: True}
            message.result = {"ok": True}
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
    """Give back messages whose worker vanished mid-send (claimed longer than STALE_CLAIM ago). The worker may
    have died after Slack carried out the call, so they are in doubt. Does not commit."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None, in_doubt=True)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def release_dead_workers(session: Session, *, alive: Callable[[str], bool], me: str) -> int:
    """Give back, in doubt, what workers that are gone had claimed (``alive(worker_id)`` tells), at once rather
    than after STALE_CLAIM. Commits."""
    owners = session.scalars(
        select(OutboxMessage.claimed_by)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_by.is_not(None))
        .distinct()
    ).all()
    dead = [owner for owner in owners if owner and owner != me and not alive(owner)]
    if not dead:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_by.in_(dead))
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None, in_doubt=True)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def release_own(session: Session, *, me: str) -> int:
    """After a round of this worker failed part-way (the database went away, say), give back what it still has
    claimed, in doubt: the failure may have come between Slack's answer and the commit. Commits."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_by == me)
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None, in_doubt=True)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def park_channel(session: Session, *, workspace_id: int, channel: str, reason: str, now: datetime) -> int:
    """Park every pending message to ``channel``: it will never be sent. Returns how many. Does not commit."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.channel_key == channel,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.PARKED, last_error=reason, parked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def hold_back(session: Session, *, workspace_id: int, method: str, channel_key: str | None, until: datetime) -> int:
    """After a 429, hold back what would meet the same limit until Slack's Retry-After has passed: for
    chat.postMessage (limited per conversation) the conversation's pending messages, for other methods the
    workspace's pending calls of that method. They keep their order and their attempts. Commits."""
    scope = (
        OutboxMessage.channel_key == channel_key
        if method == "chat.postMessage" and channel_key is not None
        else and_(OutboxMessage.workspace_id == workspace_id, OutboxMessage.method == method)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(scope, OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before < until)
        .values(not_before=until, last_error=func.coalesce(OutboxMessage.last_error, PAUSED))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def depth(session: Session, *, now: datetime) -> int:
    """How many messages are due and not yet sent."""
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
