"""The weekly rhythm's conversations: the clock's job (prompts, nudges, and the hosts' silence flag), replies in a
week's thread, the prompt's buttons and their modals (answer, what we agreed, cancel, move), and breaks
(``/tandem pause``, the Home button and its modal). Rules in ``bot.domain.rhythm``, storage in
``bot.services.rhythm``.

**The silence flag** names the pair (hosts must be able to act: a friendly check-in) and says which weeks were
quiet; it never carries anything the pair wrote, nor whether one partner answered and the other did not. A program
with named silence flags switched off (``Program.named_silence``, ``bot.domain.monitoring``) gets no message here:
the weekly release tells its hosts how many pairs went quiet that week (``bot.services.impact.counts_only``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import rhythm as blocks
from bot.blocks.common import too_long
from bot.blocks.inputs import state_values
from bot.domain import rhythm as rules
from bot.domain.text import THREAD_REPLY_MAX
from bot.flows.common import as_int
from bot.flows.host import announce
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Participant, Workspace
from bot.services import outbox, people, prep, rhythm

PAUSE_EXAMPLE_DAYS = 14  # "/tandem pause until <two weeks from today>" in the error's example
PAUSE_DEFAULT_DAYS = 7  # the pause modal's datepicker starts a week ahead


# -- the clock ---------------------------------------------------------------------------------------------
def due(session: Session, now: datetime) -> int:
    """Clock job: every pair's week that has come, the nudges that are due, and one message to the hosts per
    silent stretch. Does not commit (the tick does)."""
    tick = rhythm.due(session, now=now)
    for silent in tick.silent:
        workspace = session.get(Workspace, silent.program.workspace_id)
        if workspace is None or not silent.program.named_silence:  # off: counted once a week, with the release
            continue
        message = blocks.silence(
            silent.program.default_locale,
            program=silent.program.name,
            a_id=silent.a.slack_user_id,
            b_id=silent.b.slack_user_id,
            weeks=list(silent.weeks),
        )
        about = outbox.About.of(program=silent.program, people=[silent.a, silent.b])
        announce(session, workspace, message, cause=f"rhythm:silence:{silent.week_id}", now=now, about=about)
    return tick.handled + tick.nudged + len(tick.silent)


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the round's (``rhythm.next_due``); the
    hosts' silence message comes only with a week that opens."""
    return rhythm.next_due(session, now)


# -- the thread --------------------------------------------------------------------------------------------
def is_thread_reply(event: dict[str, Any]) -> bool:
    """A person's reply in a group DM thread (what may be an answer to a week's prompt)."""
    return (
        event.get("channel_type") == "mpim"
        and bool(event.get("thread_ts"))
        and event.get("thread_ts") != event.get("ts")
        and event.get("subtype") in (None, "thread_broadcast")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def thread_reply(session: Session, *, team_id: str, event: dict[str, Any], now: datetime) -> bool:
    """Record a partner's reply in a week's thread as their answer; anything else changes nothing. A reply longer
    than ``THREAD_REPLY_MAX`` is not recorded: its author gets it back by DM, with why."""
    text = str(event.get("text") or "")
    if len(text) > THREAD_REPLY_MAX:
        partner = rhythm.replying_partner(
            session,
            team_id=team_id,
            channel_id=str(event.get("channel") or ""),
            thread_ts=str(event["thread_ts"]),
            user_id=str(event.get("user") or ""),
        )
        if partner is not None:
            outbox.post(
                session,
                workspace_id=partner.workspace_id,
                channel=partner.slack_user_id,
                message=too_long(partner.locale, typed=text, limit=THREAD_REPLY_MAX, where="reply"),
                now=now,
                about=outbox.About.of(people=[partner]),
                dedupe_key=f"long-reply:{event.get('channel')}:{event.get('ts')}",
            )
        session.commit()
        return False
    return rhythm.record_reply(
        session,
        team_id=team_id,
        channel_id=str(event.get("channel") or ""),
        thread_ts=str(event["thread_ts"]),
        user_id=str(event.get("user") or ""),
        text=str(event.get("text") or ""),
        ts=str(event.get("ts") or ""),
        now=now,
    )


# -- the prompt's buttons ----------------------------------------------------------------------------------
def open_modal(
    session: Session, *, participant: Participant | None, locale: str, action_id: str, value: str, now: datetime
) -> Result:
    """Result / What we agreed / Cancel a week / Move a week / Choose the method card, for one of the pair's partners
    only."""
    week_id = as_int(value)
    found = rhythm.find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return Result(message=blocks.note(locale, found.refusal or rhythm.NOT_YOURS))
    week, tandem = found.week, found.tandem
    program = tandem.program
    if action_id in (ID.RHYTHM_ANSWER, ID.RHYTHM_AGREED) and week.status not in rhythm.PROMPTED:
        return Result(message=blocks.note(locale, rhythm.UNAVAILABLE))
    if action_id == ID.RHYTHM_ANSWER:
        return Result(
            view=blocks.answer_modal(locale, week_id=week.id, number=week.number, question=program.focus_question)
        )
    if action_id == ID.RHYTHM_AGREED:
        if rhythm.superseded(session, week):
            return Result(message=blocks.note(locale, rhythm.WEEK_OVER))
        return Result(
            view=blocks.agreed_modal(
                locale,
                week_id=week.id,
                number=week.number,
                homework=week.agreed_homework,
                next_step=week.agreed_next_step,
            )
        )
    if action_id == ID.RHYTHM_CARD:
        if week.status not in rhythm.PROMPTED:
            return Result(message=blocks.note(locale, rhythm.UNAVAILABLE))
        if rhythm.superseded(session, week):
            return Result(message=blocks.note(locale, rhythm.WEEK_OVER))
        return Result(view=blocks.card_modal(locale, week_id=week.id, number=week.number, current=week.method))
    moving = action_id == ID.RHYTHM_MOVE
    choices = rhythm.choices(session, tandem, now=now, moving=moving)
    if not choices:
        return Result(message=blocks.note(locale, "nothing_to_change"))
    if moving:
        return Result(view=blocks.move_modal(locale, week_id=week.id, choices=choices, hour=program.prompt_hour))
    return Result(view=blocks.cancel_modal(locale, week_id=week.id, choices=choices))


def _text(values: dict[str, Any], field: ID) -> str:
    return str(values.get(field.value) or "").strip()


def _number(values: dict[str, Any]) -> int | None:
    raw = str(values.get(ID.RHYTHM_WEEK.value) or "")
    return as_int(raw)


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw or ""))
    except ValueError:
        return None


def submit(
    session: Session, *, participant: Participant, callback_id: str, view: dict[str, Any], now: datetime
) -> Result:
    """A submitted rhythm modal: field errors when something is wrong (the modal stays open with everything typed,
    and nothing changes), else it closes."""
    return Result(
        errors=_submitted(session, participant=participant, callback_id=callback_id, view=view, now=now) or {}
    )


def _submitted(
    session: Session, *, participant: Participant, callback_id: str, view: dict[str, Any], now: datetime
) -> dict[str, str] | None:
    """Slack's ``errors`` map for a submitted rhythm modal, or None when it was saved."""
    locale = participant.locale
    values = state_values(view)
    week_id = blocks.week_id_of(view) or 0
    if callback_id == ID.RHYTHM_ANSWER_MODAL:
        text = _text(values, ID.RHYTHM_ANSWER_TEXT)
        if not text:
            return blocks.errors(locale, {"answer": "answer_required"})
        if len(text) > rules.ANSWER_MAX:
            return blocks.errors(locale, {"answer": "answer_too_long"}, max=rules.ANSWER_MAX)
        refusal = rhythm.answer(session, participant=participant, week_id=week_id, text=text, now=now)
        return blocks.errors(locale, {"answer": refusal}) if refusal else None
    if callback_id == ID.RHYTHM_AGREED_MODAL:
        homework, next_step = _text(values, ID.RHYTHM_HOMEWORK), _text(values, ID.RHYTHM_NEXT_STEP)
        found: dict[str, str] = {}
        if not homework:
            found["homework"] = "homework_required"
        elif len(homework) > rules.AGREED_MAX:
            found["homework"] = "too_long"
        if not next_step:
            found["next_step"] = "next_step_required"
        elif len(next_step) > rules.AGREED_MAX:
            found["next_step"] = "too_long"
        if found:
            return blocks.errors(locale, found, max=rules.AGREED_MAX)
        refusal = rhythm.agree(
            session, participant=participant, week_id=week_id, homework=homework, next_step=next_step, now=now
        )
        return blocks.errors(locale, {"homework": refusal}) if refusal else None
    if callback_id == ID.RHYTHM_CARD_MODAL:
        card = values.get(ID.RHYTHM_CARD_PICK.value)
        if card not in rules.METHOD_CARDS:
            return blocks.errors(locale, {"card": "card_unknown"})
        refusal = rhythm.choose_card(session, participant=participant, week_id=week_id, card=str(card), now=now)
        return blocks.errors(locale, {"card": refusal}) if refusal else None
    number = _number(values)
    if number is None:
        return blocks.errors(locale, {"week": "week_required"})
    if callback_id == ID.RHYTHM_CANCEL_MODAL:
        refusal = rhythm.cancel(session, participant=participant, week_id=week_id, number=number, now=now)
        return blocks.errors(locale, {"week": refusal}) if refusal else None
    if callback_id == ID.RHYTHM_MOVE_MODAL:
        result = rhythm.move(
            session,
            participant=participant,
            week_id=week_id,
            number=number,
            new_day=_day(values.get(ID.RHYTHM_MOVE_TO.value)),
            now=now,
        )
        if result.refusal:
            return blocks.errors(locale, {"week": result.refusal})
        if result.error:
            after = result.after or rules.local_today(now, participant.tz)
            before = result.before or after
            return blocks.errors(
                locale,
                {"move_to": result.error},
                after=blocks.day_text(locale, after),
                before=blocks.day_text(locale, before),
            )
        return None
    return blocks.errors(locale, {"week": rhythm.NOT_YOURS})


# -- breaks ------------------------------------------------------------------------------------------------
def pause_command(session: Session, *, participant: Participant, args: str, now: datetime) -> dict[str, Any]:
    """``/tandem pause [until YYYY-MM-DD | off]``: the ephemeral answer."""
    locale = participant.locale
    command = rules.parse_pause_command(args)
    if command.action == "status":
        current = rhythm.current_pause(participant, now=now)
        if current is None:
            return blocks.pause_answer(locale, "pause_not_paused")
        return blocks.pause_answer(locale, "pause_status", until=current)
    if command.action == "off":
        ended = rhythm.set_pause(session, participant=participant, until=None, now=now)
        return blocks.pause_answer(locale, "pause_off" if ended else "pause_not_paused")
    until, error = rules.parse_pause_until(command.raw, now=now, tz=participant.tz, locale=locale)
    if error is not None or until is None:
        example = rules.local_today(now, participant.tz) + timedelta(days=PAUSE_EXAMPLE_DAYS)
        return blocks.pause_answer(
            locale,
            "pause_error",
            error=blocks.error_text(locale, error or "pause.invalid"),
            # as they would type it: 24.12.2027 in German, 2027-12-24 in English
            example=i18n.date_short(example, locale) if locale == "de" else example.isoformat(),
        )
    participant = people.register(session, participant=participant, now=now)  # a break they asked Tandem to keep
    rhythm.set_pause(session, participant=participant, until=until, now=now)
    return blocks.pause_answer(locale, "pause_set", until=until)


def pause_modal(participant: Participant, *, now: datetime) -> dict[str, Any]:
    """Home's "Take a break": the modal with a datepicker (a week ahead, or the current break's last day)."""
    current = rhythm.current_pause(participant, now=now)
    initial = current or rules.local_today(now, participant.tz) + timedelta(days=PAUSE_DEFAULT_DAYS)
    return blocks.pause_modal(participant.locale, initial=initial)


def submit_pause(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """The pause modal: a day from today on (inclusive), at most six months ahead (then Home again); else the
    field errors."""
    raw = state_values(view).get(ID.RHYTHM_PAUSE_UNTIL.value)
    until, error = rules.parse_pause_until(raw, now=now, tz=participant.tz, locale=participant.locale)
    if error is not None or until is None:
        return Result(errors=blocks.errors(participant.locale, {"pause": error or "pause.invalid"}))
    participant = people.register(session, participant=participant, now=now)
    rhythm.set_pause(session, participant=participant, until=until, now=now)
    return Result(home=participant)


def resume(session: Session, *, participant: Participant, now: datetime) -> bool:
    """Home's "End my break"."""
    return rhythm.set_pause(session, participant=participant, until=None, now=now)


# -- the preparation before a week ---------------------------------------------------------------------------------
def prep_due(session: Session, now: datetime) -> int:
    """Clock job: the preparation DMs that are due (``bot.services.prep``). Does not commit."""
    return prep.due(session, now)


def prep_next_due(session: Session, now: datetime) -> datetime | None:
    return prep.next_due(session, now)


def prep_open(session: Session, *, participant: Participant | None, locale: str, value: str) -> Result:
    """The preparation DM's button: its modal, with what the person wrote so far; only theirs."""
    found = prep.own(session, participant=participant, prep_id=as_int(value))
    if found is None:
        return Result(message=blocks.note(locale, "err_prep_not_yours"))
    return Result(
        view=blocks.prep_modal(locale, prep_id=found.id, number=found.week_number, bring=found.bring, need=found.need)
    )


def prep_submit(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """The preparation modal: at least one of the two, each at most ``PREP_MAX``; else field errors and nothing
    changes (the modal keeps what was typed)."""
    locale = participant.locale
    values = state_values(view)
    bring, need = _text(values, ID.PREP_BRING), _text(values, ID.PREP_NEED)
    if not bring and not need:
        return Result(errors=blocks.errors(locale, {"bring": "prep_empty"}))
    if len(bring) > rules.PREP_MAX or len(need) > rules.PREP_MAX:
        return Result(errors=blocks.errors(locale, {"bring": "prep_too_long"}, max=rules.PREP_MAX))
    refusal = prep.save(
        session, participant=participant, prep_id=blocks.prep_id_of(view), bring=bring, need=need, now=now
    )
    if refusal is not None:
        key = "prep_not_yours" if refusal == prep.NOT_YOURS else refusal
        return Result(errors=blocks.errors(locale, {"bring": key}))
    return Result()
