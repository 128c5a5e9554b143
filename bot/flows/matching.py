"""Hosts run matching from the admin channel (``/tandem admin match``, a program's Match button, or on the
program's matching date by the clock): a preview to adjust (lock, swap, run again, discard), then approval,
which introduces each pair in its own group DM."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import admin as admin_blocks
from bot.blocks import matching as blocks
from bot.blocks import speed as speed_blocks
from bot.blocks.inputs import state_values
from bot.blocks.programs import date_text
from bot.domain import matching as rules
from bot.flows.common import as_int, view_meta
from bot.flows.host import (
    AdminSlack,
    Caller,
    SlackUnavailable,
    announce,
    authorize_host,
    host_program,
    modal_program,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.models import MatchRound, Pair, Participant, Program, ProgramStatus, RoundStatus, Workspace
from bot.services import agreements, kickoff, matching, outbox, programs, reporting, speed

log = logging.getLogger(__name__)


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
    session: Session,
    workspace: Workspace,
    program: Program,
    round_: MatchRound,
    *,
    locale: str,
    now: datetime,
    headline: str | None = None,
    cause: str | None = None,
    commit: bool = True,
) -> None:
    """Post the round's preview to the admin channel as a new message (``cause``: its dedupe key)."""
    pairs, unmatched = matching.preview_rows(session, round_)
    message = blocks.preview(
        locale,
        program_name=program.name,
        round_id=round_.id,
        pairs=pairs,
        unmatched=unmatched,
        stats=round_.stats,
        headline=headline,
    )
    names = matching.round_people(session, round_)
    host = [round_.created_by, round_.approved_by]
    about = outbox.About.of(program=program, people=names, users=host)
    announce(session, workspace, message, cause=cause or f"match-preview:{round_.id}", now=now, about=about)
    if commit:
        session.commit()


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin match [program name]``: a fresh preview in the admin channel."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    active = [p for p in programs.listing(session, workspace_id=workspace.id) if p.status == ProgramStatus.ACTIVE]
    wanted = args.strip().casefold()
    chosen = [p for p in active if p.name.casefold() == wanted] if wanted else active
    if len(chosen) != 1:
        if not active:
            return Result(message=admin_blocks.note(who.locale, "no_active_program"))
        return Result(message=blocks.note(who.locale, "no_program", names=" | ".join(p.name for p in active)))
    return _run(session, workspace, chosen[0], who, now, slack)


def _refresh_profiles(
    session: Session, workspace: Workspace, program: Program, slack: AdminSlack, now: datetime
) -> None:
    """A host runs matching: the mapped Slack profile field is read again for the people to be paired (nothing when
    no field is mapped). When Slack does not answer, the lines read before stay. Does not commit."""
    people = [p.slack_user_id for p in matching.pool(session, program)]
    if not workspace.manager_field_id or not people:
        return
    try:
        read = reporting.read_profiles(
            people, workspace.manager_field_id, value=slack.profile_value, lookup_email=slack.lookup_email
        )
    except SlackUnavailable:
        log.warning("workspace %s: profile field unreadable; matching uses the lines read before", workspace.id)
        return
    reporting.set_profile_managers(session, workspace_id=workspace.id, found=read.found, now=now)


def _speed_open(session: Session, program: Program, who: Caller) -> Result | None:
    """While the program's speed-dating round is being prepared or open, no preview is made, changed or approved:
    it would read the answers given so far, and a pair gone or a count of pairs ruled out "for private reasons" up
    by one would show a host someone's "no" (or yes, or ranking) as it is given. Matching runs once it closes."""
    running = speed.open_round(session, program=program)
    if running is None:
        return None
    deadline = speed_blocks.when(who.locale, running.closes_at, program.timezone)
    return Result(message=blocks.note(who.locale, "speed_open", name=program.name, deadline=deadline))


def _run(
    session: Session, workspace: Workspace, program: Program, who: Caller, now: datetime, slack: AdminSlack
) -> Result:
    waiting = _speed_open(session, program, who)
    if waiting is not None:
        return waiting
    _refresh_profiles(session, workspace, program, slack, now)
    round_ = matching.propose(session, program=program, created_by=who.user_id, now=now)
    _post_preview(session, workspace, program, round_, locale=who.locale, now=now)
    return Result()


def run(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """A Match button (a program card, or any summary in the admin channel; ``value``: the program id): what
    ``/tandem admin match <program>`` does."""
    workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    if program.status != ProgramStatus.ACTIVE:
        return Result(message=blocks.note(who.locale, "not_active", name=program.name))
    return _run(session, workspace, program, who, now, slack)


def action(session: Session, who: Caller, action_id: str, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """A preview button: what to tell the host; for a lock, the re-rendered preview replaces the message."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    round_id, proposal_id = parsed if isinstance(parsed, list) and len(parsed) == 2 else (parsed, None)
    round_id = as_int(round_id) if isinstance(round_id, int) else None
    round_ = session.get(MatchRound, round_id) if round_id is not None else None
    program = session.get(Program, round_.program_id) if round_ is not None else None
    if round_ is None or program is None or program.workspace_id != workspace.id:
        return Result(message=admin_blocks.note(who.locale, "program_missing"))
    stale = Result(message=blocks.note(who.locale, "stale"))
    waiting = _speed_open(session, program, who) if action_id != ID.MATCH_DISCARD else None
    if waiting is not None:
        return waiting
    if action_id == ID.MATCH_SWAP:
        if round_.status != RoundStatus.PREVIEW:
            return stale
        return Result(view=blocks.swap_modal(who.locale, round_id=round_.id, program_name=program.name))
    if action_id == ID.MATCH_LOCK:
        if not isinstance(proposal_id, int) or not matching.toggle_lock(
            session, round_=round_, proposal_id=proposal_id
        ):
            return stale
        pairs, unmatched = matching.preview_rows(session, round_)
        return Result(
            replace=blocks.preview(
                who.locale,
                program_name=program.name,
                round_id=round_.id,
                pairs=pairs,
                unmatched=unmatched,
                stats=round_.stats,
            )
        )
    if action_id == ID.MATCH_RERUN:
        if round_.status != "preview":
            return stale
        _refresh_profiles(session, workspace, program, slack, now)
        fresh = matching.propose(session, program=program, created_by=who.user_id, now=now)
        _post_preview(session, workspace, program, fresh, locale=who.locale, now=now)
        return Result()
    if action_id == ID.MATCH_DISCARD:
        if not matching.discard(session, round_=round_):
            return stale
        announce(
            session,
            workspace,
            blocks.note(who.locale, "discarded", host=who.user_id, name=program.name),
            cause=f"match-discard:{round_.id}",
            now=now,
            about=outbox.About.of(program=program, users=[who.user_id]),
        )
        session.commit()
        return Result()
    if action_id == ID.MATCH_APPROVE:
        pairs = matching.approve(
            session,
            round_=round_,
            approved_by=who.user_id,
            now=now,
            introduction=_introduction(program),
            waiting=lambda person: blocks.note(person.locale, "waiting", program=program.name),
        )
        agreements.start(session, program=program, pairs=pairs, now=now)  # each pair's agreement, after its intro
        kickoff.send(session, program=program, pairs=pairs, now=now)  # each partner's kick-off kit, in working time
        if not pairs and round_.status != "approved":
            return stale
        announce(
            session,
            workspace,
            blocks.note(
                who.locale,
                "approved",
                host=who.user_id,
                name=program.name,
                pairs=len(pairs),
                apart=int((round_.stats or {}).get("kept_apart_at_approval", 0)),
            ),
            cause=f"match-approved:{round_.id}",
            now=now,
            about=outbox.About.of(program=program, users=[who.user_id]),
        )
        session.commit()
        return Result()
    return stale


def submit_swap(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The swap modal was submitted: the two people trade places in the preview, which is posted again with a line
    saying who swapped whom. Anything wrong is shown on the field it is about, and nothing changes."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        text = str((refusal.message or {}).get("text") or i18n.plain(who.locale, "admin", "not_host"))
        return Result(errors={ID.MATCH_SWAP_PERSON.value: text})
    round_id = view_meta(view).get("round_id")
    round_id = as_int(round_id) if isinstance(round_id, int) else None
    round_ = session.get(MatchRound, round_id) if round_id is not None else None
    program = session.get(Program, round_.program_id) if round_ is not None else None
    if round_ is None or program is None or program.workspace_id != workspace.id:
        return Result(errors=blocks.swap_error(who.locale, key="stale", field="person"))
    if speed.open_round(session, program=program) is not None:  # see _speed_open
        return Result(errors=blocks.swap_error(who.locale, key="speed_open", field="person"))
    values = state_values(view)
    person, other = values.get(ID.MATCH_SWAP_PERSON.value), values.get(ID.MATCH_SWAP_WITH.value)
    if not isinstance(person, str) or not person:
        return Result(errors=blocks.swap_error(who.locale, key="not_in_round", field="person"))
    if not isinstance(other, str) or not other:
        return Result(errors=blocks.swap_error(who.locale, key="not_in_round", field="other"))
    outcome = matching.swap(session, round_=round_, person=person, other=other)
    if outcome.error is not None:
        session.rollback()
        a, b = outcome.names
        if outcome.refused:  # the rules refused it: every host hears that someone tried (never which pair)
            announce(
                session,
                workspace,
                blocks.note(who.locale, "swap_refused", host=who.user_id, n=outcome.refused),
                cause=f"match-refused:{round_.id}:{outcome.refused}",
                now=now,
                about=outbox.About.of(program_id=round_.program_id, users=[who.user_id]),
            )
            session.commit()
        return Result(errors=blocks.swap_error(who.locale, key=outcome.error, field=outcome.field, a=a, b=b))
    x, y = outcome.names
    _post_preview(
        session,
        workspace,
        program,
        round_,
        locale=who.locale,
        now=now,
        headline=i18n.text(who.locale, "matching", "swapped", host=who.user_id, x=x, y=y),
        cause=f"match-preview:{round_.id}:swap:{outcome.swaps}",
    )
    return Result()


def run_scheduled(session: Session, now: datetime) -> int:
    """Due job: on each active program's matching date, from 09:00 in its zone, post a fresh preview to the admin
    channel saying it was scheduled; once per date. Without an admin channel the date is only marked handled.
    Does not commit (the tick does). Returns how many previews it posted."""
    posted = 0
    for due in matching.due_scheduled(session, now=now):
        program, workspace = due.program, due.workspace
        assert program.match_on is not None
        if speed.open_round(session, program=program) is not None:
            continue  # runs once the round has closed (see _speed_open; matching.next_scheduled waits for it)
        matching.mark_scheduled_done(program)
        if not workspace.admin_channel_id:
            log.warning("program %s: scheduled matching on %s skipped: no admin channel", program.id, program.match_on)
            continue
        locale = program.default_locale
        round_ = matching.propose(session, program=program, created_by=None, now=now, commit=False)
        _post_preview(
            session,
            workspace,
            program,
            round_,
            locale=locale,
            now=now,
            headline=i18n.text(
                locale, "matching", "scheduled", name=program.name, date=date_text(locale, program.match_on)
            ),
            commit=False,
        )
        posted += 1
    return posted


def next_scheduled(session: Session, now: datetime) -> datetime | None:
    """``NextDue`` of :func:`run_scheduled`: the first moment a program's matching date has come, from 09:00 in its
    zone; None when no active program has a date still to run."""
    return matching.next_scheduled(session, now=now)


# -- the program's matching weights ---------------------------------------------------------------------------
def weights_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's "Matching weights": the modal with the program's weights, each with its default."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    current = rules.Weights.from_overrides(program.matching_weights)
    return Result(
        view=blocks.weights_modal(
            who.locale,
            program_id=program.id,
            program_name=program.name,
            current={name: getattr(current, name) for name in rules.WEIGHT_NAMES},
            defaults={name: getattr(rules.Weights(), name) for name in rules.WEIGHT_NAMES},
        )
    )


def submit_weights(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """Save the program's weights (only those that differ from the defaults). Anything wrong is said on its field
    and nothing is stored; what the host typed stays in the modal."""
    first = blocks.WEIGHT_FIELDS[rules.WEIGHT_NAMES[0]].value
    _workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    typed = {name: values.get(block_id.value) for name, block_id in blocks.WEIGHT_FIELDS.items()}
    overrides, errors = rules.parse_weights(typed)
    if overrides is None:
        return Result(errors=blocks.weights_errors(who.locale, errors))
    program.matching_weights = overrides
    program.updated_at = now
    session.commit()
    return Result()
