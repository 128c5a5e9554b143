"""The onboarding interview by DM: a state machine over ``bot.domain.interview``'s steps.

All state lives in the database: the step a person is on (``enrollment.interview_step``), their answers
(saved on the Participant as each step is answered), the DM of the current step (``enrollment.step_message``:
the outbox row that posts it, and its channel and ts once Slack has it) and when they last did anything.
Each message goes through the outbox in the same transaction as the change that caused it, under a dedupe
key, so a repeated click or a second clock tick never sends twice.

An answer to a step that is not the current one changes no interview state: an old step's buttons only turn
the clicked message into its "answered" line; a late modal of an earlier step saves what was typed (as the
profile editor would) and moves nothing.

``start`` and ``show_current_step`` leave committing to their caller; the functions listeners call commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from bot.blocks import interview as blocks
from bot.domain import interview as rules
from bot.domain import worktime
from bot.domain.interview import Field, Step
from bot.flows.common import as_int
from bot.flows.result import Result
from bot.ids import ID
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    OutboxStatus,
    Participant,
    Program,
    ProgramStatus,
)
from bot.services import enrollments, outbox, people, reporting


@dataclass(frozen=True)
class MessageRef:
    """A message in Slack: where it is and its ts."""

    channel: str
    ts: str

    @classmethod
    def of(cls, data: Any) -> MessageRef | None:
        if isinstance(data, dict) and data.get("channel") and data.get("ts"):
            return cls(str(data["channel"]), str(data["ts"]))
        return None

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "ts": self.ts}


# Button steps: action_id -> (step it answers, the answer)
CHOICES: dict[str, tuple[Step, str]] = {
    ID.INTERVIEW_SETTINGS_OK.value: (Step.SETTINGS, "confirmed"),
    **{action.value: (Step.ROLE, role) for role, action in blocks.ROLE_BUTTONS},
    ID.INTERVIEW_AGREE.value: (Step.AGREEMENT, "agreed"),
}


# -- entry points for other code (they do not commit) ------------------------------------------------------
# Starting an interview (its first step's DM) lives in ``bot.services.enrollments``, where accepting an invitation
# starts it (a service calls no flow).
start = enrollments.start_interview


def show_current_step(session: Session, *, enrollment: Enrollment, now: datetime) -> None:
    """Post the current step again at the bottom of the DM; its earlier copy loses its buttons. At most once
    a minute per enrollment. Does nothing unless the interview is under way. Does not commit."""
    step = rules.parse_step(enrollment.interview_step)
    if enrollment.status != EnrollmentStatus.INTERVIEWING or step is None or step is Step.DONE:
        return
    participant = session.get(Participant, enrollment.participant_id)
    assert participant is not None
    earlier = step_message_ref(session, enrollment)
    before = enrollment.step_message.get("outbox_id")
    posted = enrollments.post_interview_step(
        session, enrollment=enrollment, participant=participant, now=now, again=True
    )
    if posted.id == before or earlier is None:
        return  # shown again already this minute, or the earlier copy never reached Slack
    outbox.enqueue(
        session,
        workspace_id=participant.workspace_id,
        method="chat.update",
        payload={**earlier.as_dict(), **blocks.moved_message(participant.locale, step=step)},
        dedupe_key=f"interview:{enrollment.id}:moved:{earlier.channel}:{earlier.ts}",
        now=now,
        about=outbox.About.of(program_id=enrollment.program_id, people=[participant]),
    )


# -- what listeners call (these commit) ---------------------------------------------------------------------
def choose(
    session: Session, *, participant: Participant, action_id: str, value: str, clicked: MessageRef | None, now: datetime
) -> Result:
    """A step's button: time zone and language confirmed, a role, consent. Commits. Answers with a note for the
    clicker alone when the step is not theirs (nothing changes), else with nothing."""
    step, answer = CHOICES[action_id]
    enrollment = _enrollment_at(session, participant=participant, value=value, step=step)
    if enrollment is None:
        session.rollback()
        return Result(message=blocks.not_yours(participant.locale))
    if not _is_current(enrollment, step):
        _stale(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
        session.commit()
        return Result()
    if step is Step.SETTINGS:
        participant.settings_confirmed = True
    elif step is Step.ROLE:
        participant.role = answer
    elif step is Step.AGREEMENT:
        participant.consented_at = now
    participant.updated_at = now
    _advance(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
    session.commit()
    return Result()


def open_step(
    session: Session, *, participant: Participant, value: str, clicked: MessageRef | None, now: datetime
) -> Result:
    """The modal for the step behind ``value`` (a modal step, or SETTINGS to correct), prefilled, or a note for the
    clicker alone. Neither when that step is not the current one (its message is then marked answered); only
    the note when the step is not theirs (nothing changes). Commits."""
    ref = rules.parse_step_ref(value)
    enrollment = _enrollment_at(session, participant=participant, value=value, step=ref[1]) if ref else None
    if ref is None or enrollment is None or ref[1] not in rules.STEP_FIELDS:
        session.rollback()
        return Result(message=blocks.not_yours(participant.locale))
    step = ref[1]
    if not _is_current(enrollment, step):
        _stale(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
        session.commit()
        return Result()
    _touch(enrollment, now)
    step_message_ref(session, enrollment)  # remember where the step's DM is while we are here
    session.commit()
    metadata: dict[str, Any] = {"e": enrollment.id, "s": str(step)}
    if clicked is not None:
        metadata["m"] = clicked.as_dict()
    view = blocks.step_modal(
        participant.locale,
        step=step,
        profile=enrollments.interview_profile(session, participant),
        offered=_offered(session, enrollment.program_id),
        metadata=metadata,
    )
    return Result(view=view)


def submit_step(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """A step's modal submitted: field errors when something needs fixing (nothing is saved),
    else the answers are saved and the interview moves on. Commits."""
    metadata = blocks.read_metadata(view)
    step = rules.parse_step(metadata.get("s"))
    enrollment = _own(session, participant=participant, enrollment_id=rules.parse_int(metadata.get("e")))
    if enrollment is None or step not in rules.STEP_FIELDS:
        session.rollback()
        return Result(errors=blocks.not_yours_errors(participant.locale, view))
    offered = _offered(session, enrollment.program_id)
    form = blocks.read_form(view)
    errors = rules.validate_step(step, form, offered=offered, me=participant.slack_user_id)
    if errors:
        session.rollback()
        return Result(errors=blocks.error_messages(participant.locale, errors))
    _save(session, participant, step, form, offered=offered, now=now)
    if _is_current(enrollment, step):
        clicked = MessageRef.of(metadata.get("m"))
        _advance(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
    session.commit()
    return Result()


def skip(
    session: Session, *, participant: Participant, value: str, clicked: MessageRef | None, now: datetime
) -> Result:
    """An optional step's "skip" (manager, "please not"): the interview moves on and nothing is saved. Commits.
    Answers with a note for the clicker alone when the step is not theirs or not optional (nothing changes)."""
    ref = rules.parse_step_ref(value)
    step = ref[1] if ref is not None else None
    enrollment = _enrollment_at(session, participant=participant, value=value, step=step) if step else None
    if step not in rules.SKIPPABLE or enrollment is None:
        session.rollback()
        return Result(message=blocks.not_yours(participant.locale))
    if not _is_current(enrollment, step):
        _stale(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
        session.commit()
        return Result()
    participant.updated_at = now
    _advance(session, enrollment=enrollment, participant=participant, step=step, clicked=clicked, now=now)
    session.commit()
    return Result()


def continue_interview(session: Session, *, participant: Participant, value: str | None, now: datetime) -> Result:
    """ "Continue" (reminders, Home): show the current step again (commits), or answer with what to tell the person
    when there is no interview to continue: shown at once, nothing is stored (they may be in no program)."""
    enrollment = _own(session, participant=participant, enrollment_id=rules.parse_int(value))
    if enrollment is None or enrollment.status != EnrollmentStatus.INTERVIEWING:
        enrollment = session.scalar(
            select(Enrollment)
            .where(Enrollment.participant_id == participant.id, Enrollment.status == EnrollmentStatus.INTERVIEWING)
            .order_by(Enrollment.interview_started_at.desc(), Enrollment.id.desc())
            .limit(1)
        )
    if enrollment is None:
        session.rollback()
        return Result(message=blocks.nothing_to_continue(participant.locale))
    session.refresh(enrollment, with_for_update=True)
    _touch(enrollment, now)
    show_current_step(session, enrollment=enrollment, now=now)
    session.commit()
    return Result()


def profile_form(session: Session, *, participant: Participant) -> dict[str, Any]:
    """The profile editor, prefilled with everything the person told us."""
    program = _profile_program(session, participant=participant)
    return blocks.profile_modal(
        participant.locale,
        profile=enrollments.interview_profile(session, participant),
        offered=list(program.learning_fields or ()) if program else [],
        metadata={"p": program.id if program else None},
    )


def save_profile(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """The profile editor submitted: field errors to fix (nothing saved), else saved and Home shown again.
    Commits."""
    program = _profile_program(session, participant=participant, program_id=blocks.read_metadata(view).get("p"))
    offered = list(program.learning_fields or ()) if program else []
    form = blocks.read_form(view)
    errors = rules.validate_profile(form, offered=offered, me=participant.slack_user_id)
    if errors:
        session.rollback()
        return Result(errors=blocks.error_messages(participant.locale, errors))
    participant = people.register(session, participant=participant, now=now)  # what they asked Tandem to keep
    for step in rules.STEP_FIELDS:
        _save(session, participant, step, form, offered=offered, now=now)
    session.commit()
    return Result(home=participant)


# -- the clock's due job -----------------------------------------------------------------------------------
def _under_way(*columns: Any) -> Select[Any]:
    """``columns`` of the interviews :func:`send_reminders` may remind about (once they are quiet long enough)."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(
            Enrollment.status == EnrollmentStatus.INTERVIEWING,
            Enrollment.reminders_sent < len(rules.REMINDER_AFTER),
            Program.status == ProgramStatus.ACTIVE,
        )
    )


# Built once: the clock runs and asks these every minute
_QUIET = (
    _under_way(Enrollment, Participant, Program)
    .where(Enrollment.last_activity_at <= bindparam("quiet_since"))
    .order_by(Enrollment.id)
    .with_for_update(of=Enrollment, skip_locked=True)
)
_UNDER_WAY_TIMES = _under_way(Enrollment.interview_step, *enrollments.REMINDER_TIMES)


def send_reminders(session: Session, now: datetime) -> int:
    """Remind people whose interview has been quiet for 2 and then 5 days, in their working time. The
    reminder is queued and counted in one transaction under a dedupe key, so running twice sends once.
    Does not commit (the clock's tick does). Returns how many reminders were queued."""
    quiet_since = now - rules.REMINDER_AFTER[0]
    rows = session.execute(_QUIET, {"quiet_since": quiet_since}).tuples()
    queued = 0
    for enrollment, participant, program in rows:
        step = rules.parse_step(enrollment.interview_step)
        if step is None or step is Step.DONE:
            continue
        number = rules.reminder_due(
            last_activity_at=enrollment.last_activity_at,
            reminders_sent=enrollment.reminders_sent,
            last_reminder_at=enrollment.last_reminder_at,
            now=now,
            tz=worktime.of(participant, program),
        )
        if number is None:
            continue
        outbox.post(
            session,
            workspace_id=participant.workspace_id,
            channel=participant.slack_user_id,
            message=blocks.reminder_message(
                participant.locale,
                number=number,
                name=participant.display_name,
                program=program.name,
                step=step,
                enrollment_id=enrollment.id,
            ),
            now=now,
            about=outbox.About.of(program=program, people=[participant]),
            dedupe_key=f"interview:{enrollment.id}:reminder:{number}:{enrollment.last_activity_at:%Y%m%dT%H%M%S}",
        )
        enrollment.reminders_sent = number
        enrollment.last_reminder_at = now
        queued += 1
    return queued


def next_reminder(session: Session, now: datetime) -> datetime | None:
    """When :func:`send_reminders` next reminds: the earliest ``rules.reminder_next`` of the interviews under way;
    None when there is none."""
    moments = (
        enrollments.reminder_next_of(row, now)
        for row in session.execute(_UNDER_WAY_TIMES)
        if rules.parse_step(row.interview_step) not in (None, Step.DONE)
    )
    return min((m for m in moments if m is not None), default=None)


# -- inside the state machine ------------------------------------------------------------------------------
def _own(session: Session, *, participant: Participant, enrollment_id: int | None) -> Enrollment | None:
    """The enrollment, locked for this transaction, if it is ``participant``'s own."""
    enrollment_id = as_int(enrollment_id)
    if enrollment_id is None:
        return None
    enrollment = session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None or enrollment.participant_id != participant.id:
        return None
    return enrollment


def _enrollment_at(session: Session, *, participant: Participant, value: str, step: Step) -> Enrollment | None:
    ref = rules.parse_step_ref(value)
    if ref is None or ref[1] is not step:
        return None
    return _own(session, participant=participant, enrollment_id=ref[0])


def _is_current(enrollment: Enrollment, step: Step) -> bool:
    return enrollment.status == EnrollmentStatus.INTERVIEWING and enrollment.interview_step == step


def _touch(enrollment: Enrollment, now: datetime) -> None:
    """The person did something: the reminder schedule starts over."""
    enrollment.last_activity_at = now
    enrollment.reminders_sent = 0


def _offered(session: Session, program_id: int) -> list[str]:
    program = session.get(Program, program_id)
    return list(program.learning_fields or ()) if program else []


def _profile_program(session: Session, *, participant: Participant, program_id: Any = None) -> Program | None:
    """The program whose learning fields the profile editor offers: the one named (if the person is in it),
    else their latest one they joined."""
    query = (
        select(Program)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(
            Enrollment.participant_id == participant.id,
            Enrollment.status.in_((EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED)),
        )
    )
    wanted = as_int(program_id)
    if wanted is not None:
        found = session.scalar(query.where(Program.id == wanted))
        if found is not None:
            return found
    return session.scalar(query.order_by(Enrollment.invited_at.desc(), Enrollment.id.desc()).limit(1))


def _save(
    session: Session, participant: Participant, step: Step, form: dict[Any, Any], *, offered: list[str], now: datetime
) -> None:
    for key, value in rules.answers_of(step, form, offered=offered).items():
        if key == "preferences":
            value = {**(participant.preferences or {}), **value}
        if key == "manager":  # what they say about their manager is a reporting line of theirs
            reporting.set_own_manager(session, participant=participant, manager=value, now=now)
            continue
        setattr(participant, key, value)
    if step is Step.AVAILABILITY and Field.REGION in form:
        _save_region(participant, form[Field.REGION])
    if step is Step.SETTINGS:
        participant.settings_confirmed = True
        if participant.country and participant.country != worktime.country_of(participant.tz):
            participant.country = participant.region = None  # the region was of the country of the zone before
    participant.updated_at = now


def _save_region(participant: Participant, raw: Any) -> None:
    """The region picked in the availability form (``bot.domain.worktime``): one of the regions the form offered
    (those of the person's country) is stored with its country; nothing picked clears both; anything else changes
    nothing."""
    if raw is None or raw == "":
        participant.country = participant.region = None
        return
    choice = worktime.parse_region_choice(raw)
    if choice is not None and choice[0] == worktime.country_of(participant.tz, participant.country):
        participant.country, participant.region = choice


def step_message_ref(session: Session, enrollment: Enrollment) -> MessageRef | None:
    """Where the current step's DM is: ``enrollment.step_message`` names the outbox row that posts it, and
    gets its channel and ts from that row's result once it was sent (then remembered). Does not commit."""
    data = dict(enrollment.step_message or {})
    ref = MessageRef.of(data)
    if ref is not None or not data.get("outbox_id"):
        return ref
    posted = session.get(OutboxMessage, data["outbox_id"])
    if posted is None or posted.status != OutboxStatus.SENT:
        return None
    ref = MessageRef.of(posted.result)
    if ref is not None:
        enrollment.step_message = {**data, **ref.as_dict()}
    return ref


def _mark_answered(
    session: Session, *, enrollment: Enrollment, participant: Participant, step: Step, ref: MessageRef, now: datetime
) -> None:
    outbox.enqueue(
        session,
        workspace_id=participant.workspace_id,
        method="chat.update",
        payload={
            **ref.as_dict(),
            **blocks.answered_message(
                participant.locale, step=step, profile=enrollments.interview_profile(session, participant)
            ),
        },
        dedupe_key=f"interview:{enrollment.id}:answered:{step}:{ref.channel}:{ref.ts}",
        now=now,
        about=outbox.About.of(program_id=enrollment.program_id, people=[participant]),
    )


def _stale(
    session: Session,
    *,
    enrollment: Enrollment,
    participant: Participant,
    step: Step,
    clicked: MessageRef | None,
    now: datetime,
) -> None:
    """A button of a step that is not the current one: nothing changes but the clicked message, which
    shows its answered line (once) if that step was answered."""
    current = rules.parse_step(enrollment.interview_step)
    if clicked is None or current is None or not rules.answered_before(step, current):
        return
    _mark_answered(session, enrollment=enrollment, participant=participant, step=step, ref=clicked, now=now)


def _advance(
    session: Session,
    *,
    enrollment: Enrollment,
    participant: Participant,
    step: Step,
    clicked: MessageRef | None,
    now: datetime,
) -> None:
    """``step`` was answered: its DM shows the answer, and the next step (or the summary) is queued."""
    refs = [r for r in (clicked, step_message_ref(session, enrollment)) if r is not None]
    for ref in dict.fromkeys(refs):
        _mark_answered(session, enrollment=enrollment, participant=participant, step=step, ref=ref, now=now)
    _touch(enrollment, now)
    following = rules.next_step(step)
    enrollment.interview_step = following
    if following is not Step.DONE:
        enrollments.post_interview_step(session, enrollment=enrollment, participant=participant, now=now, again=False)
        return
    enrollment.status = EnrollmentStatus.ONBOARDED
    enrollment.completed_at = now
    enrollment.step_message = {}
    program = session.get(Program, enrollment.program_id)
    outbox.post(
        session,
        workspace_id=participant.workspace_id,
        channel=participant.slack_user_id,
        message=blocks.summary_message(
            participant.locale,
            profile=enrollments.interview_profile(session, participant),
            program=program.name if program else "",
        ),
        now=now,
        about=outbox.About.of(program_id=enrollment.program_id, people=[participant]),
        dedupe_key=f"interview:{enrollment.id}:done",
    )
