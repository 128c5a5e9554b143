"""Invitations and answers to them: who is in which program."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.blocks.invite import invitation_message
from bot.domain.privacy import FORGOTTEN_PREFIX
from bot.models import (
    BatchStatus,
    Enrollment,
    EnrollmentStatus,
    InviteBatch,
    InviteSource,
    Participant,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import outbox

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


def claim_batch(session: Session, *, now: datetime) -> InviteBatch | None:
    """Claim the oldest pending invitation request for this worker. Commits."""
    batch = session.scalar(
        select(InviteBatch)
        .where(InviteBatch.status == BatchStatus.PENDING)
        .order_by(InviteBatch.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
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
            dedupe_key=f"invite-batch:{batch.id}:summary",
        )
    session.commit()


def release_stale_batches(session: Session, *, now: datetime) -> int:
    """Give back requests whose worker vanished mid-way; inviting again is harmless. Does not commit."""
    result = session.execute(
        update(InviteBatch)
        .where(InviteBatch.status == BatchStatus.PROCESSING, InviteBatch.claimed_at < now - BATCH_STALE)
        .values(status=BatchStatus.PENDING, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


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
    from bot.flows import interview

    program = session.get(Program, enrollment.program_id)
    if enrollment.status in (EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED):
        return "already"
    if program is None or program.status != ProgramStatus.ACTIVE:
        return "closed"
    enrollment.responded_at = now
    interview.start(session, enrollment=enrollment, now=now)
    session.commit()
    return "started"


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


def of_participant(session: Session, *, participant: Participant) -> list[tuple[Enrollment, Program]]:
    return list(
        session.execute(
            select(Enrollment, Program)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.participant_id == participant.id)
            .order_by(Enrollment.invited_at, Enrollment.id)
        ).tuples()
    )


def remind_invitations(session: Session, now: datetime) -> int:
    """Due job: an unanswered invitation gets a gentle reminder after 2 days and a last one after 5 (in the
    person's daytime), then silence. Does not commit (the tick does)."""
    from bot.blocks.invite import invitation_message
    from bot.domain.interview import reminder_due

    sent = 0
    rows = (
        session.execute(
            select(Enrollment, Participant, Program)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .join(Program, Program.id == Enrollment.program_id)
            .where(
                Enrollment.status == EnrollmentStatus.INVITED,
                Enrollment.reminders_sent < 2,
                Program.status == ProgramStatus.ACTIVE,
                ~Participant.slack_user_id.startswith(FORGOTTEN_PREFIX),  # forgotten after 60 days unanswered
            )
        )
        .tuples()
        .all()
    )
    for enrollment, participant, program in rows:
        number = reminder_due(
            last_activity_at=enrollment.last_activity_at,
            reminders_sent=enrollment.reminders_sent,
            last_reminder_at=enrollment.last_reminder_at,
            now=now,
            tz=participant.tz,
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
            dedupe_key=f"invite:{enrollment.id}:reminder:{number}",
        )
        sent += 1
    return sent
