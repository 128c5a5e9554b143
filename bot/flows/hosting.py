"""``/tandem admin hosts [program] [add|cohost|remove @name ...]``: who hosts what, and changing it.

Tandem admins change everything, admins included; a program's hosts change who hosts and co-hosts it; co-hosts
change nothing. Someone named who is not in the admin channel yet is invited to it (they need to be in it to act).
Every change is told to the program's hosts (``hosts.post_to_hosts``). Bad input changes nothing and says why.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import hosting as blocks
from bot.domain.hosts import HostRole
from bot.flows.cohorts import INVITE_METHOD
from bot.flows.host import AdminSlack, Caller, authorize_host, scope_of
from bot.flows.result import Result
from bot.models import Program, Workspace
from bot.services import hosts, outbox, programs, roles

WORDS = {
    "add": HostRole.HOST,
    "host": HostRole.HOST,
    "hinzufügen": HostRole.HOST,
    "cohost": HostRole.COHOST,
    "co-host": HostRole.COHOST,
    "remove": None,
    "entfernen": None,
}
ADMINS = ("admin", "admins")
MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    scope = scope_of(session, workspace, who)
    tokens = args.split()
    at = next((i for i, t in enumerate(tokens) if t.lower() in WORDS), None)
    name = " ".join(tokens[:at] if at is not None else [t for t in tokens if not MENTION.fullmatch(t)])
    users = MENTION.findall(args)
    if at is None and users:
        return Result(message=blocks.note(who.locale, "error_word", name=name or "Pilot"))
    if at is not None and not users:
        return Result(message=blocks.note(who.locale, "error_who", name=name or "Pilot"))
    if workspace.bot_user_id and workspace.bot_user_id in users:
        return Result(message=blocks.note(who.locale, "error_bot"))
    word = tokens[at].lower() if at is not None else None
    if name.lower() in ADMINS:
        return _admins(session, workspace, who, word, users, scope_admin=scope.admin, slack=slack, now=now)
    program = None
    if name:
        program_id = session.scalar(
            select(Program.id).where(Program.workspace_id == workspace.id, func.lower(Program.name) == name.lower())
        )
        if not scope.sees(program_id):  # one they may not see is one they can't name, as one that doesn't exist
            return Result(message=blocks.note(who.locale, "error_unknown", name=name))
        program = session.get(Program, program_id)
    if program is None:
        return _overview(session, workspace, who, name=None)
    if word is None:
        return _overview(session, workspace, who, name=program.name)
    if not scope.manages(program.id):
        return Result(message=blocks.note(who.locale, "error_not_yours", name=program.name))
    role = WORDS[word]
    if role is None:
        for user_id in users:
            roles.revoke(session, workspace_id=workspace.id, user_id=user_id, program_id=program.id)
        invited: list[str] = []
    else:
        roles.grant(
            session,
            workspace_id=workspace.id,
            user_ids=users,
            role=role,
            program_id=program.id,
            by=who.user_id,
            now=now,
        )
        invited = _invite(session, workspace, users, slack=slack, now=now, cause=f"program:{program.id}")
    held = roles.of_program(session, workspace_id=workspace.id, program_id=program.id)
    hosts.post_to_hosts(
        session,
        workspace,
        program_id=program.id,
        message=lambda locale: blocks.changed(
            locale, by=who.user_id, name=program.name, hosts=held[HostRole.HOST], cohosts=held[HostRole.COHOST]
        ),
        now=now,
        cause=f"hosts-changed:{program.id}:{now.isoformat()}",
        about=outbox.About.of(program=program, users=[who.user_id, *users]),
        also=users,
    )
    session.commit()
    return _overview(session, workspace, who, name=program.name, invited=invited)


def _admins(
    session: Session,
    workspace: Workspace,
    who: Caller,
    word: str | None,
    users: list[str],
    *,
    scope_admin: bool,
    slack: AdminSlack,
    now: datetime,
) -> Result:
    if word is None:
        return _overview(session, workspace, who, name=None)
    if not scope_admin:
        return Result(message=blocks.note(who.locale, "error_admins"))
    workspace_id = workspace.id
    if WORDS[word] is None:
        left = [u for u in roles.admins(session, workspace_id=workspace_id) if u not in users]
        if not left:
            return Result(message=blocks.note(who.locale, "error_last_admin"))
        for user_id in users:
            roles.revoke(session, workspace_id=workspace_id, user_id=user_id, program_id=None)
        invited: list[str] = []
    else:
        roles.grant(
            session,
            workspace_id=workspace_id,
            user_ids=users,
            role=HostRole.ADMIN,
            program_id=None,
            by=who.user_id,
            now=now,
        )
        invited = _invite(session, workspace, users, slack=slack, now=now, cause="admins")
    hosts.post_to_hosts(
        session,
        workspace,
        program_id=None,
        message=lambda locale: blocks.admins_changed(
            locale, by=who.user_id, users=roles.admins(session, workspace_id=workspace_id)
        ),
        now=now,
        cause=f"admins-changed:{workspace_id}:{now.isoformat()}",
        about=outbox.About.of(users=[who.user_id, *users]),
        also=users,
    )
    session.commit()
    return _overview(session, workspace, who, name=None, invited=invited)


def _invite(
    session: Session, workspace: Workspace, users: list[str], *, slack: AdminSlack, now: datetime, cause: str
) -> list[str]:
    """Invite into the admin channel whoever named is not in it yet; returns them."""
    channel = workspace.admin_channel_id
    present = set(slack.members(channel)) if channel else set()
    new = [u for u in dict.fromkeys(users) if u not in present]
    if new and channel:
        outbox.enqueue(
            session,
            workspace_id=workspace.id,
            method=INVITE_METHOD,
            payload={"channel": channel, "users": ",".join(new)},
            now=now,
            about=outbox.About.of(users=new),
            dedupe_key=f"hosts-invite:{cause}:{','.join(sorted(new))}:{now.isoformat()}",
        )
    return new


def _overview(
    session: Session,
    workspace: Workspace,
    who: Caller,
    *,
    name: str | None,
    invited: list[str] = (),  # type: ignore[assignment]
) -> Result:
    workspace_id = workspace.id
    scope = roles.scope(session, workspace_id=workspace_id, user_id=who.user_id)
    listed = programs.listing(session, workspace_id=workspace_id, scope=scope)
    if name is not None:
        listed = [p for p in listed if p.name.lower() == name.lower()]
    rows = []
    for program in listed:
        held = roles.of_program(session, workspace_id=workspace_id, program_id=program.id)
        rows.append((program.name, held[HostRole.HOST], held[HostRole.COHOST]))
    admins = roles.admins(session, workspace_id=workspace_id) if name is None else None
    return Result(message=blocks.overview(who.locale, admins=admins, programs=rows, invited=list(invited)))
