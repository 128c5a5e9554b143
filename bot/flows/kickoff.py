"""The kick-off kit as people meet it: a lesson's *Got it* (recorded; the lesson turns into a quiet confirmation)
and *Ask the hosts* (the help-me modal, ``bot.flows.escalation``, with the lesson named in its text: the question
reaches the hosts privately through the help lane, with only what the person chooses to share); and the hosts'
*Kick-off kit* button on the program card with its texts modal, and its *Peer circle* button with the hosts'
choice (none, a private channel per side, or a thread per side in a channel they pick, which Tandem must be in).

Only the person a kit was sent to may mark its lessons; anyone else is refused and nothing changes. Bad input in the
hosts' modal keeps it open with field errors and stores nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import kickoff as blocks
from bot.blocks.inputs import state_values
from bot.domain import kickoff as rules
from bot.flows import escalation
from bot.flows.host import AdminSlack, Caller, announce, host_program, modal_program
from bot.flows.result import Result
from bot.ids import ID
from bot.models import KickoffKit, Participant, Program
from bot.services import kickoff, outbox, peer_circle


def _theirs(
    session: Session, participant: Participant | None, value: str
) -> tuple[KickoffKit, Program, str, str] | Result:
    """The kit and lesson a button names, if it was sent to ``participant``; else the Result that says why not."""
    locale = participant.locale if participant is not None else "en"
    parsed = rules.parse_value(value)
    found = kickoff.own_kit(session, kit_id=parsed[0]) if parsed else None
    if parsed is None or found is None:
        return Result(message=blocks.note(locale, "answer_missing"))
    kit, program, partner = found
    if participant is None or kit.participant_id != participant.id or rules.side_of(parsed[1]) != kit.side:
        return Result(message=blocks.note(locale, "answer_not_yours"))
    return kit, program, partner, parsed[1]


def got_it(session: Session, *, participant: Participant | None, value: str, now: datetime) -> Result:
    """*Got it* (``value``: ``<kit id>:<lesson>``): recorded, and the kit shown again with the lesson marked."""
    checked = _theirs(session, participant, value)
    if isinstance(checked, Result):
        return checked
    kit, program, partner, lesson = checked
    kickoff.mark_read(kit, lesson)
    message = kickoff.message(session, kit, program=program, partner=partner)
    session.commit()
    return Result(replace=message)


def ask(session: Session, *, participant: Participant | None, value: str) -> Result:
    """*Ask the hosts*: the help-me modal, its text begun with the lesson's name (the person may change it)."""
    checked = _theirs(session, participant, value)
    if isinstance(checked, Result):
        return checked
    kit, _program, _partner, lesson = checked
    assert participant is not None
    initial = blocks.ask_prefill(kit.locale, lesson)
    return Result(view=escalation.open_help(session, participant=participant, initial=initial))


# -- the hosts' texts -------------------------------------------------------------------------------------------
def texts_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's *Kick-off kit* button: the texts modal, prefilled with what new pairs get now."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(
        view=blocks.texts_modal(who.locale, program_id=program.id, name=program.name, custom=program.kickoff_texts)
    )


def submit_texts(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The texts modal: new pairs of the program get these texts; an empty field is Tandem's default. A text over
    the limit keeps the modal open and stores nothing. The admin channel hears who changed it."""
    first = next(iter(blocks.TEXT_IDS.values())).value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    raw = {key: values.get(block.value) for key, block in blocks.TEXT_IDS.items()}
    defaults = {locale: blocks.default_texts(locale) for locale in rules.LOCALES}
    texts, errors = rules.parse_texts(raw, defaults)
    if errors:
        return Result(errors=blocks.texts_errors(who.locale, errors))
    custom = kickoff.save_texts(program, texts, now=now)
    announce(
        session,
        workspace,
        blocks.texts_note(who.locale, saved=custom, host=who.user_id, program=program.name),
        cause=f"kickoff-texts:{program.id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


# -- the peer circle --------------------------------------------------------------------------------------------
def circle_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's *Peer circle* button: the modal with the program's choice."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(
        view=blocks.circle_modal(
            who.locale,
            program_id=program.id,
            name=program.name,
            mode=program.peer_circle,
            channel=program.peer_channel_id,
        )
    )


def submit_circle(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The peer circle modal: threads need a channel Tandem is in, else the modal stays open and nothing changes.
    The admin channel hears the choice; the clock builds the circle."""
    first = ID.CIRCLE_MODE.value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    mode = rules.parse_mode(values.get(ID.CIRCLE_MODE.value)) or rules.OFF
    channel = str(values.get(ID.CIRCLE_CHANNEL.value) or "") or None
    inside = bool(channel) and bool(who.bot_user_id) and who.bot_user_id in slack.members(str(channel))
    refused = rules.circle_refusal(mode, channel_id=channel, tandem_in_channel=inside)
    if refused is not None:
        return Result(errors=blocks.circle_error(who.locale, refused))
    peer_circle.set_mode(session, program, mode=mode, channel_id=channel, now=now)
    announce(
        session,
        workspace,
        blocks.circle_note(who.locale, mode=mode, host=who.user_id, program=program.name, channel=channel),
        cause=f"peer-circle:{program.id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()
