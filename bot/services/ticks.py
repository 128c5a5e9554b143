"""The clock's per-minute tick: runs the due jobs it is given (``bot.jobs.DUE_JOBS``, the table above the flows)
at ``now``.

Idempotent twice over: each due job marks what it did in the domain rows it changes, and the tick itself
records the minute it acted on, so a second tick for the same minute (a restarted or standby clock)
finds the record and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import ClockTick

# job(session, now) -> how many things it did
DueJob = Callable[[Session, datetime], int]


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def tick(session: Session, *, now: datetime, jobs: Mapping[str, DueJob]) -> dict[str, int] | None:
    """Run every due job of ``jobs`` (name -> job) for the minute of ``now`` in one transaction, in their order.

    Returns what each job did, or None when this minute was already handled.
    """
    minute = minute_of(now)
    if session.get(ClockTick, minute) is not None:
        session.rollback()
        return None
    summary = {name: job(session, now) for name, job in jobs.items()}
    session.add(ClockTick(minute=minute, ran_at=now, summary=summary))
    try:
        session.commit()
    except IntegrityError:  # another clock handled this minute at the same moment
        session.rollback()
        return None
    return summary
