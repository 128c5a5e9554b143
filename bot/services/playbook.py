"""The host playbook (``/tandem admin playbook``): what to do this week in each program a host may see. Who to
welcome (the people who finished their interview in the last 7 days, by name: hosts see names in the matching preview
anyway), how many wait for a partner, how many invitations and interviews are open, how many pairs went quiet or asked
for help (counts only, as on the dashboard: ``bot.services.impact.attention``), how many retros are under way, and the
silent weeks and short-notice cancellations by side as released (``bot.domain.impact.side_counts``: counts only).
Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.impact import SideCounts, side_counts
from bot.domain.programs import OnboardingCounts
from bot.domain.release import RETRO_DAYS
from bot.models import Enrollment, EnrollmentStatus, Pair, PairStatus, Participant, Program, ProgramStatus, Retro
from bot.services import impact, programs, release

WEEK = timedelta(days=7)
WELCOME_SHOWN = 10  # names listed per program; more are counted


@dataclass(frozen=True)
class ProgramWeek:
    program: Program
    counts: OnboardingCounts
    welcome: tuple[str, ...]  # display names of those who finished their interview in the last 7 days, first first
    welcome_more: int  # how many more did than are named
    waiting: int  # onboarded, in no active pair of the program
    silent: int  # active pairs flagged silent lately
    escalations: int  # open requests for help or late-cancellation patterns
    retros_open: int  # retros opened in the last RETRO_DAYS, whether filled in or not
    sides: SideCounts = field(default_factory=SideCounts)  # silent weeks and late cancellations by side, as released
    silent_as_of: datetime | None = None  # named silence flags off: ``silent`` as counted at this release


_WELCOME = (
    select(Participant.display_name)
    .join(Enrollment, Enrollment.participant_id == Participant.id)
    .where(
        Enrollment.program_id == bindparam("program"),
        Enrollment.status == EnrollmentStatus.ONBOARDED,
        Enrollment.completed_at >= bindparam("since"),
    )
    .order_by(Enrollment.completed_at, Enrollment.id)
)
_IN_PAIR = exists().where(
    Pair.program_id == Enrollment.program_id,
    Pair.status == PairStatus.ACTIVE,
    or_(Pair.participant_a_id == Enrollment.participant_id, Pair.participant_b_id == Enrollment.participant_id),
)
_WAITING = select(func.count()).where(
    and_(Enrollment.program_id == bindparam("program"), Enrollment.status == EnrollmentStatus.ONBOARDED),
    ~_IN_PAIR,
)
# retros opened in the last RETRO_DAYS (the time both partners have to fill one in): by the clock alone, never by who
# filled theirs in (a count that dropped when a pair finished would name the pair: retro completion is released)
_RETROS_OPEN = select(func.count()).where(
    Retro.program_id == bindparam("program"), Retro.opened_at > bindparam("since"), Retro.opened_at <= bindparam("now")
)


def this_week(session: Session, *, workspace_id: int, now: datetime, only: Program | None = None) -> list[ProgramWeek]:
    """Each program the caller may see (``programs.listing``), or ``only``, that is not closed, in listing order."""
    listed = [only] if only is not None else programs.listing(session, workspace_id=workspace_id)
    open_ = [p for p in listed if p.status != ProgramStatus.CLOSED]
    counts = programs.counts(session, program_ids=[p.id for p in open_])
    window = {"since": now - timedelta(days=RETRO_DAYS), "now": now}
    out = []
    for program in open_:
        joined = list(session.scalars(_WELCOME, {"program": program.id, "since": now - WEEK}))
        names = [name for name in joined if name.strip()]
        attention = impact.attention(session, program, now=now)
        out.append(
            ProgramWeek(
                program=program,
                counts=counts[program.id],
                welcome=tuple(names[:WELCOME_SHOWN]),
                welcome_more=len(joined) - len(names[:WELCOME_SHOWN]),  # the rest, and any without a name
                waiting=int(session.scalar(_WAITING, {"program": program.id}) or 0),
                silent=attention.silent,
                silent_as_of=attention.silent_as_of,
                escalations=attention.escalations,
                retros_open=int(session.scalar(_RETROS_OPEN, {"program": program.id, **window}) or 0),
                sides=side_counts(release.of(session, program)),
            )
        )
    return out
