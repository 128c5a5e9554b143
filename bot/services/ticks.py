"""The clock's per-minute tick: runs the due jobs it is given (``bot.jobs.DUE_JOBS``, the table above the flows)
at ``now``; and when the next of them may act (:func:`next_due`), so a simulated clock can jump there.

Idempotent twice over: each due job marks what it did in the domain rows it changes, and the tick itself
records the minute it acted on, so a second tick for the same minute (a restarted or standby clock)
finds the record and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import ClockTick

# job(session, now) -> how many things it did
DueJob = Callable[[Session, datetime], int]
# next(session, now) -> the earliest moment at which the job may act, from what is stored now (a moment at or before
# ``now``: it may act now); None: nothing to do until something stored changes. A lower bound: run at any moment
# from ``now`` up to (not including) it, with nothing else changed, the job changes nothing.
NextDue = Callable[[Session, datetime], datetime | None]


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


def next_due(session: Session, *, now: datetime, nexts: Mapping[str, NextDue]) -> datetime | None:
    """The earliest moment any of ``nexts`` may act (see ``NextDue``), or None when none will until something stored
    changes. Reads only; ends the transaction it read in."""
    try:
        moments = [when for when in (next_(session, now) for next_ in nexts.values()) if when is not None]
    finally:
        session.rollback()
    return min(moments, default=None)


MINUTE = timedelta(minutes=1)


def next_tick(now: datetime, *, until: datetime, due: datetime | None, origin: datetime | None = None) -> datetime:
    """Where a simulated clock ticking each minute from ``origin`` (default ``now``: origin + 1, 2, … minutes) first
    meets ``due`` after ``now``: the first tick at or after it, at least the next one after ``now``, and never past
    ``until`` (nor, when nothing is due, short of it)."""
    origin = now if origin is None else origin
    if due is None or due >= until:
        return until
    first = (now - origin) // MINUTE + 1  # the next tick after now
    minutes = max(first, -((origin - due) // MINUTE))  # ceil((due - origin) / 1 minute)
    return min(origin + minutes * MINUTE, until)


def probe(engine: Engine, session_factory: Callable[[], Session], job: DueJob, now: datetime) -> list[str]:
    """Run ``job`` at ``now`` and roll it back: the statements it would have written with (INSERT, UPDATE, DELETE),
    none when it would change nothing. For checking a ``NextDue``. An UPDATE or DELETE that matched no row changes
    nothing and is not counted (a job may run one each minute); every INSERT counts, as does any statement whose
    row count is unknown (one with RETURNING reports it only once its rows are read)."""
    writes: list[str] = []

    def seen(conn: object, cursor: Any, statement: str, *args: object) -> None:
        verb = statement.lstrip()[:6].upper()
        if verb not in ("INSERT", "UPDATE", "DELETE"):
            return
        if verb != "INSERT" and cursor.rowcount == 0 and "RETURNING" not in statement.upper():
            return
        writes.append(statement)

    event.listen(engine, "after_cursor_execute", seen)
    try:
        with session_factory() as session:
            job(session, now)
            session.flush()
            session.rollback()
    finally:
        event.remove(engine, "after_cursor_execute", seen)
    return writes
