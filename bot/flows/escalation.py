"""Escalations: a person asks the hosts for help and decides what they see; a pattern of last-minute
cancellations reaches the hosts without a name; hosts answer the person through Tandem. A program with the
late-cancellation log off (``Program.late_cancel_log``, ``bot.domain.monitoring``) gives its hosts a count of the
people with a pattern instead: no escalation, nothing to answer.

What reaches the admin channel is exactly ``Escalation.shared``: what the person wrote and ticked, or for a
pattern the program and a count. Never a note, never anything from a pair's thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import escalation as blocks
from bot.blocks.inputs import state_values
from bot.domain import notes as rules
from bot.domain import worktime
from bot.flows.common import as_int, view_meta
from bot.flows.host import AdminSlack, Caller, announce, authorize_host, scope_of
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Escalation, EscalationKind, Participant, Program, Workspace
from bot.services import escalations, notes, outbox, people


def _context(session: Session, participant: Participant) -> tuple[list[Any], list[str], list[Program]]:
    """The person's active pairs, their partners' names, and the programs they are in."""
    pairs = notes.pairs_of(session, participant=participant)
    labels = notes.labels(session, participant=participant, pairs=pairs)
    partners = [labels[p.id][0] for p in pairs]
    program_ids = notes.member_program_ids(session, participant=participant)
    programs = [p for p in (session.get(Program, i) for i in sorted(program_ids)) if p is not None]
    return pairs, partners, programs


def open_help(session: Session, *, participant: Participant, initial: str | None = None) -> dict[str, Any]:
    """``/tandem help-me`` and the "I need help" button: the modal (``initial``: its text begun, e.g. by a kick-off
    lesson's *Ask the hosts*)."""
    _, partners, programs = _context(session, participant)
    return blocks.help_modal(
        participant.locale,
        name=participant.display_name,
        partners=partners,
        programs=[p.name for p in programs],
        initial=initial,
    )


def _partner_ids(pairs: list[Any], participant: Participant) -> list[int]:
    return [p.participant_b_id if p.participant_a_id == participant.id else p.participant_a_id for p in pairs]


def submit_help(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """The help-me modal was sent: field errors, or the view that replaces the modal. With errors nothing
    changes and the modal keeps what was typed."""
    locale = participant.locale
    workspace = session.get(Workspace, participant.workspace_id)
    if workspace is None or not workspace.admin_channel_id:
        return Result(errors={ID.HELP_ME_TEXT.value: blocks.error_text(locale, "err_no_hosts")})
    values = state_values(view)
    text = (values.get(ID.HELP_ME_TEXT.value) or "").strip()
    chosen = [c for c in values.get(ID.HELP_ME_SHARE.value) or [] if isinstance(c, str)]
    pairs, partners, programs = _context(session, participant)
    shared = rules.shared_with_hosts(
        text=text,
        chosen=chosen,
        name=participant.display_name,
        partners=partners,
        programs=[p.name for p in programs],
    )
    participant = people.register(session, participant=participant, now=now)  # asking the hosts: now they are stored
    escalation = escalations.create(
        session,
        workspace_id=workspace.id,
        kind=EscalationKind.HELP,
        participant=participant,
        shared=shared,
        now=now,
        # only what was shared points anywhere: the pair if the partner was named, the program if it was
        pair_id=pairs[0].id if "partner" in shared and len(pairs) == 1 else None,
        program_id=programs[0].id if "program" in shared and len(programs) == 1 else None,
    )
    hosts_locale = escalations.hosts_locale(session, workspace_id=workspace.id)
    announce(
        session,
        workspace,
        blocks.hosts_message(hosts_locale, escalation_id=escalation.id, kind=escalation.kind, shared=shared),
        cause=f"escalation:{escalation.id}",
        now=now,
        # whom it may name: the person, and the partners when they chose to share them
        about=outbox.About.of(
            program_id=escalation.program_id,
            people=[participant, *(_partner_ids(pairs, participant) if "partner" in shared else [])],
        ),
    )
    session.commit()
    return Result(view=blocks.sent_view(locale, shared))


def _may_answer(session: Session, workspace: Workspace, who: Caller, escalation: Escalation) -> bool:
    """A request for help that names its program is for that program's hosts; one that names none, for the Tandem
    admins (it may concern any program)."""
    scope = scope_of(session, workspace, who)
    return scope.admin or scope.sees(escalation.program_id)


def open_answer(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """A host clicked "Result" on an escalation in the admin channel."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    escalation = escalations.get(session, workspace_id=workspace.id, escalation_id=as_int(value))
    if escalation is None or not _may_answer(session, workspace, who, escalation):
        return Result(message=blocks.note(who.locale, "missing"))
    return Result(
        view=blocks.answer_modal(
            who.locale,
            escalation_id=escalation.id,
            kind=escalation.kind,
            shared=escalation.shared,
            host_name=who.name or who.user_id,
        )
    )


def submit_answer(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """A host sent an answer: it reaches the person by DM, signed with the host's name if they chose so."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    field = ID.ESCALATION_ANSWER_TEXT.value
    if refusal is not None:
        message = refusal.message or {}
        return Result(errors={field: str(message.get("text") or "")})
    escalation_id = view_meta(view).get("escalation_id")
    escalation = escalations.get(
        session,
        workspace_id=workspace.id,
        escalation_id=as_int(escalation_id) if isinstance(escalation_id, int) else None,
    )
    if escalation is None or not _may_answer(session, workspace, who, escalation):
        return Result(errors={field: blocks.error_text(who.locale, "missing")})
    values = state_values(view)
    text = (values.get(field) or "").strip()
    if not text:
        return Result(errors={field: blocks.error_text(who.locale, "err_answer_empty")})
    if len(text) > rules.ANSWER_TEXT_MAX:
        return Result(errors={field: blocks.error_text(who.locale, "err_answer_too_long")})
    person = session.get(Participant, escalation.participant_id)
    if person is None:
        return Result(errors={field: blocks.error_text(who.locale, "missing")})
    signed = "sign" in (values.get(ID.ESCALATION_ANSWER_SIGN.value) or [])
    number = escalations.record_answer(session, escalation=escalation, host_id=who.user_id, now=now)
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=person.slack_user_id,
        message=blocks.answer_dm(
            person.locale, kind=escalation.kind, host=(who.name or None) if signed else None, text=text
        ),
        now=now,
        about=outbox.About.of(program_id=escalation.program_id, people=[person]),
        dedupe_key=f"escalation-answer:{escalation.id}:{number}",
    )
    announce(
        session,
        workspace,
        blocks.answered(
            escalations.hosts_locale(session, workspace_id=workspace.id),
            host_id=who.user_id,
            escalation_id=escalation.id,
        ),
        cause=f"escalation-answered:{escalation.id}:{number}",
        now=now,
        about=outbox.About.of(program_id=escalation.program_id, people=[person], users=[who.user_id]),
    )
    session.commit()
    return Result()


def late_patterns(session: Session, now: datetime) -> int:
    """Due job: a person with repeated last-minute cancellations reaches the hosts once, without a name; the
    person hears about it by DM in their workday daytime. Returns how many patterns escalated. Does not commit
    (the tick does)."""
    # without an admin channel there are no hosts to tell: the cancellations wait, uncounted, while they still count
    found = [p for p in escalations.late_patterns(session, now=now) if p.workspace.admin_channel_id]
    weeks = rules.LATE_WINDOW.days // 7
    counted: dict[int, list[escalations.LatePattern]] = {}  # programs with the late-cancellation log off
    for pattern in found:
        if not pattern.program.late_cancel_log:
            counted.setdefault(pattern.program.id, []).append(pattern)
            continue
        shared = {"program": pattern.program.name, "count": len(pattern.cancellation_ids), "weeks": weeks}
        escalation = escalations.create(
            session,
            workspace_id=pattern.workspace.id,
            kind=EscalationKind.LATE_PATTERN,
            participant=pattern.participant,
            shared=shared,
            now=now,
            pair_id=pattern.pair.id,
            program_id=pattern.program.id,
        )
        escalations.mark_escalated(session, cancellation_ids=pattern.cancellation_ids, now=now)
        hosts_locale = escalations.hosts_locale(session, workspace_id=pattern.workspace.id)
        announce(
            session,
            pattern.workspace,
            blocks.hosts_message(hosts_locale, escalation_id=escalation.id, kind=escalation.kind, shared=shared),
            cause=f"escalation:{escalation.id}",
            now=now,
            about=outbox.About.of(program=pattern.program, people=[pattern.participant]),
        )
        person = pattern.participant
        outbox.post(
            session,
            workspace_id=pattern.workspace.id,
            channel=person.slack_user_id,
            message=blocks.pattern_notice(
                person.locale, program=pattern.program.name, count=len(pattern.cancellation_ids), weeks=weeks
            ),
            now=now,
            about=outbox.About.of(program=pattern.program, people=[person]),
            not_before=worktime.of(person, pattern.program).next_working(now),
            dedupe_key=f"escalation-notice:{escalation.id}",
        )
    for patterns in counted.values():
        _count_patterns(session, patterns, weeks=weeks, now=now)
    return len(found)


def _count_patterns(session: Session, patterns: list[escalations.LatePattern], *, weeks: int, now: datetime) -> None:
    """A program with the late-cancellation log off: its hosts hear how many people made a pattern, not who, once a
    week with the release (``bot.services.impact.counts_only`` counts the cancellations marked here; no escalation:
    nothing to answer, nothing kept per person); each person gets their notice now."""
    program, workspace = patterns[0].program, patterns[0].workspace
    for pattern in patterns:
        escalations.mark_escalated(session, cancellation_ids=pattern.cancellation_ids, now=now)
    for pattern in patterns:
        person = pattern.participant
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=person.slack_user_id,
            message=blocks.pattern_notice(
                person.locale, program=program.name, count=len(pattern.cancellation_ids), weeks=weeks, counted=True
            ),
            now=now,
            about=outbox.About.of(program=program, people=[person]),
            not_before=worktime.of(person, program).next_working(now),
            dedupe_key=f"late-pattern-notice:{min(pattern.cancellation_ids)}",
        )


def next_late_patterns(session: Session, now: datetime) -> datetime | None:
    """When :func:`late_patterns` may next act (``bot.services.ticks.NextDue``): now when a pattern reaches the
    hosts now; else when one may form (``escalations.next_late_pattern``)."""
    if any(p.workspace.admin_channel_id for p in escalations.late_patterns(session, now=now)):
        return now
    return escalations.next_late_pattern(session, now=now)
