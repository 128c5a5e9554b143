"""The clock's due jobs, one table: name -> job(session, now) -> how many things it did; and beside it, under the same
names, when each may next act (``NEXT_DUE``), so a simulated clock jumps from one such moment to the next instead of
ticking each quiet minute (``bot.sandbox.stack.LocalStack.advance``).

It sits beside the route table, above the flows (a job may be a flow's, e.g. the interview's reminders), so no
service imports a flow; ``bot.services.ticks.tick`` runs it each minute (``tandem clock``, ``bot.scheduler``).
The order is the order they run in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.flows import escalation as escalation_flow
from bot.flows import interview, speed
from bot.flows import matching as matching_flow
from bot.flows import rhythm as rhythm_flow
from bot.services import (
    agreements,
    delivery_alerts,
    digest,
    enrollments,
    events,
    followups,
    impact,
    installs,
    live,
    outbox,
    peer_circle,
    polls,
    retention,
    retros,
    trial,
)
from bot.services.ticks import MINUTE, DueJob, NextDue

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
    # the preparation DM the evening before a week: planned in the minute the week before opens (after the round)
    "rhythm.prep": lambda session, now: rhythm_flow.prep_due(session, now),
    "escalations.late_pattern": lambda session, now: escalation_flow.late_patterns(session, now),
    "agreement.reminders": lambda session, now: agreements.send_reminders(session, now),
    # an hour before each accepted live session (or each occurrence of a weekly one): a DM to both partners
    "live.reminders": lambda session, now: live.remind(session, now),
    # the peer circles: created, their people in step, the monthly prompt (first working day, 09:00 program time)
    "peer_circle.due": lambda session, now: peer_circle.due(session, now),
    "polls.due": lambda session, now: polls.due(session, now),  # closes rounds; the weekly release shows them
    # the weekly release (bot.services.release), its snapshot and digest: before the program retro, which reads it
    "impact.weekly_digest": lambda session, now: impact.weekly_due(session, now),
    "retro.due": lambda session, now: retros.due(session, now),
    # each partner, 30 and 90 days after their pair ended, in their working time: "Is what we learned still in use?"
    "followup.due": lambda session, now: followups.due(session, now),
    # a program's data, retention_months after its end: deleted at 03:00 program time (heads-up a week before)
    "retention.daily": lambda session, now: retention.due(session, now),
    # people who never joined a program: forgotten 30 days after their invitation's answer or expiry (03:30 UTC)
    "retention.people": lambda session, now: retention.people_due(session, now),
    # last: whatever the jobs above queued for a workspace that uninstalled Tandem is parked, never sent
    "installs.park_uninstalled": lambda session, now: installs.park_uninstalled(session, now),
    # what a parked call says is kept a day (to see why Slack refused it), a private one (a data export) not at all
    "outbox.empty_parked": lambda session, now: outbox.empty_parked(session, now),
}


def every_minute(session: Session, now: datetime) -> datetime:
    """For a job that cannot tell when it acts next: it may at the next minute (a simulated clock then ticks each
    minute, as production does)."""
    return now + MINUTE


# name -> next(session, now): see ``bot.services.ticks.NextDue``; the same names as DUE_JOBS
NEXT_DUE: dict[str, NextDue] = {
    "outbox.release_stale_claims": outbox.next_stale_claim,
    "events.prune": events.next_prune,
    "outbox.parked_alerts": delivery_alerts.next_due,
    "invites.release_stale_batches": enrollments.next_stale_release,
    "digest.daily": digest.next_daily,
    "invites.reminders": enrollments.next_invitation_reminder,
    "interview.reminders": interview.next_reminder,
    "speed.prepare": speed.next_prepare,
    "speed.reminders": speed.next_reminders,
    "speed.close": speed.next_close,
    "matching.scheduled": matching_flow.next_scheduled,
    "trial.check_in": trial.next_due,
    "rhythm.weekly": rhythm_flow.next_due,
    "rhythm.prep": rhythm_flow.prep_next_due,
    "escalations.late_pattern": escalation_flow.next_late_patterns,
    "agreement.reminders": agreements.next_reminder,
    "live.reminders": live.next_reminder,
    "peer_circle.due": peer_circle.next_due,
    "polls.due": polls.next_due,
    "impact.weekly_digest": impact.next_weekly_due,
    "retro.due": retros.next_due,
    "followup.due": followups.next_due,
    "retention.daily": retention.next_due,
    "retention.people": retention.next_people_due,
    "installs.park_uninstalled": installs.next_park_uninstalled,
    "outbox.empty_parked": outbox.next_empty_parked,
}
