"""The outbox: Slack calls written in the same transaction as the state change that caused them.

**What a call is about.** Every producer says what a call is to or about (:class:`About`: its program, its pair,
the people it is addressed to or names); the references are stored with the call (``outbox.program_id``,
``outbox.pair_id``, one ``outbox_subject`` row per person) and indexed. Forget-me and retention find a person's or a
program's stored calls by them (:func:`forget_people`, :func:`forget_program`), never by searching what the
payloads say. ``about`` is a required argument of every way in, so no producer can leave it out.

**How long what a call says is kept.** The payload (what the call says, to whom) is needed only until Slack has the
call: the worker sends it, and a try that may have reached Slack unrecorded is looked up by its idempotency key
before it is sent again (``bot.slack.sender``). Once sent, the payload is emptied at once (:func:`record`); what
stays is the method, the conversation key, the idempotency key, Slack's answer (channel, ts) and the references.
A parked call (Slack refused it for good) is emptied ``PARKED_KEEP`` after it was parked (:func:`empty_parked`,
on the clock), one marked private (``SCRUB``: a person's data export) at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.domain.delivery import STALE_CLAIM, Decision, Outcome, Pacing
from bot.domain.hosts import audience_is_everyone
from bot.models import BatchStatus, InviteBatch, OutboxMessage, OutboxStatus, OutboxSubject, Participant, Workspace
from bot.services import roles

BUDGET_WINDOW = timedelta(minutes=1)
PAUSED = "paused: ratelimited"  # last_error of messages held back by another message's 429
# payload key: a private call (a person's data export): emptied at once should Slack refuse it for good
SCRUB = "__scrub"
PARKED_KEEP = timedelta(hours=24)  # how long a parked call keeps what it says (for the operator to see why)
STRICTLY_AFTER = timedelta(microseconds=1)  # the first moment after another one (timestamps keep microseconds)
CHUNK = 500  # ids in one IN (...)


@dataclass(frozen=True)
class About:
    """What a stored Slack call is about: its program, its pair (a call about a pair is about both partners), and
    the people it is addressed to or names otherwise: ``people`` by participant id, ``users`` by Slack id (a host
    named in the admin channel, say: linked to their participant row when they have one). Forget-me deletes a call
    about a person (through their pairs or as one of its people); a program's retention deletes its calls."""

    program_id: int | None = None
    pair_id: int | None = None
    people: tuple[int, ...] = ()
    users: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        program: Any = None,
        pair: Any = None,
        people: Iterable[Any] = (),
        users: Iterable[str | None] = (),
        program_id: int | None = None,
    ) -> About:
        """From rows or ids: ``program`` (a Program or id), ``pair`` (a Pair: its program too), ``people``
        (Participants or participant ids), ``users`` (Slack user ids); None left out."""
        pid = program_id if program_id is not None else _id(program)
        pair_id = _id(pair)
        if pid is None and pair is not None and not isinstance(pair, int):
            pid = pair.program_id
        ids = tuple(dict.fromkeys(i for i in (_id(p) for p in people) if i is not None))
        return cls(program_id=pid, pair_id=pair_id, people=ids, users=tuple(dict.fromkeys(u for u in users if u)))


def _id(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value.id)


NOBODY = About()  # a call about no person and no program (a workspace-level notice, counts only)


def enqueue(
    session: Session,
    *,
    workspace_id: int,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    about: About,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:  # None only when routed to nobody (see below)
    """Queue one Web API call ``about`` a program, pair or people. With a ``dedupe_key`` seen before, the earlier
    message is returned instead. Does not commit: the caller's transaction decides.

    A post to the admin channel about a program (or about people, with no program) goes there only while everyone
    in the channel may see it (:func:`admin_channel_readers`); else each member who may gets it by DM (the first is
    returned) and chart uploads are left out (the digest's text carries their figures). None when nobody may."""
    workspace = _for_hosts(session, workspace_id, method, payload, about)
    if workspace is not None:
        readers = admin_channel_readers(session, workspace, about.program_id)
        if readers is not None:  # the admin channel holds someone who may not see this program
            first = None
            for user_id in readers if method == POST_METHOD else ():  # charts repeat the digest's figures: text only
                key = f"{dedupe_key}:{user_id}" if dedupe_key is not None else None
                sent = enqueue(
                    session,
                    workspace_id=workspace_id,
                    method=method,
                    payload={**payload, "channel": user_id},
                    now=now,
                    about=replace(about, users=tuple(dict.fromkeys((*about.users, user_id)))),
                    dedupe_key=key,
                    not_before=not_before,
                )
                first = first or sent
            return first  # type: ignore[return-value]
    if dedupe_key is not None:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    message = _new_message(
        workspace_id=workspace_id,
        method=method,
        payload=payload,
        now=now,
        about=about,
        dedupe_key=dedupe_key,
        not_before=not_before,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush([message])
            _add_subjects(session, [(message, about)])
    except IntegrityError:
        if dedupe_key is None:
            raise
        return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()
    return message


POST_METHOD = "chat.postMessage"


def _for_hosts(
    session: Session, workspace_id: int, method: str, payload: Mapping[str, Any], about: About
) -> Workspace | None:
    """The workspace, when this is a post (or an upload) to its admin channel about a program, or about people with
    no program; else None."""
    if method not in (POST_METHOD, UPLOAD_METHOD) or (about.program_id is None and not about.people):
        return None
    target = payload.get("channel") or payload.get("channel_id")
    if not isinstance(target, str) or target[:1] in ("U", "W", "D"):  # a person or a DM: never a channel
        return None
    workspace = session.get(Workspace, workspace_id)
    if workspace is None or not workspace.admin_channel_id or target != workspace.admin_channel_id:
        return None
    return workspace


def to_hosts(
    session: Session, workspace: Workspace, message: dict[str, Any], *, cause: str, now: datetime, about: About
) -> None:
    """Post ``message`` in the workspace's admin channel (nothing without one), once per ``cause`` (its dedupe key);
    ``about``: the program and the people it names. Routed as every post for the hosts is (:func:`enqueue`)."""
    if workspace.admin_channel_id:
        post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=message,
            now=now,
            about=about,
            dedupe_key=cause,
        )


def admin_channel_readers(session: Session, workspace: Workspace, program_id: int | None) -> list[str] | None:
    """Who is to read a post about ``program_id`` (None: about people, no program: for the Tandem admins) meant for
    the admin channel. None when it goes to the channel: everyone in it (as last asked) may see it
    (``bot.services.roles``), or the channel is unsafe and the post waits in its queue as every post to it does.
    Else the members who may, to be told by DM instead: Slack shows a private channel's history to all its members,
    so a co-host of one program never reads another's."""
    if workspace.admin_channel_problems:  # nobody is a host while it is unsafe
        return None
    members = set(workspace.admin_members or []) - {workspace.bot_user_id}
    may = roles.may_see(session, workspace_id=workspace.id, program_id=program_id)
    if audience_is_everyone(members, may):
        return None
    return sorted(members & may)


UPLOAD_METHOD = "files.upload_v2"  # slack_sdk's upload: files.getUploadURLExternal, the bytes, completeUploadExternal


def upload_to_dm(
    session: Session,
    *,
    workspace_id: int,
    user_id: str,
    files: list[dict[str, str]],
    comment: str,
    now: datetime,
    about: About,
    dedupe_key: str,
    scrub: bool = False,
) -> OutboxMessage:
    """Queue one upload of ``files`` (each ``content``, ``filename``, ``title``) into the person's DM with Tandem,
    with ``comment``. ``scrub``: private (a person's data export): emptied at once should Slack refuse it for good
    (once sent, every call is emptied). Does not commit."""
    payload: dict[str, Any] = {"__open": [user_id]}
    if scrub:
        payload[SCRUB] = True
    payload.update(file_uploads=files, initial_comment=comment)
    return enqueue(
        session,
        workspace_id=workspace_id,
        method=UPLOAD_METHOD,
        payload=payload,
        now=now,
        about=about,
        dedupe_key=dedupe_key,
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
    about: About,
    dedupe_key: str | None,
    not_before: datetime | None,
) -> OutboxMessage:
    if not isinstance(about, About):
        raise TypeError("about: say what the call is about (bot.services.outbox.About, or NOBODY)")
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
        program_id=about.program_id,
        pair_id=about.pair_id,
    )


def _add_subjects(session: Session, messages: Sequence[tuple[OutboxMessage, About]]) -> None:
    """The ``outbox_subject`` rows of flushed messages (one INSERT for all)."""
    by_user: dict[tuple[int, str], int] = {}
    wanted = {(m.workspace_id, u) for m, about in messages for u in about.users}
    for workspace_id in {w for w, _ in wanted}:
        users = sorted(u for w, u in wanted if w == workspace_id)
        for chunk in _chunks(users):
            for pid, user in session.execute(
                select(Participant.id, Participant.slack_user_id).where(
                    Participant.workspace_id == workspace_id, Participant.slack_user_id.in_(chunk)
                )
            ):
                by_user[(workspace_id, user)] = int(pid)
    rows = []
    for m, about in messages:
        ids = dict.fromkeys(about.people)
        ids.update(dict.fromkeys(by_user[(m.workspace_id, u)] for u in about.users if (m.workspace_id, u) in by_user))
        rows += [{"outbox_id": m.id, "participant_id": p} for p in ids]
    if rows:
        session.execute(insert(OutboxSubject), rows)


DEDUPE_CHUNK = 500  # dedupe keys in one IN (...)


def enqueue_many(session: Session, items: Sequence[Mapping[str, Any]], *, now: datetime) -> list[OutboxMessage]:
    """:func:`enqueue` for many calls at once: ``items`` are its keyword arguments (``workspace_id``, ``method``,
    ``payload``, ``about``, optional ``dedupe_key`` and ``not_before``). Returns the message of each item in order: the
    earlier one for a key seen before (also earlier in ``items``: the first wins).

    One SELECT (per chunk of keys) finds the known keys and the new rows are flushed together in one savepoint,
    in the order of ``items`` (so their ids keep that order). Should a concurrent transaction have written one of
    the keys meanwhile, the savepoint is rolled back and each item goes through :func:`enqueue`; so does every item
    when one is a post for the hosts (routed as :func:`enqueue` routes it). Does not commit."""
    # held here, so each item's lookup in _for_hosts finds its workspace in the session's (weak) identity map instead
    # of reading it again: 5,000 prompts of one workspace were 5,000 SELECTs
    held = {wid: session.get(Workspace, wid) for wid in {item["workspace_id"] for item in items}}
    if any(
        _for_hosts(session, item["workspace_id"], item["method"], item["payload"], item["about"]) for item in items
    ):  # a post for the hosts is routed (enqueue) like any other; rare here
        return [enqueue(session, now=now, **item) for item in items]
    del held
    keys = list(dict.fromkeys(item["dedupe_key"] for item in items if item.get("dedupe_key") is not None))
    known: dict[str, OutboxMessage] = {}
    for start in range(0, len(keys), DEDUPE_CHUNK):
        chunk = keys[start : start + DEDUPE_CHUNK]
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(chunk))):
            known[message.dedupe_key] = message  # type: ignore[index]
    result: list[OutboxMessage] = []
    new: list[tuple[OutboxMessage, About]] = []
    for item in items:
        key = item.get("dedupe_key")
        message = known.get(key) if key is not None else None
        if message is None:
            message = _new_message(
                workspace_id=item["workspace_id"],
                method=item["method"],
                payload=item["payload"],
                now=now,
                about=item["about"],
                dedupe_key=key,
                not_before=item.get("not_before"),
            )
            new.append((message, item["about"]))
            if key is not None:
                known[key] = message
        result.append(message)
    if not new:
        return result
    try:
        with session.begin_nested():
            session.add_all([m for m, _ in new])
            session.flush([m for m, _ in new])
            _add_subjects(session, new)
    except IntegrityError:
        return [enqueue(session, now=now, **item) for item in items]
    return result


_NOW = bindparam("now")


def _blocked_by_older() -> ColumnElement[bool]:
    """An older message to the same conversation holds this one back at ``:now``: it is being sent, or it is
    pending and due or deferred by a failure (one merely scheduled for later holds nothing back)."""
    older = aliased(OutboxMessage)
    return (
        select(older.id)
        .where(
            older.channel_key == OutboxMessage.channel_key,
            older.id < OutboxMessage.id,
            or_(
                older.status == OutboxStatus.SENDING,
                and_(
                    older.status == OutboxStatus.PENDING,
                    or_(older.not_before <= _NOW, older.last_error.is_not(None)),
                ),
            ),
        )
        .exists()
    )


def _unsafe_admin_channel() -> ColumnElement[bool]:
    """The message goes to its workspace's admin channel while that is public, archived or shared
    (``bot.services.hosts``): held until it is fixed."""
    return (
        select(Workspace.id)
        .where(
            Workspace.id == OutboxMessage.workspace_id,
            Workspace.admin_channel_id == OutboxMessage.channel_key,
            Workspace.admin_channel_problems.is_not(None),
        )
        .exists()
    )


# Built once (the worker asks many times a second): a pending message neither held back by an older one to its
# conversation at ``:now`` nor addressed to an unsafe admin channel; and, paced, none sent to its conversation since
# ``:paced_since``.
_SENDABLE = (
    OutboxMessage.status == OutboxStatus.PENDING,
    or_(OutboxMessage.channel_key.is_(None), ~_blocked_by_older()),
    or_(OutboxMessage.channel_key.is_(None), ~_unsafe_admin_channel()),
)
_RECENT = aliased(OutboxMessage)
_PACED = or_(
    OutboxMessage.channel_key.is_(None),
    ~select(_RECENT.id)
    .where(_RECENT.channel_key == OutboxMessage.channel_key, _RECENT.sent_at > bindparam("paced_since"))
    .exists(),
)
_CLAIMABLE = select(OutboxMessage).where(*_SENDABLE, OutboxMessage.not_before <= _NOW)
_CLAIM_ORDER = (OutboxMessage.not_before, OutboxMessage.id)
_LIMIT = bindparam("limit", type_=Integer, literal_execute=True)
_CLAIM = {  # paced or not
    paced: (_CLAIMABLE.where(_PACED) if paced else _CLAIMABLE)
    .order_by(*_CLAIM_ORDER)
    .limit(_LIMIT)
    .with_for_update(skip_locked=True)
    for paced in (False, True)
}
# calls per (workspace, method) sent since ``:since`` or in flight (``_budget_left``)
_USED = (
    select(OutboxMessage.workspace_id, OutboxMessage.method, func.count())
    .where(or_(OutboxMessage.sent_at > bindparam("since"), OutboxMessage.status == OutboxStatus.SENDING))
    .group_by(OutboxMessage.workspace_id, OutboxMessage.method)
)
_BUSY = select(
    or_(
        select(InviteBatch.id).where(InviteBatch.status == BatchStatus.PENDING).exists(),
        select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.SENDING).exists(),
    )
)
_NEXT_SEND = select(func.min(OutboxMessage.not_before)).where(*_SENDABLE)


def next_due(session: Session, now: datetime) -> datetime | None:
    """When a worker may next have something to do (``claim_due``, ``Worker.drain_once``): now while an invitation
    request waits to be expanded or a message is claimed (its worker records or gives it back at any moment); else
    the earliest ``not_before`` of a pending message :func:`claim_due` could take but for its time. One held back by
    an older message to its conversation waits for that one, which counts itself (or for something to be stored);
    one held by the pace gives a moment at or before ``now``. A message to an admin channel that is public, archived
    or shared waits for the channel to change, not for a moment: it does not count."""
    if session.scalar(_BUSY):
        return now
    return session.scalar(_NEXT_SEND, {"now": now})


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
    params: dict[str, Any] = {"now": now, "limit": limit}
    remaining: dict[tuple[int, str], int] = {}
    paced = pacing is not None and pacing.channel_interval > timedelta(0)
    statement = _CLAIM[paced]
    if pacing is not None:
        if paced:
            params["paced_since"] = now - pacing.channel_interval
        remaining = _budget_left(session, now=now, pacing=pacing)
        spent = [key for key, left in remaining.items() if left <= 0]
        if spent:  # rare (a workspace over a method's budget this minute): built for the occasion
            statement = (
                (_CLAIMABLE.where(_PACED) if paced else _CLAIMABLE)
                .where(~tuple_(OutboxMessage.workspace_id, OutboxMessage.method).in_(spent))
                .order_by(*_CLAIM_ORDER)
                .limit(_LIMIT)
                .with_for_update(skip_locked=True)
            )
    rows = list(session.scalars(statement, params))
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
    used = session.execute(_USED, {"since": now - BUDGET_WINDOW}).all()
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
        message.payload = {}  # Slack has it: what it said is no longer needed here
        message.emptied_at = now
    elif decision.outcome is Outcome.RETRY:
        message.status = OutboxStatus.PENDING
        message.not_before = now + decision.delay
        message.last_error = decision.reason
    else:
        message.status = OutboxStatus.PARKED
        message.last_error = decision.reason
        message.parked_at = now
        if message.payload.get(SCRUB):  # private: not kept a moment longer for anyone to look at
            message.payload = {}
            message.emptied_at = now
    session.commit()


def release(session: Session, message_id: int) -> None:
    """Hand a claimed message back unsent, without counting an attempt. Commits."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
    )
    session.commit()


# Built once: the clock runs and asks these every minute
_RELEASE_STALE = (
    update(OutboxMessage)
    .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < bindparam("stale_before"))
    .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None, in_doubt=True)
    .execution_options(synchronize_session=False)
)
_OLDEST_CLAIM = select(func.min(OutboxMessage.claimed_at)).where(OutboxMessage.status == OutboxStatus.SENDING)


def release_stale_claims(session: Session, *, now: datetime) -> int:
    """Give back messages whose worker vanished mid-send (claimed longer than STALE_CLAIM ago). The worker may
    have died after Slack carried out the call, so they are in doubt. Does not commit."""
    result = session.execute(_RELEASE_STALE, {"stale_before": now - STALE_CLAIM})
    return int(result.rowcount or 0)


def next_stale_claim(session: Session, now: datetime) -> datetime | None:
    """When :func:`release_stale_claims` acts next (``bot.services.ticks.NextDue``): just after the oldest claim
    turns STALE_CLAIM old; None when nothing is claimed."""
    oldest = session.scalar(_OLDEST_CLAIM)
    return None if oldest is None else oldest + STALE_CLAIM + STRICTLY_AFTER


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
    """Park every pending message to ``channel``: it will never be sent (emptied like any parked call). Returns how
    many. Does not commit."""
    return park(
        session,
        and_(OutboxMessage.workspace_id == workspace_id, OutboxMessage.channel_key == channel),
        reason=reason,
        now=now,
    )


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
    about: About,
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
        about=about,
        dedupe_key=dedupe_key,
        not_before=not_before,
    )


# -- what is kept, and forgetting -------------------------------------------------------------------------------
# Built once: the clock runs and asks these every minute (parked calls that still say something)
_STILL_SAYS = (OutboxMessage.status == OutboxStatus.PARKED, OutboxMessage.emptied_at.is_(None))
_EMPTY_PARKED = (
    update(OutboxMessage)
    .where(*_STILL_SAYS, OutboxMessage.parked_at <= bindparam("parked_before"))
    .values(payload={}, emptied_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)
_OLDEST_PARKED = select(func.min(OutboxMessage.parked_at)).where(*_STILL_SAYS)


def empty_parked(session: Session, now: datetime) -> int:
    """Clock: empty the payload of calls parked longer than ``PARKED_KEEP`` ago (Slack refused them for good;
    nothing sends them again). Does not commit. Returns how many."""
    result = session.execute(_EMPTY_PARKED, {"parked_before": now - PARKED_KEEP, "now": now})
    return int(result.rowcount or 0)


def next_empty_parked(session: Session, now: datetime) -> datetime | None:
    """When :func:`empty_parked` acts next (``bot.services.ticks.NextDue``): ``PARKED_KEEP`` after the oldest parked
    call that still says something was parked; None when there is none."""
    oldest = session.scalar(_OLDEST_PARKED)
    return None if oldest is None else oldest + PARKED_KEEP


def park(session: Session, where: Any, *, reason: str, now: datetime) -> int:
    """Park the pending calls ``where`` selects (Tandem will not send them: the workspace uninstalled it, say);
    a private one (``SCRUB``) is emptied at once. Does not commit. Returns how many."""
    pending = [OutboxMessage.status == OutboxStatus.PENDING, where]
    private = [
        int(i)
        for i, payload in session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(*pending, OutboxMessage.method == UPLOAD_METHOD)
        )
        if isinstance(payload, dict) and payload.get(SCRUB)
    ]
    for chunk in _chunks(private):
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chunk))
            .values(payload={}, emptied_at=now)
            .execution_options(synchronize_session=False)
        )
    result = session.execute(
        update(OutboxMessage)
        .where(*pending)
        .values(status=OutboxStatus.PARKED, last_error=reason, parked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _delete_ids(session: Session, ids: Sequence[int]) -> int:
    gone = 0
    for chunk in _chunks(sorted(set(ids))):
        session.execute(delete(OutboxSubject).where(OutboxSubject.outbox_id.in_(chunk)))
        gone += int(session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(chunk))).rowcount or 0)
    return gone


def forget_people(
    session: Session,
    *,
    workspace_id: int,
    people: Sequence[int],
    users: Iterable[str] = (),
    pairs: Sequence[int] = (),
    naming: bool = True,
) -> int:
    """Forget-me in the outbox, by reference. Calls to their DMs (conversation key: one of their Slack ``users``
    ids, or the DM's channel id Slack answered with) and calls about their ``pairs`` go, sent or not. A call naming
    one of ``people`` (participant ids) goes while it still says something (pending, or parked and not yet
    emptied); one already sent says nothing any more and only loses its link to them (its key and Slack's answer
    stay for everyone else it was about). ``naming`` False leaves the calls that name them (what they did as hosts,
    say) and only unlinks them. Does not commit. Returns how many calls went."""
    doomed: list[int] = []
    for chunk in _chunks(list(people) if naming else []):
        doomed += session.scalars(
            select(OutboxMessage.id)
            .join(OutboxSubject, OutboxSubject.outbox_id == OutboxMessage.id)
            .where(OutboxSubject.participant_id.in_(chunk), OutboxMessage.emptied_at.is_(None))
        ).all()
    for chunk in _chunks(list(pairs)):
        doomed += session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.workspace_id == workspace_id, OutboxMessage.pair_id.in_(chunk))
        ).all()
    ims: set[str] = set()  # their DMs with Tandem, as Slack named them in its answers (a later chat.update goes there)
    for chunk in _chunks(sorted(set(users))):
        for row_id, result in session.execute(
            select(OutboxMessage.id, OutboxMessage.result).where(
                OutboxMessage.workspace_id == workspace_id, OutboxMessage.channel_key.in_(chunk)
            )
        ):
            doomed.append(int(row_id))
            channel = result.get("channel") if isinstance(result, dict) else None
            if isinstance(channel, str) and channel.startswith("D"):
                ims.add(channel)
    for chunk in _chunks(sorted(ims)):
        doomed += session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.workspace_id == workspace_id, OutboxMessage.channel_key.in_(chunk)
            )
        ).all()
    gone = _delete_ids(session, doomed)
    for chunk in _chunks(list(people)):  # what is left of their links: calls already sent, which say nothing now
        session.execute(delete(OutboxSubject).where(OutboxSubject.participant_id.in_(chunk)))
    return gone


def forget_program(session: Session, *, program_id: int, pairs: Sequence[int] = ()) -> int:
    """A program's retention in the outbox: every stored call about the program or one of its ``pairs`` goes, sent
    or not. Does not commit. Returns how many."""
    doomed = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.program_id == program_id)))
    for chunk in _chunks(list(pairs)):
        doomed += session.scalars(select(OutboxMessage.id).where(OutboxMessage.pair_id.in_(chunk))).all()
    return _delete_ids(session, doomed)
