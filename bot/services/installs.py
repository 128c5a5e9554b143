"""Workspaces installing and uninstalling Tandem (several workspaces, OAuth), and their tokens at rest.

An uninstalled workspace keeps its data (a reinstall brings it back), but Tandem stops acting for it: what its
outbox still holds is parked with the reason ``uninstalled``, now and on every clock tick, so nothing reaches
Slack for it until it is installed again.

**Tokens at rest.** slack_sdk's installation store (tables ``slack_installations``, ``slack_bots``) keeps each
workspace's bot token (and, were user scopes ever asked for, user and refresh tokens). Tandem stores every one of
them encrypted with ``TANDEM_SECRET_KEY`` (``bot.crypto``, purpose ``slack-token``; ``bot.slack.install`` encrypts
on write and decrypts on read), so a copy of the database, its WAL or a backup holds no usable token. A row written
before encryption (plaintext) is still read, and encrypted on the next save or by :func:`reencrypt_tokens`, which
also moves every token to the first (current) key when the key is rotated.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, MetaData, Table, inspect, select, update
from sqlalchemy.orm import Session

from bot import crypto
from bot.models import OutboxMessage, OutboxStatus, Workspace
from bot.services import outbox
from bot.services.people import find_workspace, get_or_create_workspace

UNINSTALLED = "uninstalled"  # the outbox's last_error for what was parked because of it
TOKEN_PURPOSE = "slack-token"  # bot.crypto purpose of the stored tokens
# slack_sdk's installation store: the columns that hold tokens, encrypted at rest
TOKEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def installed(
    session: Session, *, team_id: str, name: str | None, bot_user_id: str | None, now: datetime
) -> tuple[Workspace, bool]:
    """Record an installation: the workspace row, created or refreshed (name, bot user), and no longer uninstalled.
    Returns it and whether it is new. Commits."""
    existed = find_workspace(session, team_id=team_id) is not None
    workspace = get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    if name:
        workspace.name = name[:200]
    workspace.uninstalled_at = None
    session.commit()
    return workspace, not existed


def forget_installer(session: Session, *, team_id: str) -> int:
    """slack_sdk's installation store keeps who installed the app (``user_id``, not null) though Tandem never reads
    it (it authorizes with the bot token alone): emptied, with any user token. Returns how many rows. Commits."""
    bind = session.get_bind()
    if not inspect(bind).has_table("slack_installations"):
        return 0
    table = Table("slack_installations", MetaData(), autoload_with=bind)
    result = session.execute(
        update(table)
        .where(table.c.team_id == team_id, table.c.user_id != "")
        .values(user_id="", user_token=None, user_scopes=None, user_refresh_token=None, user_token_expires_at=None)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def uninstalled(session: Session, *, team_id: str, now: datetime) -> int:
    """The app was uninstalled from ``team_id`` (or its bot token revoked): mark the workspace and park what its
    outbox still holds. Returns how many messages were parked. Commits."""
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        return 0
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
    parked = _park(session, [workspace.id], now=now)
    session.commit()
    return parked


# Built once: the clock runs and asks these every minute
_UNINSTALLED = select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))
_WAITING = (
    select(OutboxMessage.id)
    .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
    .where(Workspace.uninstalled_at.is_not(None), OutboxMessage.status == OutboxStatus.PENDING)
    .limit(1)
)


def park_uninstalled(session: Session, now: datetime) -> int:
    """Clock: park the pending messages of uninstalled workspaces, also those this tick's jobs just queued (it runs
    last). Does not commit."""
    if session.scalar(_WAITING) is None:  # (flushes this tick's messages first)
        return 0  # the quiet minute: nothing to park
    return _park(session, list(session.scalars(_UNINSTALLED)), now=now)


def next_park_uninstalled(session: Session, now: datetime) -> datetime | None:
    """When :func:`park_uninstalled` acts next (``bot.services.ticks.NextDue``): now while an uninstalled workspace
    has a pending message (whatever its ``not_before``); else not until something is stored (a message queued, the
    app uninstalled)."""
    waiting = session.scalar(_WAITING)
    return now if waiting is not None else None


def _park(session: Session, workspace_ids: list[int], *, now: datetime) -> int:
    session.flush()
    return outbox.park(session, OutboxMessage.workspace_id.in_(workspace_ids), reason=UNINSTALLED, now=now)


# -- tokens at rest ----------------------------------------------------------------------------------------------
def _current(ring: crypto.Keyring, value: str) -> bool:
    """Whether a stored token is encrypted under the keyring's current (first) key."""
    if not crypto.is_encrypted(value):
        return False
    try:
        raw = base64.urlsafe_b64decode(value[len(crypto.TEXT_PREFIX) :].encode("ascii"))
    except (binascii.Error, ValueError):
        return False
    return ring.sealed_with_current(raw)


def reencrypt_tokens(
    bind: Session | Engine, ring: crypto.Keyring | None = None, *, skip_unopenable: bool = False
) -> int:
    """Encrypt every token in the installation store under the current key of ``ring`` (default: the process's,
    ``TANDEM_SECRET_KEY``): a plaintext one (written before encryption) and one encrypted under an older listed
    key alike; one already under the current key is left as it is. Returns how many token values it rewrote. On an
    Engine it commits (one transaction); on a Session it does not (the caller's transaction). Raises
    ``crypto.CannotOpen`` for a token no listed key opens (drop an old key only after this ran), before anything is
    written; with ``skip_unopenable`` such a token is left as it is instead (``unopenable_tokens`` counts them)."""
    ring = ring or crypto.keyring()
    if isinstance(bind, Session):
        return _reencrypt(bind.connection(), ring, skip_unopenable=skip_unopenable)
    with bind.begin() as conn:
        return _reencrypt(conn, ring, skip_unopenable=skip_unopenable)


def unopenable_tokens(bind: Session, ring: crypto.Keyring | None = None) -> int:
    """How many stored token values no key of ``ring`` opens (they read as no token: the workspace must reinstall)."""
    return _count_unopenable(bind.connection(), ring or crypto.keyring())


def _count_unopenable(conn: Any, ring: crypto.Keyring) -> int:
    present = set(inspect(conn).get_table_names())
    lost = 0
    for name, columns in TOKEN_COLUMNS.items():
        if name not in present:
            continue
        table = Table(name, MetaData(), autoload_with=conn)
        for row in conn.execute(select(*(table.c[c] for c in columns))).all():
            for value in row:
                if value is None or not crypto.is_encrypted(value):
                    continue
                try:
                    ring.decrypt_text(TOKEN_PURPOSE, value)
                except crypto.CannotOpen:
                    lost += 1
    return lost


def _reencrypt(conn: Any, ring: crypto.Keyring, *, skip_unopenable: bool = False) -> int:
    if not skip_unopenable and _count_unopenable(conn, ring):
        raise crypto.CannotOpen("a stored token no listed key opens")
    changed = 0
    present = set(inspect(conn).get_table_names())
    for name, columns in TOKEN_COLUMNS.items():
        if name not in present:
            continue
        table = Table(name, MetaData(), autoload_with=conn)
        rows = conn.execute(select(table.c.id, *(table.c[c] for c in columns))).all()
        for row in rows:
            values: dict[str, str] = {}
            for column, value in zip(columns, row[1:], strict=True):
                if value is None or _current(ring, value):
                    continue
                try:
                    plain = ring.decrypt_text(TOKEN_PURPOSE, value)
                except crypto.CannotOpen:
                    continue  # only with skip_unopenable: left as it is, counted by unopenable_tokens
                values[column] = ring.encrypt_text(TOKEN_PURPOSE, plain)
            if values:
                conn.execute(update(table).where(table.c.id == row[0]).values(**values))
                changed += len(values)
    return changed
