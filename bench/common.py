"""What the bench scripts share: the machine line, throw-away databases (a SQLite file, a PostgreSQL database
created for the run and dropped after, also on failure), timing, percentiles and a process's CPU time.

Every script prints numbers and asserts no time; none of this is imported by the bot.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"  # only to create and drop the benchmark's own database
BACKENDS = ("sqlite", "postgresql")

T = TypeVar("T")


# -- the machine ------------------------------------------------------------------------------------------
def machine() -> str:
    return (
        f"{os.cpu_count()} cpus, {platform.machine()}, python {platform.python_version()},"
        f" {platform.system()} {platform.release()}"
    )


def pg_url_default() -> str:
    """The PostgreSQL server a benchmark creates its database on: TANDEM_TEST_DATABASE_URL, else the local one."""
    return os.environ.get("TANDEM_TEST_DATABASE_URL") or DEFAULT_PG


def headline(name: str, backends: Sequence[str], pg_url: str) -> str:
    """``<name> benchmark: <machine>[, PostgreSQL <version>]``: the first line every script prints."""
    pg = f", PostgreSQL {pg_version(pg_url)}" if "postgresql" in backends else ""
    return f"{name} benchmark: {machine()}{pg}"


# -- databases --------------------------------------------------------------------------------------------
def psycopg_url(url: str) -> Any:
    """``url`` as a SQLAlchemy URL with the psycopg (3) driver for PostgreSQL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextmanager
def pg_database(admin_url: str, name: str) -> Iterator[str]:
    """A PostgreSQL database of our own for the block (dropped afterwards, also on failure); yields its URL."""
    from sqlalchemy import create_engine, text

    url = psycopg_url(admin_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pg_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def sqlite_file(tag: str) -> Iterator[str]:
    """A SQLite file in a temporary directory for the block; yields its URL."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / f'bench-{tag}.sqlite3'}"


@contextmanager
def sample_databases(tag: str) -> Iterator[list[tuple[str, str]]]:
    """A SQLite file always, and a PostgreSQL database when TANDEM_TEST_DATABASE_URL names a server: (backend,
    URL) pairs for the block, each dropped afterwards."""
    with ExitStack() as stack:
        urls = [("sqlite", stack.enter_context(sqlite_file(tag)))]
        pg = os.environ.get("TANDEM_TEST_DATABASE_URL")
        if pg:
            urls.append(("postgresql", stack.enter_context(pg_database(pg, f"tandem_bench_{tag}_{os.getpid()}"))))
        yield urls


def backends(names: Sequence[str], pg_url: str, tag: str) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Per backend name (``sqlite``, ``postgresql``): the name and a context manager factory of a fresh, empty
    database's URL (``tandem_bench_<tag>_<pid>`` on PostgreSQL)."""
    for name in names:
        if name == "sqlite":
            yield name, lambda: sqlite_file(tag)
        elif name == "postgresql":
            yield name, lambda: pg_database(pg_url, f"tandem_bench_{tag}_{os.getpid()}")
        else:
            raise SystemExit(f"unknown backend {name!r} ({', '.join(BACKENDS)})")


def listed(text: str) -> list[str]:
    """A comma-separated option (``--backends sqlite,postgresql``) as a list."""
    return [part.strip() for part in text.split(",") if part.strip()]


# -- timing -----------------------------------------------------------------------------------------------
def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()`` and its wall time in seconds."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def repeated(fn: Callable[[], T], repeat: int) -> tuple[list[float], T]:
    """``fn()`` run ``repeat`` times: each run's wall time in seconds, and the last result."""
    seconds: list[float] = []
    out: Any = None
    for _ in range(repeat):
        out, s = timed(fn)
        seconds.append(s)
    return seconds, out


def median_ms(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median wall time of ``repeat`` runs of ``fn()`` in ms, and the last result."""
    seconds, out = repeated(fn, repeat)
    return 1000 * statistics.median(seconds), out


def pct(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0 < q <= 1) of ``values``, nearest rank; NaN for none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
