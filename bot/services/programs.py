"""Programs (cohorts): create, edit, pause, resume, close, open sign-up; onboarding counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.hosts import Scope
from bot.domain.programs import OnboardingCounts, ProgramSpec
from bot.models import Enrollment, EnrollmentStatus, Program, ProgramStatus, Workspace
from bot.services import roles


class ProgramError(Exception):
    """A program action that does not fit the program's state (the message key says why)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def local_now(timezone: str, *, now: datetime) -> datetime:
    """``now`` in ``timezone`` (UTC when Tandem does not know the zone)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone)


def local_today(timezone: str, *, now: datetime) -> date:
    """Today's date in ``timezone`` (UTC when Tandem does not know the zone)."""
    return local_now(timezone, now=now).date()


def names(session: Session, *, workspace_id: int, except_id: int | None = None) -> set[str]:
    query = select(Program.name).where(Program.workspace_id == workspace_id)
    if except_id is not None:
        query = query.where(Program.id != except_id)
    return set(session.scalars(query))


def get(session: Session, *, workspace: Workspace, program_id: int) -> Program | None:
    """A program of this workspace, or None (ids from buttons are never trusted across workspaces)."""
    program = session.get(Program, program_id)
    return program if program is not None and program.workspace_id == workspace.id else None


def listing(
    session: Session, *, workspace_id: int, include_closed: bool = False, scope: Scope | None = None
) -> list[Program]:
    """The workspace's programs, oldest first; with ``scope`` (by default the host request's, ``roles.current``), only
    those the host may see (filtered in the query, so no other program is read)."""
    scope = scope if scope is not None else roles.current()
    query = select(Program).where(Program.workspace_id == workspace_id).order_by(Program.created_at, Program.id)
    if not include_closed:
        query = query.where(Program.status != ProgramStatus.CLOSED)
    if scope is not None and not scope.admin:
        query = query.where(Program.id.in_(sorted(scope.hosts | scope.cohosts)))
    return list(session.scalars(query))


def _apply(program: Program, spec: ProgramSpec) -> None:
    program.name = spec.name
    program.learning_fields = list(spec.learning_fields)
    program.start_date = spec.start_date
    program.duration_weeks = spec.duration_weeks
    program.rhythm = spec.rhythm
    program.prompt_weekday = spec.prompt_weekday
    program.prompt_hour = spec.prompt_hour
    program.trial_weeks = spec.trial_weeks
    program.focus_question = spec.focus_question
    program.bold_goals = list(spec.bold_goals)
    program.default_locale = spec.default_locale
    program.signup_open = spec.signup_open
    program.retention_months = spec.retention_months
    program.reporting_levels = spec.reporting_levels
    if spec.working_days is not None:
        program.working_days = list(spec.working_days)
    if spec.monitoring is not None:
        program.named_silence = "named_silence" in spec.monitoring
        program.late_cancel_log = "late_cancel_log" in spec.monitoring
        program.streaks = "streaks" in spec.monitoring


def create(
    session: Session, *, workspace: Workspace, spec: ProgramSpec, created_by: str, timezone: str, now: datetime
) -> Program:
    """A new active program. Does not commit (the caller also queues the announcement)."""
    program = Program(
        workspace_id=workspace.id,
        status=ProgramStatus.ACTIVE,
        created_by=created_by,
        timezone=timezone,
        created_at=now,
        updated_at=now,
        digest_snapshot={},
    )
    _apply(program, spec)
    program.match_on = spec.match_on
    session.add(program)
    session.flush()
    return program


def update(session: Session, *, program: Program, spec: ProgramSpec, now: datetime) -> Program:
    if program.status == ProgramStatus.CLOSED:
        raise ProgramError("closed")
    _apply(program, spec)
    if spec.match_on != program.match_on or program.match_ran_on == program.match_on:
        # A new matching date, or one entered again after it was handled (the form leaves a handled date out):
        # the clock runs it (again).
        program.match_on, program.match_ran_on = spec.match_on, None
    program.updated_at = now
    session.flush()
    return program


TRANSITIONS = {
    "pause": ({ProgramStatus.ACTIVE}, ProgramStatus.PAUSED),
    "resume": ({ProgramStatus.PAUSED}, ProgramStatus.ACTIVE),
    "close": ({ProgramStatus.ACTIVE, ProgramStatus.PAUSED, ProgramStatus.DRAFT}, ProgramStatus.CLOSED),
}


def transition(session: Session, *, program: Program, action: str, now: datetime) -> Program:
    """Pause, resume or close. Closing also closes sign-up. Does not commit."""
    allowed, target = TRANSITIONS[action]
    if program.status not in allowed:
        raise ProgramError(f"cannot_{action}")
    program.status = target
    if target == ProgramStatus.CLOSED:
        program.signup_open = False
        program.closed_at = now
    program.updated_at = now
    return program


def toggle_signup(session: Session, *, program: Program, now: datetime) -> Program:
    if program.status != ProgramStatus.ACTIVE:
        raise ProgramError("not_active")
    program.signup_open = not program.signup_open
    program.updated_at = now
    return program


def open_for_signup(session: Session, *, workspace_id: int) -> list[Program]:
    return list(
        session.scalars(
            select(Program)
            .where(
                Program.workspace_id == workspace_id,
                Program.status == ProgramStatus.ACTIVE,
                Program.signup_open.is_(True),
            )
            .order_by(Program.created_at, Program.id)
        )
    )


# Built once: App Home, the digests and the dashboard ask for these counts on every read.
_COMPLETED = Enrollment.completed_at.is_not(None)
_COUNTS = (
    select(Enrollment.program_id, Enrollment.status, _COMPLETED, func.count())
    .where(Enrollment.program_id.in_(bindparam("ids", expanding=True)))
    .group_by(Enrollment.program_id, Enrollment.status, _COMPLETED)
)


def counts(session: Session, *, program_ids: list[int]) -> dict[int, OnboardingCounts]:
    """Onboarding counts per program in one query. Someone who left Tandem after their interview (forget-me)
    still counts as onboarded: the counts are anonymous aggregates."""
    rows = session.execute(_COUNTS, {"ids": program_ids}).all()
    per: dict[int, dict[str, int]] = {pid: {} for pid in program_ids}
    for program_id, status, was_onboarded, n in rows:
        if status == EnrollmentStatus.LEFT and was_onboarded:
            status = EnrollmentStatus.ONBOARDED
        per[program_id][status] = per[program_id].get(status, 0) + n
    out: dict[int, OnboardingCounts] = {}
    for program_id, by in per.items():
        out[program_id] = OnboardingCounts(
            invited=sum(by.values()),
            pending=by.get(EnrollmentStatus.INVITED, 0),
            interviewing=by.get(EnrollmentStatus.INTERVIEWING, 0),
            onboarded=by.get(EnrollmentStatus.ONBOARDED, 0),
            declined=by.get(EnrollmentStatus.DECLINED, 0),
        )
    return out
