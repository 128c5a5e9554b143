"""Hosts run matching from the admin channel: a preview to adjust (lock, run again, discard), then approval,
which introduces each pair in its own group DM."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import admin as admin_blocks
from bot.blocks import matching as blocks
from bot.flows.admin import AdminSlack, Caller, Reply, announce, authorize_host
from bot.ids import ID
from bot.models import MatchRound, Pair, Participant, Program, ProgramStatus, Workspace
from bot.services import matching, programs


def _intro_locale(a: Participant, b: Participant) -> str:
    return a.locale if a.locale == b.locale else "en"


def _introduction(program: Program):  # type: ignore[no-untyped-def]
    def render(pair: Pair, a: Participant, b: Participant) -> dict[str, Any]:
        return blocks.introduction(
            _intro_locale(a, b),
            program=program.name,
            reasons=pair.reasons,
            a={"id": a.slack_user_id, "name": a.display_name, "about": a.self_description},
            b={"id": b.slack_user_id, "name": b.display_name, "about": b.self_description},
        )

    return render


def _post_preview(
    session: Session, workspace: Workspace, program: Program, round_: MatchRound, *, locale: str, now: datetime
) -> None:
    pairs, unmatched = matching.preview_rows(session, round_)
    message = blocks.preview(
        locale, program_name=program.name, round_id=round_.id, pairs=pairs, unmatched=unmatched, stats=round_.stats
    )
    announce(session, workspace, message, cause=f"match-preview:{round_.id}", now=now)
    session.commit()


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Reply:
    """``/tandem admin match [program name]``: a fresh preview in the admin channel."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    active = [p for p in programs.listing(session, workspace_id=workspace.id) if p.status == ProgramStatus.ACTIVE]
    wanted = args.strip().casefold()
    chosen = [p for p in active if p.name.casefold() == wanted] if wanted else active
    if len(chosen) != 1:
        if not active:
            return Reply(message=admin_blocks.note(who.locale, "no_active_program"))
        return Reply(message=blocks.note(who.locale, "no_program", names=" | ".join(p.name for p in active)))
    round_ = matching.propose(session, program=chosen[0], created_by=who.user_id, now=now)
    _post_preview(session, workspace, chosen[0], round_, locale=who.locale, now=now)
    return Reply()


def action(
    session: Session, who: Caller, action_id: str, value: str, *, slack: AdminSlack, now: datetime
) -> tuple[Reply, dict[str, Any] | None]:
    """A preview button. Returns the reply and, for a lock, the re-rendered preview to replace the message."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal, None
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    round_id, proposal_id = parsed if isinstance(parsed, list) and len(parsed) == 2 else (parsed, None)
    round_ = session.get(MatchRound, round_id) if isinstance(round_id, int) else None
    program = session.get(Program, round_.program_id) if round_ is not None else None
    if round_ is None or program is None or program.workspace_id != workspace.id:
        return Reply(message=admin_blocks.note(who.locale, "program_missing")), None
    stale = Reply(message=blocks.note(who.locale, "stale"))
    if action_id == ID.MATCH_LOCK:
        if not isinstance(proposal_id, int) or not matching.toggle_lock(
            session, round_=round_, proposal_id=proposal_id
        ):
            return stale, None
        pairs, unmatched = matching.preview_rows(session, round_)
        return Reply(), blocks.preview(
            who.locale,
            program_name=program.name,
            round_id=round_.id,
            pairs=pairs,
            unmatched=unmatched,
            stats=round_.stats,
        )
    if action_id == ID.MATCH_RERUN:
        if round_.status != "preview":
            return stale, None
        fresh = matching.propose(session, program=program, created_by=who.user_id, now=now)
        _post_preview(session, workspace, program, fresh, locale=who.locale, now=now)
        return Reply(), None
    if action_id == ID.MATCH_DISCARD:
        if not matching.discard(session, round_=round_):
            return stale, None
        announce(
            session,
            workspace,
            blocks.note(who.locale, "discarded", host=who.user_id, name=program.name),
            cause=f"match-discard:{round_.id}",
            now=now,
        )
        session.commit()
        return Reply(), None
    if action_id == ID.MATCH_APPROVE:
        pairs = matching.approve(
            session, round_=round_, approved_by=who.user_id, now=now, introduction=_introduction(program)
        )
        if not pairs and round_.status != "approved":
            return stale, None
        announce(
            session,
            workspace,
            blocks.note(who.locale, "approved", host=who.user_id, name=program.name, pairs=len(pairs)),
            cause=f"match-approved:{round_.id}",
            now=now,
        )
        session.commit()
        return Reply(), None
    return stale, None
