"""Speed dating: hosts start a round from the admin channel (``/tandem admin speed`` or the program card);
participants answer their card by DM; the clock reminds once and closes the round at its deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import admin as admin_blocks
from bot.blocks import speed as blocks
from bot.blocks.inputs import state_values
from bot.domain import speed as domain
from bot.flows.common import as_int
from bot.flows.host import AdminSlack, Caller, announce, authorize_host
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Participant, Program, ProgramStatus, SpeedRound, Workspace
from bot.services import matching, outbox, people, programs, speed


def _card_renderer(program: Program) -> speed.CardRenderer:
    def render(
        viewer: Participant, entries: list[speed.CardEntry], round_: SpeedRound, reminder: bool
    ) -> dict[str, Any]:
        return card_message(program, viewer, entries, round_, reminder=reminder, open_=True)

    return render


def card_message(
    program: Program,
    viewer: Participant,
    entries: list[speed.CardEntry],
    round_: SpeedRound,
    *,
    reminder: bool = False,
    open_: bool = True,
) -> dict[str, Any]:
    return blocks.card(
        viewer.locale,
        name=viewer.display_name,
        program=program.name,
        deadline=blocks.when(viewer.locale, round_.closes_at, viewer.tz),
        entries=[
            {
                "intro_id": e.intro.id,
                "name": e.candidate.display_name,
                "department": e.candidate.department,
                "about": e.candidate.self_description,
                "reasons": e.intro.reasons,
                "answer": e.intro.answer,
                "rank": e.intro.rank,
            }
            for e in entries
        ],
        reminder=reminder,
        open_=open_,
    )


def _active(session: Session, workspace: Workspace) -> list[Program]:
    return [p for p in programs.listing(session, workspace_id=workspace.id) if p.status == ProgramStatus.ACTIVE]


def _modal(locale: str, active: list[Program], selected: Program | None, now: datetime) -> Result:
    zone = (selected or active[0]).timezone
    return Result(
        view=blocks.modal(
            locale,
            programs=[(p.id, p.name, p.timezone) for p in active],
            selected=selected.id if selected else None,
            closes_on=domain.default_closing_day(now, zone).isoformat(),
            tz=zone,
        )
    )


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin speed [program name]``: the modal to start a round."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    active = _active(session, workspace)
    if not active:
        return Result(message=blocks.note(who.locale, "no_active_program"))
    wanted = args.strip().casefold()
    selected = next((p for p in active if p.name.casefold() == wanted), None)
    return _modal(who.locale, active, selected, now)


def program_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's "Speed dating" button."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    active = _active(session, workspace)
    selected = next((p for p in active if str(p.id) == value), None)
    if selected is None:
        return Result(message=admin_blocks.note(who.locale, "program_missing"))
    return _modal(who.locale, active, selected, now)


def submit(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The host's modal: check it, pick the intros, queue every card, tell the admin channel."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        message = refusal.message or {}
        return Result(errors={ID.SPEED_PROGRAM.value: str(message.get("text") or "")})
    values = state_values(view)
    program_id = str(values.get(ID.SPEED_PROGRAM.value) or "")
    program = next((p for p in _active(session, workspace) if str(p.id) == program_id), None)
    if program is None:
        return Result(errors=blocks.errors(who.locale, {"program": "program"}))
    closes_at, error = domain.parse_deadline(values.get(ID.SPEED_CLOSES_ON.value), now=now, tz=program.timezone)
    if error is not None or closes_at is None:
        return Result(errors=blocks.errors(who.locale, {"closes_on": error or "closes_on.required"}))
    running = speed.open_round(session, program=program)
    if running is not None:
        deadline = blocks.when(who.locale, running.closes_at, program.timezone)
        return Result(errors=blocks.errors(who.locale, {"program": "already_open"}, deadline=deadline))
    if len(matching.pool(session, program)) < 2:
        return Result(errors=blocks.errors(who.locale, {"program": "nobody"}))
    speed.request(session, program=program, closes_at=closes_at, created_by=who.user_id, now=now)
    return Result()


def prepare_rounds(session: Session, now: datetime) -> int:
    """Clock job: pick the intros of requested rounds, queue the cards, and tell the hosts how it went."""
    prepared = speed.prepare_due(session, now=now, card=_card_renderer)
    for round_ in prepared:
        program = session.get(Program, round_.program_id)
        workspace = session.get(Workspace, program.workspace_id) if program else None
        if program is None or workspace is None:
            continue
        host = (
            people.find_participant(session, team_id=workspace.team_id, user_id=round_.created_by)
            if round_.created_by
            else None
        )
        locale = host.locale if host else program.default_locale
        if round_.stats.get("intros"):
            message = blocks.started(
                locale,
                host=round_.created_by or "",
                program=program.name,
                stats=round_.stats,
                deadline=blocks.when(locale, round_.closes_at, program.timezone),
                tz=program.timezone,
            )
        else:
            message = blocks.note(locale, "nobody_compatible", program=program.name)
        announce(
            session,
            workspace,
            message,
            cause=f"speed-start:{round_.id}",
            now=now,
            about=outbox.About.of(program=program, users=[round_.created_by]),
        )
    return len(prepared)


def next_prepare(session: Session, now: datetime) -> datetime | None:
    """``NextDue`` of :func:`prepare_rounds`: now while a requested round waits, else None."""
    return speed.next_prepare(session, now=now)


def answer(session: Session, participant: Participant, action_id: str, value: str, *, now: datetime) -> Result:
    """A button on a card. Returns (the card to replace the message with, a note only the clicker sees)."""
    locale = participant.locale
    chosen = blocks.ANSWER_OF.get(action_id)
    intro_id = as_int(value)
    if chosen is None or intro_id is None:
        return Result(message=blocks.note(locale, "invalid"))
    outcome, round_ = speed.answer(session, participant=participant, intro_id=intro_id, answer=chosen, now=now)
    return _card_after(session, participant, outcome, round_)


def rank(session: Session, participant: Participant, action_id: str, value: str, *, now: datetime) -> Result:
    """A rank button on a card (1st to 3rd choice): the card with the new ranks, or a note only the clicker sees."""
    locale = participant.locale
    chosen = blocks.RANK_OF.get(action_id)
    intro_id = as_int(value)
    if chosen is None or intro_id is None:
        return Result(message=blocks.note(locale, "invalid"))
    outcome, round_ = speed.rank(session, participant=participant, intro_id=intro_id, rank=chosen, now=now)
    return _card_after(session, participant, outcome, round_)


def _card_after(
    session: Session, participant: Participant, outcome: speed.Answered, round_: SpeedRound | None
) -> Result:
    """After an answer or a rank: the card as it now stands, or why nothing changed (a note only the clicker sees)."""
    locale = participant.locale
    if outcome is speed.Answered.NOT_YOURS or round_ is None:
        return Result(message=blocks.note(locale, "not_yours"))
    if outcome is speed.Answered.INVALID:
        return Result(message=blocks.note(locale, "invalid"))
    program = session.get(Program, round_.program_id)
    assert program is not None
    entries = speed.card_entries(session, round_=round_, participant=participant)
    if outcome is speed.Answered.CLOSED:
        deadline = blocks.when(locale, round_.closes_at, participant.tz)
        closed_card = card_message(program, participant, entries, round_, open_=False)
        return Result(replace=closed_card, message=blocks.note(locale, "closed", deadline=deadline))
    return Result(replace=card_message(program, participant, entries, round_))


def send_reminders(session: Session, now: datetime) -> int:
    """Clock job: the one reminder, a day before a round closes."""
    cards: dict[int, speed.CardRenderer] = {}

    def render(viewer: Participant, entries: list[speed.CardEntry], round_: SpeedRound, reminder: bool) -> dict:
        if round_.program_id not in cards:
            program = session.get(Program, round_.program_id)
            assert program is not None
            cards[round_.program_id] = _card_renderer(program)
        return cards[round_.program_id](viewer, entries, round_, reminder)

    return speed.remind(session, now=now, card=render)


def next_reminders(session: Session, now: datetime) -> datetime | None:
    """``NextDue`` of :func:`send_reminders`: when an open round's one reminder falls due."""
    return speed.next_remind(session, now=now)


def close_rounds(session: Session, now: datetime) -> int:
    """Clock job: close rounds past their deadline and give the hosts the counts, with a button to match."""
    closed = speed.close_due(session, now=now)
    for round_, counts in closed:
        program = session.get(Program, round_.program_id)
        workspace = session.get(Workspace, program.workspace_id) if program else None
        if program is None or workspace is None:
            continue
        announce(
            session,
            workspace,
            blocks.closed_for_hosts(program.default_locale, program=program.name, program_id=program.id, counts=counts),
            cause=f"speed-closed:{round_.id}",
            now=now,
            about=outbox.About.of(program=program),  # counts
        )
    return len(closed)


def next_close(session: Session, now: datetime) -> datetime | None:
    """``NextDue`` of :func:`close_rounds`: the earliest deadline of an open round."""
    return speed.next_close(session, now=now)
