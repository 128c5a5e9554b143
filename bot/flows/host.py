"""The host kit every host flow shares: who is acting (``Caller``), what the admin flows ask Slack
(``AdminSlack``), the check that they are a host (``authorize_host``), the program a button or a command names, and
posting to the admin channel (``announce``). A refusal changes nothing and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import admin as blocks
from bot.domain.hosts import ChannelStatus, Scope
from bot.flows.common import as_int, view_meta
from bot.flows.result import Result
from bot.models import Program, Workspace
from bot.services import hosts, outbox, people, programs, roles


class SlackUnavailable(Exception):
    """Slack did not answer a question a flow needs (an error other than "not found", or its rate limit held)."""


class AdminSlack(Protocol):
    """What the admin flow needs to ask Slack (``bot.services.hosts.HostsSlack`` and more)."""

    def members(self, channel_id: str) -> list[str]: ...

    def is_workspace_admin(self, user_id: str) -> bool: ...

    def channel_status(self, channel_id: str) -> ChannelStatus | None:
        """Whether the channel is private, archived, shared; None if Tandem cannot see the channel."""
        ...

    # reporting lines (bot.flows.orgchart); bot.slack.admin_port.SlackAdmin says what each does
    def profile_fields(self) -> list[tuple[str, str]] | None: ...

    def profile_value(self, user_id: str, field_id: str) -> str | None: ...

    def lookup_email(self, email: str) -> str | None: ...

    def download(self, file: dict[str, Any], *, uploader: str, max_bytes: int) -> bytes | None: ...

    def profile(self, user_id: str) -> people.SlackProfile: ...


@dataclass(frozen=True)
class Caller:
    team_id: str
    bot_user_id: str | None
    user_id: str
    channel_id: str | None
    locale: str
    tz: str
    name: str = ""  # as Tandem stores it, or as Slack says (a host need not be in any program)


MOVED = "admin channel moved"  # the outbox's last_error for what was held for an admin channel that was replaced


def authorize_host(
    session: Session, who: Caller, slack: AdminSlack, now: datetime, *, anywhere: bool = False
) -> tuple[Workspace, Result | None]:
    verdict = hosts.authorize(
        session,
        team_id=who.team_id,
        bot_user_id=who.bot_user_id,
        user_id=who.user_id,
        channel_id=who.channel_id,
        slack=slack,
        now=now,
        anywhere=anywhere,
    )
    if verdict.ok:
        roles.enter(verdict.scope)
        return verdict.workspace, None
    return verdict.workspace, Result(message=refusal_note(who.locale, verdict))


def scope_of(session: Session, workspace: Workspace, who: Caller) -> Scope:
    """The programs the (authorized) host may see and act on."""
    return roles.scope(session, workspace_id=workspace.id, user_id=who.user_id)


def refusal_note(locale: str, verdict: hosts.Verdict) -> dict[str, Any]:
    """Why a host action (or the setup) was refused, in words."""
    assert verdict.refusal is not None
    channel = verdict.workspace.admin_channel_id or ""
    if verdict.refusal is hosts.Refusal.UNSAFE:
        return blocks.channel_unsafe(locale, channel=channel, problems=verdict.problems)
    context = {"channel": channel} if verdict.refusal is hosts.Refusal.WRONG_CHANNEL else {}
    return blocks.note(locale, verdict.refusal.value, **context)


def host_program(
    session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime
) -> tuple[Workspace, Program | None, Result | None]:
    """A host's button whose value is a program id: the workspace and the program, or the reply that refuses
    (not a host, or no such program in this workspace)."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return workspace, None, refusal
    program_id = as_int(value) or 0
    if not scope_of(session, workspace, who).sees(program_id):  # not theirs, or none: the same words
        return workspace, None, Result(message=blocks.note(who.locale, "program_missing"))
    program = programs.get(session, workspace=workspace, program_id=program_id)
    if program is None:
        return workspace, None, Result(message=blocks.note(who.locale, "program_missing"))
    return workspace, program, None


def modal_program(
    session: Session,
    who: Caller,
    view: dict[str, Any],
    *,
    field: str,
    slack: AdminSlack,
    now: datetime,
    missing: str | None = None,
) -> tuple[Workspace, Program | None, Result | None]:
    """A host's modal about one program (its id in the view's private metadata): the workspace and the program, or
    the answer that refuses, on ``field``: not a host, or no such program, or one the host may not see (the same
    words, ``missing`` or "program_missing", so a probe learns nothing)."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        return workspace, None, Result(errors={field: str((refusal.message or {}).get("text") or "")})
    program_id = as_int(view_meta(view).get("program_id"))
    seen = program_id is not None and scope_of(session, workspace, who).sees(program_id)
    program = programs.get(session, workspace=workspace, program_id=program_id) if seen else None
    if program is None:
        return workspace, None, Result(errors={field: missing or i18n.plain(who.locale, "admin", "program_missing")})
    return workspace, program, None


def named_program(
    session: Session, workspace: Workspace, args: str, scope: Scope
) -> tuple[Program | None, str | None, dict[str, str]]:
    """The program a host's ``/tandem admin <sub> [program]`` means, among those ``scope`` lets them see: the one
    named (any case), else the only one not closed. Otherwise None and why, as a note key (``host_unknown_program``,
    ``host_no_program`` or ``host_which_program``) with its context, for the caller to word. A program they may not
    see is unknown to them, as one that does not exist."""
    name = " ".join(args.split())
    if name:
        program_id = session.scalar(
            select(Program.id).where(Program.workspace_id == workspace.id, func.lower(Program.name) == name.lower())
        )
        program = session.get(Program, program_id) if scope.sees(program_id) else None
        return (program, None, {}) if program is not None else (None, "host_unknown_program", {"name": name})
    listed = programs.listing(session, workspace_id=workspace.id, scope=scope)
    if not listed:
        return None, "host_no_program", {}
    if len(listed) > 1:
        return None, "host_which_program", {"names": ", ".join(p.name for p in listed)}
    return listed[0], None, {}


def commanded_program(
    session: Session,
    who: Caller,
    args: str,
    *,
    slack: AdminSlack,
    now: datetime,
    note: Callable[..., dict[str, Any]],
) -> tuple[Program | None, Result | None]:
    """For ``/tandem admin <sub> [program]``: the program a host means, or the Result that refuses (not a host) or
    says why there is none, worded by the feature's ``note(locale, block, **context)``."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return None, refusal
    program, missing, context = named_program(session, workspace, args, scope_of(session, workspace, who))
    if program is None:
        return None, Result(message=note(who.locale, missing or "host_no_program", **context))
    return program, None


def announce(
    session: Session,
    workspace: Workspace,
    message: dict[str, Any],
    *,
    cause: str,
    now: datetime,
    about: outbox.About,
) -> None:
    """Post ``message`` in the admin channel, once per ``cause``; ``about``: the program and the people it names."""
    outbox.to_hosts(session, workspace, message, cause=cause, now=now, about=about)
