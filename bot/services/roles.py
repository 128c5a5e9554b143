"""Who hosts what (``host_role``, ``bot.domain.hosts.HostRole``): the roles, a person's scope, the people who may
see a program, and giving and taking roles. Being a member of the private admin channel is needed as well
(``bot.services.hosts``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.orm import Session

from bot.domain.hosts import HostRole, Scope
from bot.models import HostRoleRow, Program

_ROLES_OF = select(HostRoleRow.role, HostRoleRow.program_id).where(
    HostRoleRow.workspace_id == bindparam("workspace_id"), HostRoleRow.slack_user_id == bindparam("user_id")
)
_ALL = select(HostRoleRow.slack_user_id, HostRoleRow.role, HostRoleRow.program_id).where(
    HostRoleRow.workspace_id == bindparam("workspace_id")
)


def scope(session: Session, *, workspace_id: int, user_id: str) -> Scope:
    """The programs ``user_id`` may see and act on as a host (their roles only; the admin channel is not asked)."""
    return Scope.of(session.execute(_ROLES_OF, {"workspace_id": workspace_id, "user_id": user_id}).all())


def table(session: Session, *, workspace_id: int) -> list[tuple[str, str, int | None]]:
    """Every role of the workspace: (user id, role, program id), in a stable order."""
    rows = session.execute(_ALL, {"workspace_id": workspace_id}).all()
    return sorted(((u, r, p) for u, r, p in rows), key=lambda row: (row[2] or 0, row[1], row[0]))


def admins(session: Session, *, workspace_id: int) -> list[str]:
    return [u for u, r, _p in table(session, workspace_id=workspace_id) if r == HostRole.ADMIN]


def of_program(session: Session, *, workspace_id: int, program_id: int) -> dict[HostRole, list[str]]:
    """The program's hosts and co-hosts (not the admins)."""
    out: dict[HostRole, list[str]] = {HostRole.HOST: [], HostRole.COHOST: []}
    for user_id, role, pid in table(session, workspace_id=workspace_id):
        if pid == program_id and role in (HostRole.HOST, HostRole.COHOST):
            out[HostRole(role)].append(user_id)
    return out


def may_see(session: Session, *, workspace_id: int, program_id: int | None) -> set[str]:
    """Everyone whose roles let them see the program: the admins, its hosts and its co-hosts (None: the admins)."""
    return {
        u
        for u, r, p in table(session, workspace_id=workspace_id)
        if r == HostRole.ADMIN or (program_id is not None and p == program_id)
    }


def grant(
    session: Session,
    *,
    workspace_id: int,
    user_ids: Iterable[str],
    role: HostRole,
    program_id: int | None,
    by: str | None,
    now: datetime,
) -> list[str]:
    """Give ``role`` (for ``program_id``; None for an admin) to each of ``user_ids`` who does not hold it yet; a
    host made co-host (or back) has the one replaced. Returns who got it. Does not commit."""
    program_id = None if role is HostRole.ADMIN else program_id
    if role is not HostRole.ADMIN and program_id is None:
        raise ValueError("a host or co-host role needs a program")
    existing = table(session, workspace_id=workspace_id)
    given = []
    for user_id in dict.fromkeys(u for u in user_ids if u):
        if (user_id, role.value, program_id) in existing:
            continue
        if program_id is not None:  # one role per person and program
            _remove(session, workspace_id=workspace_id, user_id=user_id, program_id=program_id)
        session.add(
            HostRoleRow(
                workspace_id=workspace_id,
                program_id=program_id,
                slack_user_id=user_id,
                role=role.value,
                granted_by=by,
                granted_at=now,
            )
        )
        given.append(user_id)
    session.flush()
    return given


def revoke(session: Session, *, workspace_id: int, user_id: str, program_id: int | None) -> bool:
    """Take the person's role for the program (None: their admin role). Returns whether there was one."""
    return _remove(session, workspace_id=workspace_id, user_id=user_id, program_id=program_id) > 0


def _remove(session: Session, *, workspace_id: int, user_id: str, program_id: int | None) -> int:
    where = [HostRoleRow.workspace_id == workspace_id, HostRoleRow.slack_user_id == user_id]
    where.append(HostRoleRow.program_id.is_(None) if program_id is None else HostRoleRow.program_id == program_id)
    return int(session.execute(delete(HostRoleRow).where(*where)).rowcount or 0)


# -- the request's scope, enforced on every row a host request loads -------------------------------------------
class OutOfScope(Exception):
    """A host request loaded a row of a program the host neither hosts nor co-hosts."""


_IN_REQUEST: ContextVar[bool] = ContextVar("tandem_host_request", default=False)
_SCOPE: ContextVar[Scope | None] = ContextVar("tandem_host_scope", default=None)


@contextmanager
def host_request() -> Iterator[None]:
    """Around one request (``bot.handlers.adapter.run``): once :func:`enter` says whose scope it runs in, every
    program, and every row that belongs to a program (a ``program_id``), that the request loads must be in it, or
    :class:`OutOfScope` is raised. Flows check the program a request names first; this catches what they miss."""
    in_request, scope = _IN_REQUEST.set(True), _SCOPE.set(None)
    try:
        yield
    finally:
        _SCOPE.reset(scope)
        _IN_REQUEST.reset(in_request)


def enter(scope: Scope) -> None:
    """The host's scope for the rest of the request (outside a request, e.g. the clock or a test, nothing)."""
    if _IN_REQUEST.get():
        _SCOPE.set(scope)


def current() -> Scope | None:
    """The scope the request runs in (None: not a host's request, or outside a request)."""
    return _SCOPE.get()


def check(program_id: int | None) -> None:
    """Raise :class:`OutOfScope` when the request runs in a host's scope that does not hold ``program_id``."""
    scope = _SCOPE.get()
    if scope is not None and program_id is not None and not scope.sees(program_id):
        raise OutOfScope(program_id)


@event.listens_for(Session, "loaded_as_persistent")
def _guard(session: Session, instance: Any) -> None:
    if _SCOPE.get() is None:
        return
    check(instance.id if isinstance(instance, Program) else getattr(instance, "program_id", None))


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, _context: Any, _instances: Any) -> None:
    if _SCOPE.get() is None:
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        check(instance.id if isinstance(instance, Program) else getattr(instance, "program_id", None))
