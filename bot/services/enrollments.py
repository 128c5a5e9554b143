"""Invitations and answers to them: who is in which program, and the start of the interview that joining begins
(its first step's DM; ``bot.flows.interview`` runs the rest)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from bot.blocks import interview as interview_blocks
from bot.blocks.invite import invitation_message
from bot.domain import interview as rules
from bot.domain import worktime
from bot.domain.interview import Profile, Step
from bot.domain.privacy import FORGOTTEN_PREFIX
from bot.models import (
    BatchStatus,
    Enrollment,
    EnrollmentStatus,
    InviteBatch,
    InviteSource,
    OutboxMessage,
    Participant,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.models.participant import worktime_columns
from bot.services import outbox, reporting

BATCH_USERS_MAX = 1000


def request_invites(
    session: Session, *, program: Program, requested_by: str, user_ids: list[str], channel_id: str | None, now: datetime
) -> InviteBatch:
    """Record a host's invitation request; the worker expands it. Commits."""
    batch = InviteBatch(
        program_id=program.id,
        requested_by=requested_by,
        user_ids=sorted(set(user_ids)),
        channel_id=channel_id,
        status=BatchStatus.PENDING,
        created_at=now,
        summary={},
    )
    session.add(batch)
    session.commit()
    return batch


BATCH_STALE = timedelta(minutes=10)


# built once: every drain of the worker asks
_OLDEST_PENDING_BATCH = (
    select(InviteBatch)
    .where(InviteBatch.status == BatchStatus.PENDING)
    .order_by(InviteBatch.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)


def claim_batch(session: Session, *, now: datetime) -> InviteBatch | None:
    """Claim the oldest pending invitation request for this worker. Commits."""
    batch = session.scalar(_OLDEST_PENDING_BATCH)
    if batch is None:
        session.rollback()
        return None
    batch.status = BatchStatus.PROCESSING
    batch.claimed_at = now
    session.commit()
    return batch


def finish_batch(session: Session, *, batch: InviteBatch, summary: dict[str, int], now: datetime) -> None:
    """Mark a request done and tell the hosts what came of it, in the admin channel. Commits."""
    from bot.blocks.admin import invite_summary

    program = session.get(Program, batch.program_id)
    batch.status = BatchStatus.DONE
    batch.processed_at = now
    batch.summary = summary
    batch.user_ids = []  # who was picked is in the enrollments now (and goes with them); the counts stay
    workspace = session.get(Workspace, program.workspace_id) if program else None
    if program is not None and workspace is not None and workspace.admin_channel_id:
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=invite_summary(
                program.default_locale, program=program, host_id=batch.requested_by, summary=summary
            ),
            now=now,
            about=outbox.About.of(program=program, users=[batch.requested_by]),  # counts
            dedupe_key=f"invite-batch:{batch.id}:summary",
        )
    session.commit()


# Built once: the clock runs and asks these every minute
_RELEASE_STALE = (
    update(InviteBatch)
    .where(InviteBatch.status == BatchStatus.PROCESSING, InviteBatch.claimed_at < bindparam("stale_before"))
    .values(status=BatchStatus.PENDING, claimed_at=None)
    .execution_options(synchronize_session=False)
)
_OLDEST_CLAIM = select(func.min(InviteBatch.claimed_at)).where(InviteBatch.status == BatchStatus.PROCESSING)


def release_stale_batches(session: Session, *, now: datetime) -> int:
    """Give back requests whose worker vanished mid-way; inviting again is harmless. Does not commit."""
    result = session.execute(_RELEASE_STALE, {"stale_before": now - BATCH_STALE})
    return int(result.rowcount or 0)


def next_stale_release(session: Session, now: datetime) -> datetime | None:
    """When :func:`release_stale_batches` next gives a request back: a microsecond after the oldest claim turned
    ``BATCH_STALE`` old (it releases only older ones); None while no request is being worked on."""
    claimed = session.scalar(_OLDEST_CLAIM)
    return None if claimed is None else claimed + BATCH_STALE + timedelta(microseconds=1)


def find(session: Session, *, program_id: int, participant_id: int) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(Enrollment.program_id == program_id, Enrollment.participant_id == participant_id)
    )


def invite(
    session: Session,
    *,
    program: Program,
    participant: Participant,
    invited_by: str | None,
    source: InviteSource,
    now: datetime,
) -> Enrollment | None:
    """Invite one person and queue their invitation DM. None if they were invited before: nobody is messaged
    twice. Does not commit."""
    if find(session, program_id=program.id, participant_id=participant.id) is not None:
        return None
    enrollment = Enrollment(
        program_id=program.id,
        participant_id=participant.id,
        status=EnrollmentStatus.INVITED,
        source=source,
        invited_by=invited_by,
        invited_at=now,
        last_activity_at=now,
        reminders_sent=0,
        step_message={},
    )
    session.add(enrollment)
    session.flush()
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=participant.slack_user_id,
        message=invitation_message(
            participant.locale,
            program=program,
            host_id=invited_by,
            enrollment_id=enrollment.id,
            name=participant.display_name,
        ),
        now=now,
        about=outbox.About.of(program=program, people=[participant], users=[invited_by]),
        dedupe_key=f"invite:{enrollment.id}",
    )
    return enrollment


def mine(session: Session, *, participant: Participant, enrollment_id: int) -> Enrollment | None:
    """The enrollment behind a button, only if it is the clicking person's own."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.participant_id != participant.id:
        return None
    return enrollment


def join(session: Session, *, enrollment: Enrollment, now: datetime) -> str:
    """Accept an invitation (or re-join after "Not now"): the interview starts. Returns what happened:
    "started", "already" (interviewing or onboarded) or "closed" (the program no longer takes people).
    Commits."""
    program = session.get(Program, enrollment.program_id)
    if enrollment.status in (EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED):
        return "already"
    if program is None or program.status != ProgramStatus.ACTIVE:
        return "closed"
    enrollment.responded_at = now
    start_interview(session, enrollment=enrollment, now=now)
    session.commit()
    return "started"


# -- the interview's start (``bot.flows.interview`` runs the rest) ------------------------------------------
def start_interview(session: Session, *, enrollment: Enrollment, now: datetime) -> None:
    """Begin the interview: status INTERVIEWING, the first step, and its DM queued. Idempotent: an interview
    under way or finished is left alone. Does not commit."""
    if enrollment.status == EnrollmentStatus.ONBOARDED:
        return
    if enrollment.status == EnrollmentStatus.INTERVIEWING and rules.parse_step(enrollment.interview_step):
        return
    if enrollment.id is None:
        session.flush()
    enrollment.status = EnrollmentStatus.INTERVIEWING
    enrollment.interview_started_at = now
    enrollment.interview_step = rules.first_step()
    enrollment.completed_at = None
    enrollment.last_activity_at = now
    enrollment.reminders_sent = 0  # reminders about the invitation no longer count
    enrollment.last_reminder_at = None
    participant = session.get(Participant, enrollment.participant_id)
    assert participant is not None
    post_interview_step(session, enrollment=enrollment, participant=participant, now=now, again=False)


def post_interview_step(
    session: Session, *, enrollment: Enrollment, participant: Participant, now: datetime, again: bool
) -> OutboxMessage:
    """Queue the current step's DM (first showing once ever; again at most once a minute)."""
    step = Step(enrollment.interview_step)
    program = session.get(Program, enrollment.program_id)
    key = f"interview:{enrollment.id}:{step}" + (f":again:{_minute_key(now)}" if again else "")
    message = interview_blocks.step_message(
        participant.locale,
        step=step,
        enrollment_id=enrollment.id,
        profile=interview_profile(session, participant),
        program=program.name if program else "",
        now=now,
    )
    posted = outbox.post(
        session,
        workspace_id=participant.workspace_id,
        channel=participant.slack_user_id,
        message=message,
        now=now,
        about=outbox.About.of(program_id=enrollment.program_id, people=[participant]),
        dedupe_key=key,
    )
    enrollment.step_message = {"step": str(step), "outbox_id": posted.id}
    return posted


def _minute_key(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M")


def profile_of(participant: Participant, *, manager: str | None = None) -> Profile:
    """The interview's view of a participant's answers (``manager``: the one they named, which is kept in
    reporting_line: ``bot.services.reporting.own_manager``)."""
    return Profile(
        name=participant.display_name,
        tz=participant.tz,
        locale=participant.locale,
        role=participant.role,
        self_description=participant.self_description,
        department=participant.department,
        curiosity=tuple(participant.curiosity or ()),
        can_teach=tuple(participant.can_teach or ()),
        want_to_learn=tuple(participant.want_to_learn or ()),
        learning_style=participant.learning_style,
        preferences=dict(participant.preferences or {}),
        values=tuple(participant.values or ()),
        hours_per_week=participant.hours_per_week,
        preferred_days=tuple(participant.preferred_days or ()),
        country=participant.country,
        region=participant.region,
        working_days=tuple(participant.working_days or ()),
        manager=manager,
        avoid=tuple(str(u) for u in participant.avoid or ()),
    )


def interview_profile(session: Session, participant: Participant) -> Profile:
    """The interview's view of the participant, with the manager they named."""
    return profile_of(participant, manager=reporting.own_manager(session, participant=participant))


def decline(session: Session, *, enrollment: Enrollment, now: datetime) -> bool:
    """ "Not now": no further messages about this program. False if they had already joined. Commits."""
    if enrollment.status != EnrollmentStatus.INVITED:
        return False
    enrollment.status = EnrollmentStatus.DECLINED
    enrollment.responded_at = now
    enrollment.last_activity_at = now
    session.commit()
    return True


def signup(session: Session, *, program: Program, participant: Participant, now: datetime) -> tuple[Enrollment, str]:
    """``/tandem join`` for an open program. Commits."""
    enrollment = find(session, program_id=program.id, participant_id=participant.id)
    if enrollment is None:
        enrollment = Enrollment(
            program_id=program.id,
            participant_id=participant.id,
            status=EnrollmentStatus.INVITED,
            source=InviteSource.SIGNUP,
            invited_at=now,
            last_activity_at=now,
            reminders_sent=0,
            step_message={},
        )
        session.add(enrollment)
        session.flush()
    return enrollment, join(session, enrollment=enrollment, now=now)


_OF_PARTICIPANT = (
    select(Enrollment, Program)
    .join(Program, Program.id == Enrollment.program_id)
    .where(Enrollment.participant_id == bindparam("participant_id"))
    .order_by(Enrollment.invited_at, Enrollment.id)
)


def of_participant(session: Session, *, participant: Participant) -> list[tuple[Enrollment, Program]]:
    return list(session.execute(_OF_PARTICIPANT, {"participant_id": participant.id}).tuples())


def _unanswered(*columns: Any) -> Select[Any]:
    """``columns`` of the invitations :func:`remind_invitations` may remind about."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(
            Enrollment.status == EnrollmentStatus.INVITED,
            Enrollment.reminders_sent < 2,
            Program.status == ProgramStatus.ACTIVE,
            ~Participant.slack_user_id.startswith(FORGOTTEN_PREFIX),  # forgotten after 60 days unanswered
        )
    )


# The columns an enrollment's reminder moments are read from (:func:`reminder_due_of`, :func:`reminder_next_of`): the
# reminders it had, and the person's working time with the program's working days
REMINDER_TIMES = (
    Enrollment.last_activity_at,
    Enrollment.reminders_sent,
    Enrollment.last_reminder_at,
    *worktime_columns(),
    Program.working_days,
)


def _reminders(row: Any) -> dict[str, Any]:
    return {
        "last_activity_at": row.last_activity_at,
        "reminders_sent": row.reminders_sent,
        "last_reminder_at": row.last_reminder_at,
        "tz": worktime.of_row(row),
    }


def reminder_due_of(row: Any, now: datetime) -> int | None:
    """``rules.reminder_due`` for a row of :data:`REMINDER_TIMES`: the reminder due now, if any."""
    return rules.reminder_due(now=now, **_reminders(row))


def reminder_next_of(row: Any, now: datetime) -> datetime | None:
    """``rules.reminder_next`` for a row of :data:`REMINDER_TIMES`: when its next reminder may be due."""
    return rules.reminder_next(now=now, **_reminders(row))


# Built once: the clock runs and asks these every minute
_UNANSWERED = _unanswered(Enrollment, Participant, Program)
_UNANSWERED_TIMES = _unanswered(*REMINDER_TIMES)


def remind_invitations(session: Session, now: datetime) -> int:
    """Due job: an unanswered invitation gets a gentle reminder after 2 days and a last one after 5 (in the
    person's working time), then silence. Does not commit (the tick does)."""
    sent = 0
    times = session.execute(_UNANSWERED_TIMES).all()
    if all(reminder_due_of(row, now) is None for row in times):
        return 0  # the quiet minute: columns read, no row loaded
    rows = session.execute(_UNANSWERED).tuples().all()
    for enrollment, participant, program in rows:
        number = rules.reminder_due(
            last_activity_at=enrollment.last_activity_at,
            reminders_sent=enrollment.reminders_sent,
            last_reminder_at=enrollment.last_reminder_at,
            now=now,
            tz=worktime.of(participant, program),
        )
        if number is None:
            continue
        enrollment.reminders_sent = number
        enrollment.last_reminder_at = now
        message = invitation_message(
            participant.locale,
            program=program,
            host_id=enrollment.invited_by,
            enrollment_id=enrollment.id,
            name=participant.display_name,
            reminder="reminder" if number == 1 else "last_reminder",
        )
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=participant.slack_user_id,
            message=message,
            now=now,
            about=outbox.About.of(program=program, people=[participant], users=[enrollment.invited_by]),
            dedupe_key=f"invite:{enrollment.id}:reminder:{number}",
        )
        sent += 1
    return sent


def next_invitation_reminder(session: Session, now: datetime) -> datetime | None:
    """When :func:`remind_invitations` next reminds: the earliest ``rules.reminder_next`` of the invitations it may
    remind about; None when there is none."""
    moments = (reminder_next_of(row, now) for row in session.execute(_UNANSWERED_TIMES))
    return min((m for m in moments if m is not None), default=None)
