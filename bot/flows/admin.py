"""What hosts do from the admin channel: ``/tandem admin ...``, program buttons and the two admin modals.

Each function checks who may do it first; a refusal changes nothing and says why. It returns a ``Reply``
saying what to show; the handler shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import admin as blocks
from bot.blocks.inputs import state_values
from bot.domain.hosts import ChannelStatus
from bot.domain.programs import parse_program_form
from bot.flows.common import as_int, view_meta
from bot.ids import ID
from bot.models import Program, ProgramStatus, Workspace
from bot.services import digest, enrollments, hosts, outbox, people, programs


class AdminSlack(Protocol):
    """What the admin flow needs to ask Slack (``bot.services.hosts.HostsSlack`` and more)."""

    def members(self, channel_id: str) -> list[str]: ...

    def is_workspace_admin(self, user_id: str) -> bool: ...

    def channel_status(self, channel_id: str) -> ChannelStatus | None:
        """Whether the channel is private, archived, shared; None if Tandem cannot see the channel."""
        ...

    def profile(self, user_id: str) -> people.SlackProfile: ...


@dataclass
class Reply:
    message: dict[str, Any] | None = None  # shown only to the host
    view: dict[str, Any] | None = None  # a modal to open
    errors: dict[str, str] = field(default_factory=dict)  # modal field errors


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
) -> tuple[Workspace, Reply | None]:
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
        return verdict.workspace, None
    return verdict.workspace, Reply(message=refusal_note(who.locale, verdict))


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
) -> tuple[Workspace, Program | None, Reply | None]:
    """A host's button whose value is a program id: the workspace and the program, or the reply that refuses
    (not a host, or no such program in this workspace)."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return workspace, None, refusal
    program = programs.get(session, workspace=workspace, program_id=as_int(value) or 0)
    if program is None:
        return workspace, None, Reply(message=blocks.note(who.locale, "program_missing"))
    return workspace, program, None


def named_program(
    session: Session, workspace: Workspace, args: str
) -> tuple[Program | None, str | None, dict[str, str]]:
    """The program a host's ``/tandem admin <sub> [program]`` means: the one named (any case), else the only one not
    closed. Otherwise None and why, as a note key (``host_unknown_program``, ``host_no_program`` or
    ``host_which_program``) with its context, for the caller to word."""
    name = " ".join(args.split())
    if name:
        program = session.scalar(
            select(Program).where(Program.workspace_id == workspace.id, func.lower(Program.name) == name.lower())
        )
        return (program, None, {}) if program is not None else (None, "host_unknown_program", {"name": name})
    listed = [p for p in programs.listing(session, workspace_id=workspace.id) if p.status != ProgramStatus.CLOSED]
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
) -> tuple[Program | None, Reply | None]:
    """For ``/tandem admin <sub> [program]``: the program a host means, or the Reply that refuses (not a host) or
    says why there is none, worded by the feature's ``note(locale, block, **context)``."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return None, refusal
    program, missing, context = named_program(session, workspace, args)
    if program is None:
        return None, Reply(message=note(who.locale, missing or "host_no_program", **context))
    return program, None


def announce(session: Session, workspace: Workspace, message: dict[str, Any], *, cause: str, now: datetime) -> None:
    if workspace.admin_channel_id:
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=message,
            now=now,
            dedupe_key=cause,
        )


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Reply:
    """``/tandem admin <sub>``."""
    sub = (args.split() or ["help"])[0].lower()
    if sub == "setup":
        return _setup(session, who, slack, now)
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    locale = who.locale
    if sub in ("new", "create"):
        meta = {"program_id": None}
        return Reply(
            view=blocks.program_modal(
                locale,
                program=None,
                private_metadata=meta,
                default_focus=i18n.plain(locale, "common", "focus_question"),
            )
        )
    if sub in ("programs", "list"):
        listed = programs.listing(session, workspace_id=workspace.id)
        counts = programs.counts(session, program_ids=[p.id for p in listed])
        return Reply(message=blocks.program_list(locale, [(p, counts[p.id]) for p in listed]))
    if sub == "invite":
        return _invite_modal(session, workspace, locale, selected=None)
    if sub == "match":
        from bot.flows import matching as matching_flow

        return matching_flow.command(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub in ("speed", "speed-dating", "speeddating"):
        from bot.flows import speed as speed_flow

        return speed_flow.command(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub == "notes":
        from bot.flows import notes as notes_flow

        return notes_flow.host_listing(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub == "retro":
        from bot.flows import retro as retro_flow

        return retro_flow.host_overview(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub in ("pulse", "polls", "poll"):
        from bot.flows import polls as polls_flow

        return polls_flow.host_results(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub in ("impact", "dashboard", "metrics", "wirkung"):
        from bot.flows import impact as impact_flow

        return impact_flow.host_dashboard(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub == "export":
        from bot.flows import impact as impact_flow

        return impact_flow.host_export(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub == "digest":
        posted = digest.post_now(session, workspace=workspace, now=now)
        return Reply(message=None if posted else blocks.note(locale, "digest_none"))
    if sub in ("remove", "entfernen"):
        from bot.flows import privacy as privacy_flow

        return privacy_flow.remove_command(session, who, args.strip()[len(sub) :], slack=slack, now=now)
    if sub == "help":
        return Reply(message=blocks.admin_help(locale))
    return Reply(message=blocks.admin_help(locale, preface=i18n.text(locale, "admin", "unknown", command=sub)))


def _setup(session: Session, who: Caller, slack: AdminSlack, now: datetime) -> Reply:
    assert who.channel_id
    workspace = people.get_or_create_workspace(session, team_id=who.team_id, bot_user_id=who.bot_user_id, now=now)
    session.commit()
    if workspace.admin_channel_id == who.channel_id:  # asked again: Slack is asked again what the channel is
        workspace.admin_members_fetched_at = None
        session.commit()
        standing = hosts.standing(session, workspace, slack=slack, now=now)
        if standing.problems:
            unsafe = hosts.Verdict(workspace, hosts.Refusal.UNSAFE, standing.problems)
            return Reply(message=refusal_note(who.locale, unsafe))
        return Reply(message=blocks.note(who.locale, "setup_already"))
    status = slack.channel_status(who.channel_id)
    if status is None:
        return Reply(message=blocks.note(who.locale, "bot_not_in_channel"))
    old_channel = workspace.admin_channel_id if workspace.admin_channel_problems else None
    verdict = hosts.claim_admin_channel(
        session,
        team_id=who.team_id,
        bot_user_id=who.bot_user_id,
        user_id=who.user_id,
        channel_id=who.channel_id,
        status=status,
        user_is_workspace_admin=slack.is_workspace_admin(who.user_id),
        slack=slack,
        now=now,
    )
    if not verdict.ok:
        return Reply(message=refusal_note(who.locale, verdict))
    if old_channel:  # what was held back for the old, public (archived, shared) admin channel never goes there
        outbox.park_channel(session, workspace_id=verdict.workspace.id, channel=old_channel, reason=MOVED, now=now)
    count = len(hosts.host_ids(session, verdict.workspace, slack=slack, now=now))
    announce(
        session,
        verdict.workspace,
        blocks.note(who.locale, "setup_done", host=who.user_id, count=count),
        cause=f"setup:{who.channel_id}:{now.isoformat()}",
        now=now,
    )
    session.commit()
    return Reply()


def _invite_modal(session: Session, workspace: Workspace, locale: str, *, selected: int | None) -> Reply:
    active = [p for p in programs.listing(session, workspace_id=workspace.id) if p.status == ProgramStatus.ACTIVE]
    if not active:
        return Reply(message=blocks.note(locale, "no_active_program"))
    return Reply(view=blocks.invite_modal(locale, programs=active, selected=selected, private_metadata={}))


ACTIONS = {ID.PROGRAM_PAUSE: "pause", ID.PROGRAM_RESUME: "resume", ID.PROGRAM_CLOSE: "close"}
EVENT_BLOCK = {"pause": "paused", "resume": "resumed", "close": "closed"}


def program_action(
    session: Session, who: Caller, action_id: str, value: str, *, slack: AdminSlack, now: datetime
) -> Reply:
    """A button on a program card in the admin channel."""
    workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Reply()
    locale = who.locale
    if action_id == ID.PROGRAM_EDIT:
        return Reply(
            view=blocks.program_modal(
                locale,
                program=program,
                private_metadata={"program_id": program.id},
                default_focus=i18n.plain(locale, "common", "focus_question"),
            )
        )
    if action_id == ID.PROGRAM_INVITE:
        return _invite_modal(session, workspace, locale, selected=program.id)
    try:
        if action_id == ID.PROGRAM_SIGNUP:
            programs.toggle_signup(session, program=program, now=now)
            event = "signup_opened" if program.signup_open else "signup_closed"
        else:
            action = ACTIONS[ID(action_id)]
            programs.transition(session, program=program, action=action, now=now)
            event = EVENT_BLOCK[action]
    except programs.ProgramError as err:
        session.rollback()
        return Reply(message=blocks.note(locale, f"error_{err.key}"))
    counts = programs.counts(session, program_ids=[program.id])[program.id]
    announce(
        session,
        workspace,
        blocks.program_event(program.default_locale, event, program=program, host_id=who.user_id, counts=counts),
        cause=f"program:{program.id}:{event}:{now.isoformat()}",
        now=now,
    )
    session.commit()
    return Reply()


def submit_program(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Reply:
    """The program modal was submitted."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        return Reply(errors={ID.PROGRAM_NAME.value: _refusal_text(refusal, who.locale)})
    meta = view_meta(view)
    program: Program | None = None
    if meta.get("program_id"):
        program = programs.get(session, workspace=workspace, program_id=as_int(meta["program_id"]) or 0)
        if program is None:
            return Reply(errors={ID.PROGRAM_NAME.value: i18n.plain(who.locale, "admin", "program_missing")})
    values = state_values(view)
    raw = {field: values.get(block.value) for field, block in blocks.PROGRAM_FIELD_BLOCKS.items()}
    raw["signup_open"] = "open" in (values.get(ID.PROGRAM_SIGNUP_OPEN.value) or [])
    pending_match_on = program.match_on if program and program.match_ran_on != program.match_on else None
    spec, errors = parse_program_form(
        raw,
        existing_names=programs.names(session, workspace_id=workspace.id, except_id=program.id if program else None),
        default_focus=i18n.plain(who.locale, "common", "focus_question"),
        today=programs.local_today(program.timezone if program else who.tz, now=now),
        current_match_on=pending_match_on,
    )
    if spec is None:
        return Reply(errors=blocks.program_errors(who.locale, errors))
    try:
        if program is None:
            program = programs.create(
                session, workspace=workspace, spec=spec, created_by=who.user_id, timezone=who.tz, now=now
            )
            event = "created"
        else:
            programs.update(session, program=program, spec=spec, now=now)
            event = "updated"
    except programs.ProgramError as err:
        session.rollback()
        return Reply(errors={ID.PROGRAM_NAME.value: i18n.plain(who.locale, "admin", f"error_{err.key}")})
    if event == "created" and meta.get("copy_from"):
        from bot.flows import cohorts as cohorts_flow

        if cohorts_flow.after_create(session, workspace, who, program=program, source_id=meta["copy_from"], now=now):
            session.commit()
            return Reply()
    counts = programs.counts(session, program_ids=[program.id])[program.id]
    announce(
        session,
        workspace,
        blocks.program_event(who.locale, event, program=program, host_id=who.user_id, counts=counts),
        cause=f"program:{program.id}:{event}:{now.isoformat()}",
        now=now,
    )
    session.commit()
    return Reply()


def submit_invites(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Reply:
    """The invite modal was submitted: record the request; the worker invites everyone."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        return Reply(errors={ID.INVITE_PROGRAM.value: _refusal_text(refusal, who.locale)})
    values = state_values(view)
    program_id = values.get(ID.INVITE_PROGRAM.value)
    program = programs.get(session, workspace=workspace, program_id=as_int(program_id) or 0)
    if program is None or program.status != ProgramStatus.ACTIVE:
        return Reply(errors={ID.INVITE_PROGRAM.value: i18n.plain(who.locale, "invite", "err_program")})
    users = [u for u in values.get(ID.INVITE_USERS.value) or [] if isinstance(u, str)]
    channel = values.get(ID.INVITE_CHANNEL.value)
    if not users and not channel:
        return Reply(errors={ID.INVITE_USERS.value: i18n.plain(who.locale, "invite", "err_nobody")})
    enrollments.request_invites(
        session, program=program, requested_by=who.user_id, user_ids=users, channel_id=channel, now=now
    )
    return Reply()


def _refusal_text(reply: Reply, locale: str) -> str:
    message = reply.message or {}
    return str(message.get("text") or i18n.plain(locale, "admin", "not_host"))
