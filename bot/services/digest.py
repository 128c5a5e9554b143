"""The hosts' daily onboarding digest: one compact message per program, not a message per event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.admin import digest as digest_message
from bot.domain.programs import OnboardingCounts, digest_day, digest_next
from bot.models import Program, ProgramStatus, Workspace
from bot.services import outbox, programs


def _changes(before: dict[str, int], after: OnboardingCounts) -> dict[str, int] | None:
    if not before:
        return None
    now = after.as_dict()
    return {
        "joined": max(
            0, (now["interviewing"] + now["onboarded"]) - (before.get("interviewing", 0) + before.get("onboarded", 0))
        ),
        "onboarded": max(0, now["onboarded"] - before.get("onboarded", 0)),
        "declined": max(0, now["declined"] - before.get("declined", 0)),
    }


def _post(
    session: Session, *, workspace: Workspace, program: Program, counts: OnboardingCounts, key: str, now: datetime
) -> None:
    assert workspace.admin_channel_id
    message = digest_message(
        program.default_locale, program=program, counts=counts, changes=_changes(program.digest_snapshot, counts)
    )
    about = outbox.About.of(program=program)  # counts only
    outbox.to_hosts(session, workspace, message, cause=key, now=now, about=about)
    program.digest_snapshot = counts.as_dict()


# Built once: the clock runs and asks these every minute (active programs with an admin channel)
_WITH_CHANNEL = (Program.status == ProgramStatus.ACTIVE, Workspace.admin_channel_id.is_not(None))
_PROGRAMS = select(Program, Workspace).join(Workspace, Workspace.id == Program.workspace_id).where(*_WITH_CHANNEL)
_DAYS = (
    select(Program.timezone, Program.last_digest_on)
    .join(Workspace, Workspace.id == Program.workspace_id)
    .where(*_WITH_CHANNEL)
    .distinct()
)


def daily(session: Session, now: datetime) -> int:
    """Due job: at 09:00 in each active program's zone, post its digest once a day, and only when
    something changed since the last one (an unchanged day stays quiet). Does not commit (the tick does)."""
    posted = 0
    rows = session.execute(_PROGRAMS).tuples().all()
    days = [(p, w, digest_day(now, tz=p.timezone, last_digest_on=p.last_digest_on)) for p, w in rows]
    due = [(program, workspace, day) for program, workspace, day in days if day is not None]
    if not due:
        return 0  # the quiet minute: no counts to read
    all_counts = programs.counts(session, program_ids=[p.id for p, _, _ in due])
    for program, workspace, day in due:
        program.last_digest_on = day
        counts = all_counts[program.id]
        if counts.as_dict() == program.digest_snapshot or counts.invited == 0:
            continue
        _post(
            session,
            workspace=workspace,
            program=program,
            counts=counts,
            key=f"digest:{program.id}:{day.isoformat()}",
            now=now,
        )
        posted += 1
    return posted


def next_daily(session: Session, now: datetime) -> datetime | None:
    """When :func:`daily` next acts: the earliest ``digest_next`` of the active programs with an admin channel (from
    then on it marks the day, even when nothing changed); None when there is none."""
    rows = session.execute(_DAYS).tuples()
    return min((digest_next(now, tz=tz, last_digest_on=last) for tz, last in rows), default=None)


def post_now(session: Session, *, workspace: Workspace, now: datetime, only: Program | None = None) -> int:
    """``/tandem admin digest [program]``: the summary of ``only``, or of every active program (a host's: those
    they may see) right away. Commits."""
    listed = [only] if only is not None else programs.listing(session, workspace_id=workspace.id)
    active = [p for p in listed if p.status == ProgramStatus.ACTIVE]
    all_counts = programs.counts(session, program_ids=[p.id for p in active])
    for program in active:
        _post(
            session,
            workspace=workspace,
            program=program,
            counts=all_counts[program.id],
            key=f"digest-now:{program.id}:{now.isoformat()}",
            now=now,
        )
    session.commit()
    return len(active)
