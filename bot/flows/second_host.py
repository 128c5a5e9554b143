"""A second host decides on a removal or a closing another host asked for (``bot.services.confirmations``):
*Confirm* does it, *Decline* drops it; either way the request is gone and the hosts who may see it are told. Only
someone other than the one who asked, who may see what it concerns, within a week."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import hosting as blocks
from bot.domain.hosts import Confirmable
from bot.domain.polls import THRESHOLD_MIN
from bot.flows import admin as admin_flow
from bot.flows import privacy as privacy_flow
from bot.flows.common import as_int
from bot.flows.host import AdminSlack, Caller, authorize_host, scope_of
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Program
from bot.services import confirmations, hosts, outbox, people


def decide(session: Session, who: Caller, action_id: str, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    row, problem = confirmations.take(session, workspace, confirmation_id=as_int(value), decider=who.user_id, now=now)
    if row is not None:
        scope = scope_of(session, workspace, who)
        allowed = scope.admin or scope.sees(row.program_id)
        if row.kind == Confirmable.REMOVE:
            allowed = allowed and privacy_flow.may_remove(session, workspace, who, row.target)
        if not allowed:
            row, problem = None, "missing"
    if row is None:
        session.commit()  # an expired request is gone
        return Result(message=blocks.note(who.locale, f"decide_{problem}"))
    kind, target, program_id, asked_id = Confirmable(row.kind), row.target, row.program_id, row.id
    session.delete(row)
    about = outbox.About.of(program_id=program_id, users=[who.user_id])
    if action_id != ID.HOST_CONFIRM:
        hosts.post_to_hosts(
            session,
            workspace,
            program_id=program_id,
            message=lambda locale: blocks.note(locale, "declined", by=who.user_id),
            now=now,
            cause=f"host-declined:{asked_id}:{secrets.token_hex(6)}",
            about=about,
        )
        session.commit()
        return Result(replace=blocks.note(who.locale, "declined", by=who.user_id))
    if kind is Confirmable.THRESHOLD:
        program = session.get(Program, program_id) if program_id else None
        new = as_int(target.split(":")[-1]) or 0
        if program is None or new < THRESHOLD_MIN:
            session.commit()
            return Result(message=blocks.note(who.locale, "decide_missing"))
        program.poll_threshold = new
        program.updated_at = now
        name = program.name
        hosts.post_to_hosts(
            session,
            workspace,
            program_id=program_id,
            message=lambda locale: blocks.note(locale, "confirmed_threshold", by=who.user_id, name=name, new=new),
            now=now,
            cause=f"host-confirmed:{asked_id}:{secrets.token_hex(6)}",
            about=about,
        )
        session.commit()
        return Result(replace=blocks.note(who.locale, "confirmed_threshold", by=who.user_id, name=name, new=new))
    if kind is Confirmable.CLOSE:
        program = session.get(Program, int(target))
        if program is None:
            session.commit()
            return Result(message=blocks.note(who.locale, "decide_missing"))
        done = admin_flow.act_on_program(session, workspace, who, program, ID.PROGRAM_CLOSE, now=now)
        return Result(
            message=done.message, replace=blocks.note(who.locale, "confirmed_close", by=who.user_id, name=program.name)
        )
    person = people.find_participant(session, team_id=who.team_id, user_id=target)
    if person is None:
        session.commit()
        return Result(message=blocks.note(who.locale, "decide_missing"))
    hosts.post_to_hosts(
        session,
        workspace,
        program_id=program_id,
        message=lambda locale: blocks.note(locale, "confirmed_remove", by=who.user_id, person=target),
        now=now,
        cause=f"host-confirmed:{asked_id}:{secrets.token_hex(6)}",
        about=outbox.About.of(program_id=program_id, people=[person], users=[who.user_id]),
    )
    return privacy_flow.remove_now(session, who, person, now=now)
