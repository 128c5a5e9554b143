"""The clock's per-minute tick: asks every service what is due at ``now``.

Idempotent twice over: each due job marks what it did in the domain rows it changes, and the tick itself
records the minute it acted on, so a second tick for the same minute (a restarted or standby clock)
finds the record and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.flows import escalation as escalation_flow
from bot.flows import interview, speed
from bot.flows import matching as matching_flow
from bot.flows import rhythm as rhythm_flow
from bot.models import ClockTick
from bot.services import (
    agreements,
    delivery_alerts,
    digest,
    enrollments,
    events,
    impact,
    installs,
    outbox,
    polls,
    retention,
    retros,
    trial,
)

DueJob = Callable[[Session, datetime], int]

# name -> job(session, now) -> how many things it did. Later work adds prompts, polls, digests, ...
DUE_JOBS: dict[str, DueJob] = {
    "outbox.release_stale_claims": lambda session, now: outbox.release_stale_claims(session, now=now),
    "events.prune": lambda session, now: events.prune(session, now=now),
    "outbox.parked_alerts": lambda session, now: delivery_alerts.due(session, now),
    "invites.release_stale_batches": lambda session, now: enrollments.release_stale_batches(session, now=now),
    "digest.daily": lambda session, now: digest.daily(session, now),
    "invites.reminders": lambda session, now: enrollments.remind_invitations(session, now),
    "interview.reminders": lambda session, now: interview.send_reminders(session, now),
    "speed.prepare": lambda session, now: speed.prepare_rounds(session, now),
    "speed.reminders": lambda session, now: speed.send_reminders(session, now),
    "speed.close": lambda session, now: speed.close_rounds(session, now),
    "matching.scheduled": lambda session, now: matching_flow.run_scheduled(session, now),
    "trial.check_in": lambda session, now: trial.due(session, now),
    "rhythm.weekly": lambda session, now: rhythm_flow.due(session, now),
    "escalations.late_pattern": lambda session, now: escalation_flow.late_patterns(session, now),
    "agreement.reminders": lambda session, now: agreements.send_reminders(session, now),
    "polls.due": lambda session, now: polls.due(session, now),  # before retros: the program retro's mood trend
    "retro.due": lambda session, now: retros.due(session, now),
    "impact.weekly_digest": lambda session, now: impact.weekly_due(session, now),
    # a program's data, retention_months after its end: deleted at 03:00 program time (heads-up a week before)
    "retention.daily": lambda session, now: retention.due(session, now),
    # people who never joined a program: forgotten 30 days after their invitation's answer or expiry (03:30 UTC)
    "retention.people": lambda session, now: retention.people_due(session, now),
    # last: whatever the jobs above queued for a workspace that uninstalled Tandem is parked, never sent
    "installs.park_uninstalled": lambda session, now: installs.park_uninstalled(session, now),
}


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def tick(session: Session, *, now: datetime, jobs: dict[str, DueJob] | None = None) -> dict[str, int] | None:
    """Run every due job for the minute of ``now`` in one transaction.

    Returns what each job did, or None when this minute was already handled.
    """
    minute = minute_of(now)
    if session.get(ClockTick, minute) is not None:
        session.rollback()
        return None
    summary = {name: job(session, now) for name, job in (jobs or DUE_JOBS).items()}
    session.add(ClockTick(minute=minute, ran_at=now, summary=summary))
    try:
        session.commit()
    except IntegrityError:  # another clock handled this minute at the same moment
        session.rollback()
        return None
    return summary
