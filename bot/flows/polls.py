"""Anonymous mood polls as people meet them: "Result the pulse" in the DM and its modal; for hosts
``/tandem admin pulse [program]`` (results held to the threshold) and the program card's "Pulse settings" modal.

Someone who may not answer (not asked, already answered, too late) is told so kindly and nothing changes. Each
function returns what to show; the handler shows it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import hosting as hosting_blocks
from bot.blocks import polls as blocks
from bot.blocks.inputs import state_values
from bot.domain import polls as rules
from bot.domain.hosts import Confirmable
from bot.flows.common import Lookup
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.common import who as _who
from bot.flows.host import (
    AdminSlack,
    Caller,
    announce,
    commanded_program,
    host_program,
    modal_program,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.services import confirmations, hosts, outbox, release
from bot.services import polls as service


# -- participants ------------------------------------------------------------------------------------------
def open_form(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup, now: datetime) -> Result:
    """ "Result the pulse" (``value``: the round id): the modal, or why not."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    found = service.find(session, participant=participant, round_id=_int(value), now=now)
    session.rollback()
    if isinstance(found, str):
        return Result(message=blocks.note(locale, f"answer_{found}"))
    return Result(
        view=blocks.modal(
            locale,
            round_id=found.round.id,
            program=found.program.name,
            questions=list(found.round.questions or []),
            threshold=found.round.threshold,
        )
    )


def submit_form(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The pulse modal: a bad answer is named on its field; a refusal (already answered, closed, not asked) is said
    on the mood field; either way nothing changes. Saved: the modal turns into a thank-you."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    round_id = _int(_meta(view).get("round_id"))
    found = service.find(session, participant=participant, round_id=round_id, now=now)
    if isinstance(found, str):
        session.rollback()
        return Result(errors={ID.POLL_MOOD.value: i18n.plain(locale, "polls", f"answer_{found}")})
    questions = list(found.round.questions or [])
    values = state_values(view)
    pulse, errors = rules.parse_pulse(
        mood=values.get(ID.POLL_MOOD.value),
        answers={key: values.get(block.value) for key, block in zip(questions, blocks.QUESTION_IDS, strict=False)},
        comment=values.get(ID.POLL_COMMENT.value),
        questions=questions,
    )
    if pulse is None:
        session.rollback()
        return Result(errors=blocks.form_errors(locale, errors, questions))
    result = service.submit(session, participant=participant, round_id=round_id, pulse=pulse, now=now)
    if result != service.SAVED:
        return Result(errors={ID.POLL_MOOD.value: i18n.plain(locale, "polls", f"answer_{result}")})
    return Result(view=blocks.done_view(locale))


# -- hosts -------------------------------------------------------------------------------------------------
def host_results(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin pulse [program]``: the program's rounds, each held to its threshold."""
    program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=blocks.note)
    if program is None:
        return refusal or Result()
    current = service.open_round_of(session, program=program)
    still_open = None
    if current is not None:
        closes = rules.at_hour(current.closes_on, program.timezone)
        still_open = (current.number, blocks.deadline_text(who.locale, closes, who.tz))
    waiting = None
    closed = service.waiting_rounds(session, program=program)
    when = release.next_release(program, now)
    if closed and when is not None:
        waiting = (closed, blocks.deadline_text(who.locale, when, who.tz))
    results = service.results(session, program=program)
    message = blocks.results(who.locale, program=program.name, results=results, still_open=still_open, waiting=waiting)
    return Result(message=message)


def settings_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's "Pulse settings": the modal with the rhythm and the threshold."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(view=blocks.settings_modal(who.locale, program=program))


def submit_settings(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """Save the rhythm and the threshold (never below 3); anything wrong is said on its field, nothing changes."""
    first = ID.POLL_EVERY.value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    parsed, errors = rules.parse_settings(values.get(ID.POLL_EVERY.value), values.get(ID.POLL_THRESHOLD.value))
    if parsed is None:
        ids = {"every": ID.POLL_EVERY.value, "threshold": ID.POLL_THRESHOLD.value}
        return Result(
            errors={ids[key]: i18n.plain(who.locale, "polls", f"error_{kind}") for key, kind in errors.items()}
        )
    every, threshold = parsed
    program.poll_every_weeks = every
    program.updated_at = now
    if threshold < program.poll_threshold:  # results from fewer answers: a second host of the program confirms
        asked = confirmations.ask(
            session,
            workspace,
            kind=Confirmable.THRESHOLD,
            target=f"{program.id}:{threshold}",
            requester=who.user_id,
            now=now,
        )
        if asked is not None:
            old_threshold = program.poll_threshold
            hosts.post_to_hosts(
                session,
                workspace,
                program_id=program.id,
                message=lambda loc: hosting_blocks.ask(
                    loc,
                    kind="threshold",
                    by=who.user_id,
                    name=program.name,
                    old=old_threshold,
                    new=threshold,
                    confirmation_id=asked.id,
                ),
                now=now,
                cause=f"host-confirm:{asked.id}:{secrets.token_hex(6)}",
                about=outbox.About.of(program=program, users=[who.user_id]),
            )
            threshold = program.poll_threshold  # unchanged until then
    program.poll_threshold = threshold
    announce(
        session,
        workspace,
        blocks.note(
            who.locale,
            "settings_saved" if every else "settings_saved_off",
            host=who.user_id,
            program=program.name,
            every=every,
            threshold=threshold,
        ),
        cause=f"poll-settings:{program.id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()
