"""What hosts do from the admin channel about programs: ``/tandem admin
setup|new|programs|invite|digest|playbook|help``, the program cards' buttons, and the program and invite modals.

Each function checks who may do it first (the route adapter checked it too); a refusal changes nothing and says
why. It returns a ``Result`` saying what to show; the adapter shows it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import admin as blocks
from bot.blocks import hosting as hosting_blocks
from bot.blocks.inputs import state_values
from bot.domain.hosts import Confirmable, HostRole
from bot.domain.programs import parse_program_form
from bot.flows.common import as_int, view_meta
from bot.flows.host import (
    MOVED,
    AdminSlack,
    Caller,
    announce,
    authorize_host,
    commanded_program,
    host_program,
    refusal_note,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Program, ProgramStatus, Workspace
from bot.services import confirmations, digest, enrollments, hosts, outbox, people, programs, roles
from bot.services import playbook as host_playbook


# -- /tandem admin <word>: each is a route in bot.routes (its class: hosts; ``setup`` also workspace admins) ----------
def setup(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin setup``: make this channel the admin channel."""
    return _setup(session, who, slack, now)


def new_program(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin new``: the program modal, empty."""
    _workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    locale = who.locale
    return Result(
        view=blocks.program_modal(
            locale,
            program=None,
            private_metadata={"program_id": None},
            default_focus=i18n.plain(locale, "common", "focus_question"),
        )
    )


def program_list(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin programs [part of a name]``: every program the host sees (those whose name holds the words),
    with its counts."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    listed = programs.listing(session, workspace_id=workspace.id)
    wanted = " ".join(args.split()).casefold()
    if wanted:
        listed = [p for p in listed if wanted in p.name.casefold()]
    counts = programs.counts(session, program_ids=[p.id for p in listed])
    return Result(message=blocks.program_list(who.locale, [(p, counts[p.id]) for p in listed]))


def invite(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin invite``: the invite modal."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    return _invite_modal(session, workspace, who.locale, selected=None)


def _named_or_all(
    session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime
) -> tuple[Workspace, Program | None, None] | tuple[None, None, Result]:
    """For ``/tandem admin <word> [program]``: the host's workspace and the program named (None: none named, so every
    one they may see), or the Result that refuses. The host is authorized once."""
    if args.strip():
        program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=blocks.note)
        if refusal is not None:
            return None, None, refusal
        assert program is not None
        workspace = session.get(Workspace, program.workspace_id)
        assert workspace is not None  # a program's workspace
        return workspace, program, None
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return None, None, refusal
    return workspace, None, None


def digest_now(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin digest [program]``: today's digest (of the program named, else of every program the host may
    see) in the admin channel now."""
    workspace, only, refusal = _named_or_all(session, who, args, slack=slack, now=now)
    if refusal is not None:
        return refusal
    posted = digest.post_now(session, workspace=workspace, now=now, only=only)
    return Result(message=None if posted else blocks.note(who.locale, "digest_none"))


def playbook(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin playbook [program]``: what to do this week in the program named, else in every open program the
    host may see (``bot.services.playbook``)."""
    workspace, only, refusal = _named_or_all(session, who, args, slack=slack, now=now)
    if refusal is not None:
        return refusal
    weeks = host_playbook.this_week(session, workspace_id=workspace.id, now=now, only=only)
    return Result(message=blocks.playbook(who.locale, weeks))


def admin_help(who: Caller, word: str) -> Result:
    """``/tandem admin help``, and any word Tandem doesn't know (said first)."""
    if word == "help":
        return Result(message=blocks.admin_help(who.locale))
    preface = i18n.text(who.locale, "admin", "unknown", command=word)
    return Result(message=blocks.admin_help(who.locale, preface=preface))


def _setup(session: Session, who: Caller, slack: AdminSlack, now: datetime) -> Result:
    assert who.channel_id
    workspace = people.get_or_create_workspace(session, team_id=who.team_id, bot_user_id=who.bot_user_id, now=now)
    session.commit()
    if workspace.admin_channel_id == who.channel_id:  # asked again: Slack is asked again what the channel is
        workspace.admin_members_fetched_at = None
        session.commit()
        standing = hosts.standing(session, workspace, slack=slack, now=now)
        if standing.problems:
            unsafe = hosts.Verdict(workspace, hosts.Refusal.UNSAFE, standing.problems)
            return Result(message=refusal_note(who.locale, unsafe))
        return Result(message=blocks.note(who.locale, "setup_already"))
    status = slack.channel_status(who.channel_id)
    if status is None:
        return Result(message=blocks.note(who.locale, "bot_not_in_channel"))
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
        return Result(message=refusal_note(who.locale, verdict))
    if old_channel:  # what was held back for the old, public (archived, shared) admin channel never goes there
        outbox.park_channel(session, workspace_id=verdict.workspace.id, channel=old_channel, reason=MOVED, now=now)
    count = len(hosts.host_ids(session, verdict.workspace, slack=slack, now=now))
    announce(
        session,
        verdict.workspace,
        blocks.note(who.locale, "setup_done", host=who.user_id, count=count),
        cause=f"setup:{who.channel_id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(users=[who.user_id]),
    )
    session.commit()
    return Result()


def _invite_modal(session: Session, workspace: Workspace, locale: str, *, selected: int | None) -> Result:
    active = [p for p in programs.listing(session, workspace_id=workspace.id) if p.status == ProgramStatus.ACTIVE]
    if not active:
        return Result(message=blocks.note(locale, "no_active_program"))
    return Result(view=blocks.invite_modal(locale, programs=active, selected=selected, private_metadata={}))


ACTIONS = {ID.PROGRAM_PAUSE: "pause", ID.PROGRAM_RESUME: "resume", ID.PROGRAM_CLOSE: "close"}
EVENT_BLOCK = {"pause": "paused", "resume": "resumed", "close": "closed"}


def program_action(
    session: Session, who: Caller, action_id: str, value: str, *, slack: AdminSlack, now: datetime
) -> Result:
    """A button on a program card in the admin channel."""
    workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    locale = who.locale
    if action_id == ID.PROGRAM_EDIT:
        return Result(
            view=blocks.program_modal(
                locale,
                program=program,
                private_metadata={"program_id": program.id},
                default_focus=i18n.plain(locale, "common", "focus_question"),
            )
        )
    if action_id == ID.PROGRAM_INVITE:
        return _invite_modal(session, workspace, locale, selected=program.id)
    if action_id == ID.PROGRAM_CLOSE and program.status != ProgramStatus.CLOSED:
        asked = confirmations.ask(
            session, workspace, kind=Confirmable.CLOSE, target=str(program.id), requester=who.user_id, now=now
        )
        if asked is not None:  # a second host of the program confirms (bot.flows.second_host)
            hosts.post_to_hosts(
                session,
                workspace,
                program_id=program.id,
                message=lambda loc: hosting_blocks.ask(
                    loc, kind="close", by=who.user_id, name=program.name, confirmation_id=asked.id
                ),
                now=now,
                cause=f"host-confirm:{asked.id}:{secrets.token_hex(6)}",
                about=outbox.About.of(program=program, users=[who.user_id]),
            )
            session.commit()
            return Result(message=hosting_blocks.note(locale, "waiting"))
    return act_on_program(session, workspace, who, program, action_id, now=now)


def act_on_program(
    session: Session, workspace: Workspace, who: Caller, program: Program, action_id: str, *, now: datetime
) -> Result:
    """Open or close sign-up, pause, resume or close the program, and tell its hosts."""
    locale = who.locale
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
        return Result(message=blocks.note(locale, f"error_{err.key}"))
    counts = programs.counts(session, program_ids=[program.id])[program.id]
    announce(
        session,
        workspace,
        blocks.program_event(program.default_locale, event, program=program, host_id=who.user_id, counts=counts),
        cause=f"program:{program.id}:{event}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


def submit_program(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The program modal was submitted."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        return Result(errors={ID.PROGRAM_NAME.value: _refusal_text(refusal, who.locale)})
    meta = view_meta(view)
    program: Program | None = None
    if meta.get("program_id"):
        program = programs.get(session, workspace=workspace, program_id=as_int(meta["program_id"]) or 0)
        if program is None:
            return Result(errors={ID.PROGRAM_NAME.value: i18n.plain(who.locale, "admin", "program_missing")})
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
        return Result(errors=blocks.program_errors(who.locale, errors))
    try:
        if program is None:
            program = programs.create(
                session, workspace=workspace, spec=spec, created_by=who.user_id, timezone=who.tz, now=now
            )
            roles.grant(  # who creates a program hosts it (and may say who else does)
                session,
                workspace_id=workspace.id,
                user_ids=[who.user_id],
                role=HostRole.HOST,
                program_id=program.id,
                by=who.user_id,
                now=now,
            )
            roles.enter(roles.scope(session, workspace_id=workspace.id, user_id=who.user_id))
            event = "created"
        else:
            programs.update(session, program=program, spec=spec, now=now)
            event = "updated"
    except programs.ProgramError as err:
        session.rollback()
        return Result(errors={ID.PROGRAM_NAME.value: i18n.plain(who.locale, "admin", f"error_{err.key}")})
    if event == "created" and meta.get("copy_from"):
        from bot.flows import cohorts as cohorts_flow

        if cohorts_flow.after_create(session, workspace, who, program=program, source_id=meta["copy_from"], now=now):
            session.commit()
            return Result()
    counts = programs.counts(session, program_ids=[program.id])[program.id]
    announce(
        session,
        workspace,
        blocks.program_event(who.locale, event, program=program, host_id=who.user_id, counts=counts),
        cause=f"program:{program.id}:{event}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


def submit_invites(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The invite modal was submitted: record the request; the worker invites everyone."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        return Result(errors={ID.INVITE_PROGRAM.value: _refusal_text(refusal, who.locale)})
    values = state_values(view)
    program_id = values.get(ID.INVITE_PROGRAM.value)
    program = programs.get(session, workspace=workspace, program_id=as_int(program_id) or 0)
    if program is None or program.status != ProgramStatus.ACTIVE:
        return Result(errors={ID.INVITE_PROGRAM.value: i18n.plain(who.locale, "invite", "err_program")})
    users = [u for u in values.get(ID.INVITE_USERS.value) or [] if isinstance(u, str)]
    channel = values.get(ID.INVITE_CHANNEL.value)
    if not users and not channel:
        return Result(errors={ID.INVITE_USERS.value: i18n.plain(who.locale, "invite", "err_nobody")})
    enrollments.request_invites(
        session, program=program, requested_by=who.user_id, user_ids=users, channel_id=channel, now=now
    )
    return Result()


def _refusal_text(reply: Result, locale: str) -> str:
    message = reply.message or {}
    return str(message.get("text") or i18n.plain(locale, "admin", "not_host"))
