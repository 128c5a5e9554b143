"""Each Slack event is handled once. Slack redelivers an event it thinks was not acknowledged (same ``event_id``,
``X-Slack-Retry-Num`` set), and several ``web`` processes may get the copies at the same moment: the first to
insert the event's row handles it; the others acknowledge and do nothing. A handling that failed releases its row
so Slack's next retry is handled; a claim left by a process that died is taken over after ``STALE``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import SlackEvent

STALE = timedelta(minutes=5)  # Slack gives up retrying after about an hour; a live handler is long done by then
KEEP = timedelta(days=2)  # rows older than this are pruned by the clock (Slack retries for much less)


# Built once, on the table (Core: no unit of work, no ORM bulk path), as every event runs them: a statement built per
# call costs more CPU than the query takes.
_EVENTS = SlackEvent.__table__
_CLAIM = insert(_EVENTS)
_DONE = update(_EVENTS).where(_EVENTS.c.event_id == bindparam("id")).values(done_at=bindparam("done_at"))


def claim(session: Session, *, event_id: str, team_id: str, now: datetime) -> bool:
    """True when this process should handle the event now; False when it was handled or is being handled."""
    try:
        session.execute(_CLAIM, {"event_id": event_id, "team_id": team_id, "received_at": now})
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
    row = session.get(SlackEvent, event_id)
    if row is None:  # pruned or released in the meantime: handle it
        return claim(session, event_id=event_id, team_id=team_id, now=now)
    if row.done_at is not None or row.received_at > now - STALE:
        return False
    taken = session.execute(  # take over a claim left by a process that died, unless another one just did
        update(SlackEvent)
        .where(
            SlackEvent.event_id == event_id,
            SlackEvent.received_at == row.received_at,
            SlackEvent.done_at.is_(None),
        )
        .values(received_at=now)
    )
    session.commit()
    return taken.rowcount == 1  # type: ignore[attr-defined]


def finish(session: Session, *, event_id: str, ok: bool, now: datetime) -> None:
    """Mark the event handled, or release it when handling failed (Slack's retry is then handled). Commits."""
    if ok:
        session.execute(_DONE, {"id": event_id, "done_at": now})
    else:
        session.execute(delete(SlackEvent).where(SlackEvent.event_id == event_id, SlackEvent.done_at.is_(None)))
    session.commit()


# Built once: the clock runs and asks these every minute
_PRUNE = delete(SlackEvent).where(SlackEvent.received_at < bindparam("before"))
_OLDEST = select(func.min(SlackEvent.received_at))


def prune(session: Session, *, now: datetime) -> int:
    """Clock: forget events older than ``KEEP``. Does not commit."""
    result = session.execute(_PRUNE, {"before": now - KEEP})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def next_prune(session: Session, now: datetime) -> datetime | None:
    """When :func:`prune` next deletes: a microsecond after the oldest event turned ``KEEP`` old (it deletes only
    older ones); None without events."""
    oldest = session.scalar(_OLDEST)
    return None if oldest is None else oldest + KEEP + timedelta(microseconds=1)
