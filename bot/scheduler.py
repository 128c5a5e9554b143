"""``tandem clock``: APScheduler 3.x runs one coarse per-minute tick; only the lock holder acts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.jobs import DUE_JOBS
from bot.services.ticks import DueJob, tick

log = logging.getLogger(__name__)

# pg advisory lock key: "TANDEMCL" as a 64-bit integer, shared by every clock of one database.
CLOCK_LOCK_KEY = int.from_bytes(b"TANDEMCL", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Leadership:
    """Exactly one acting clock per database. PostgreSQL: a session advisory lock held on its own
    connection (released by the server if this process dies). SQLite: one process, always the leader."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Any = None

    def is_leader(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        try:
            if self._conn is None:
                self._conn = self.engine.connect()
                got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": CLOCK_LOCK_KEY}).scalar()
                self._conn.commit()
                if not got:
                    self._conn.close()
                    self._conn = None
                    return False
            else:
                self._conn.execute(text("SELECT 1"))  # still connected, so still holding the lock
                self._conn.commit()
            return True
        except Exception:
            log.warning("clock: lost the database connection; standing by")
            self.release()
            return False

    def release(self) -> None:
        """Give up leadership. The lock connection is discarded, not returned to the pool, because a
        session advisory lock lives as long as the server-side session."""
        if self._conn is not None:
            try:
                self._conn.invalidate()
            except Exception:
                log.debug("clock: discarding the lock connection failed", exc_info=True)
            self._conn = None


def run_tick(
    session_factory: sessionmaker[Session],
    clock: Clock,
    leadership: Leadership,
    jobs: Mapping[str, DueJob] = DUE_JOBS,
) -> dict[str, int] | None:
    """One tick of the clock's due jobs (``bot.jobs.DUE_JOBS`` unless told otherwise), if this clock is the leader."""
    if not leadership.is_leader():
        log.info("clock: standing by (another clock holds the lock)")
        return None
    with session_factory() as session:
        summary = tick(session, now=clock.now(), jobs=jobs)
    if summary is not None and any(summary.values()):
        log.info("clock: tick did %s", summary)
    return summary


def run_clock(engine: Engine, session_factory: sessionmaker[Session], clock: Clock) -> None:
    leadership = Leadership(engine)
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        run_tick,
        CronTrigger(second=0, timezone="UTC"),
        args=(session_factory, clock, leadership),
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=50,
        replace_existing=True,
    )
    run_tick(session_factory, clock, leadership)
    try:
        scheduler.start()
    finally:
        leadership.release()
