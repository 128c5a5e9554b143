"""Cohorts of a topic path: *Start the next cohort* on a program card (the program modal, prefilled; saving it
creates the program and copies the setup, see ``bot.flows.admin.submit_program``), and alumni of the path's
earlier cohorts as co-hosts: Tandem invites the ones a host picks into the admin channel (hosts are its members)
and welcomes them by DM. Only alumni can be picked; bad input keeps the modal open and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import cohorts as blocks
from bot.blocks.inputs import state_values
from bot.domain.hosts import HostRole
from bot.flows.host import AdminSlack, Caller, announce, host_program, modal_program
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Participant, Program, Workspace
from bot.services import cohorts, outbox, programs, roles

INVITE_METHOD = "conversations.invite"


def next_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, source, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or source is None:
        return refusal or Result()
    name = cohorts.next_name(source, set(programs.names(session, workspace_id=source.workspace_id, except_id=None)))
    return Result(
        view=blocks.next_modal(
            who.locale, source=source, name=name, default_focus=i18n.plain(who.locale, "common", "focus_question")
        )
    )


def after_create(
    session: Session, workspace: Workspace, who: Caller, *, program: Program, source_id: Any, now: datetime
) -> bool:
    """Called by ``submit_program`` for a new program made with *Start the next cohort*: copy the setup and
    announce it with the alumni offer. False when ``source_id`` names no program of this workspace."""
    try:
        source = programs.get(session, workspace=workspace, program_id=int(source_id))
    except (TypeError, ValueError):
        source = None
    if source is None:
        return False
    cohorts.copy_setup(session, source, program, now=now)
    counts = programs.counts(session, program_ids=[program.id])[program.id]
    announce(
        session,
        workspace,
        blocks.created(
            program.default_locale,
            program=program,
            source=source,
            host=who.user_id,
            counts=counts,
            alumni=len(cohorts.alumni(session, program)),
        ),
        cause=f"program:{program.id}:cohort-created",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    return True


def _path_name(session: Session, program: Program) -> str:
    first = cohorts.cohorts(session, program)
    return first[0].name if first else program.name


def alumni_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    found = cohorts.alumni(session, program)
    if not found:
        return Result(message=blocks.note(who.locale, "no_alumni", program=program.name))
    return Result(
        view=blocks.alumni_modal(who.locale, program=program, path=_path_name(session, program), alumni=found)
    )


def submit_alumni(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    field = ID.COHORT_ALUMNI_PICK.value
    workspace, program, refusal = modal_program(session, who, view, field=field, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    if not workspace.admin_channel_id:
        return Result(errors={field: blocks._p(who.locale, "not_admin_channel")})
    picked = [u for u in state_values(view).get(field) or [] if isinstance(u, str)]
    if not picked:
        return Result(errors={field: blocks._p(who.locale, "error_none")})
    found = cohorts.alumni(session, program)
    if any(u not in found for u in picked):
        return Result(errors={field: blocks._p(who.locale, "error_not_alumni")})
    # co-hosts of this cohort: they see and act on it, and on no other program
    roles.grant(
        session,
        workspace_id=workspace.id,
        user_ids=[u for u in picked if not roles.scope(session, workspace_id=workspace.id, user_id=u).admin],
        role=HostRole.COHOST,
        program_id=program.id,
        by=who.user_id,
        now=now,
    )
    present = set(slack.members(workspace.admin_channel_id))
    new = [u for u in picked if u not in present]
    if new:
        outbox.enqueue(
            session,
            workspace_id=workspace.id,
            method=INVITE_METHOD,
            payload={"channel": workspace.admin_channel_id, "users": ",".join(new)},
            now=now,
            about=outbox.About.of(program=program, users=new),
            dedupe_key=f"cohort-alumni:{program.id}:{','.join(sorted(new))}",
        )
    for user_id in picked:
        person = session.scalar(
            select(Participant).where(Participant.workspace_id == workspace.id, Participant.slack_user_id == user_id)
        )
        locale = person.locale if person else program.default_locale
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=user_id,
            message=blocks.note(
                locale, "welcome_dm", host=who.user_id, program=program.name, channel=workspace.admin_channel_id
            ),
            now=now,
            about=outbox.About.of(program=program, users=[user_id]),
            dedupe_key=f"cohort-alumni-welcome:{program.id}:{user_id}",
        )
    announce(
        session,
        workspace,
        blocks.note(
            who.locale,
            "invited",
            host=who.user_id,
            users=picked,
            program=program.name,
        ),
        cause=f"cohort-alumni-invited:{program.id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id, *picked]),
    )
    session.commit()
    return Result()
