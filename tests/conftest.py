"""Databases for the tests: SQLite always, PostgreSQL too when TANDEM_TEST_DATABASE_URL is set.

Each backend gets a database of its own for this run, dropped at the end. ``alembic upgrade head`` runs once per
backend and test process, into a template; every database a test asks for at head is a copy of it (SQLite's backup
API, PostgreSQL's ``CREATE DATABASE ... TEMPLATE``). Tests of the migrations themselves start from an empty database
(``scratch.new``). A PostgreSQL URL that is set but unreachable fails the run instead of skipping.

Test databases do not wait for the disk: SQLite files live in memory-backed /dev/shm when there is one, and
PostgreSQL test databases commit with ``synchronous_commit = off`` (a crash of the server could lose the last
commits; a restart, as the fault test does, loses nothing). What a commit means to the application is unchanged.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.crypto import new_key
from bot.db import make_session_factory, memory_dir, upgrade
from bot.models import Base

# the shared helpers' asserts explain themselves as the tests' own do
pytest.register_assert_rewrite("tests.helpers")

PG_ENV = "TANDEM_TEST_DATABASE_URL"

# The app's secret key for this run (pulse ballots, stored tokens); processes the tests start inherit it.
os.environ.setdefault("TANDEM_SECRET_KEY", new_key())


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def _pg_admin_url() -> str:
    url = make_url(os.environ[PG_ENV])
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


class ScratchDatabases:
    """Creates throw-away databases and drops them all at the end."""

    def __init__(self, tmp: Path) -> None:
        memory = memory_dir()
        self.tmp = Path(tempfile.mkdtemp(prefix="tandem-test-", dir=memory)) if memory else tmp
        self.created: list[str] = []
        self._templates: dict[str, str] = {}

    def new(self, backend: str, *, template: str | None = None) -> str:
        """An empty database (or, with ``template``, a copy of that PostgreSQL database)."""
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / f'tandem-{uuid.uuid4().hex[:8]}.sqlite3'}"
        admin = _pg_admin_url()
        name = f"tandem_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
                self.created.append(name)
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        except Exception as exc:  # set but unreachable: fail loudly, never skip
            pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}", pytrace=False)
        finally:
            engine.dispose()
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def migrated(self, backend: str) -> str:
        """A new database at the migrations' head: a copy of one this process migrated once, the same bytes as a
        database just migrated (the same ids to come, nothing any test wrote)."""
        template = self._templates.get(backend)
        if template is None:
            template = self._templates[backend] = self.new(backend)
            upgrade(template)  # alembic's engine has no pool: no connection to the template stays open
        if backend == "sqlite":
            url = self.new(backend)
            source = sqlite3.connect(make_url(template).database)
            target = sqlite3.connect(make_url(url).database)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            return url
        return self.new(backend, template=make_url(template).database)

    def drop_all(self) -> None:
        if self.tmp.parent == memory_dir():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if not self.created:
            return
        # Each DROP DATABASE waits for a checkpoint; dropped side by side, they share one or two.
        engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)

        def drop(name: str) -> None:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        with ThreadPoolExecutor(max_workers=min(16, len(self.created))) as pool:
            list(pool.map(drop, self.created))
        engine.dispose()


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases(tmp_path_factory.mktemp("db"))
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, scratch: ScratchDatabases) -> str:
    return scratch.migrated(request.param)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from tests.helpers import shared_engine

    engine = shared_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated database; every row is deleted again after the test."""
    yield make_session_factory(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def stack(database_url: str, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    """The whole of Tandem on the sandbox and a simulated clock. Afterwards every Web API call it made must be one
    Slack accepts, every interaction answer well formed, and every response_url post accepted. (A test module
    may define its own ``stack`` when it needs something else.)"""
    from tests.helpers import assert_calls_ok, make_stack

    s = make_stack(database_url).start()
    yield s
    assert_calls_ok(s)
    s.stop()


# The longest test files, longest first, run before the rest. With ``-n 2 --dist loadfile`` each process takes the next
# file when it is done; a long file taken last keeps one process busy while the other has nothing left to do.
LONGEST_FIRST = (
    "test_release_attacks.py",
    "test_fuzz.py",
    "test_authz.py",
    "test_e2e_polls.py",
    "test_e2e_admin.py",
    "test_matching_domain.py",
    "test_e2e_trial.py",
    "test_e2e_rhythm.py",
    "test_least_data.py",
    "test_e2e_impact.py",
)


def on_sqlite_only(*values: Any, id: str | None = None) -> Any:
    """A parameter of a test that runs on SQLite only, beside others of the same test that run on both backends:
    for a test whose cases differ in what they ask Tandem, not in what they ask of the database, so that some of them
    on PostgreSQL prove the point there (the module says which and why)."""
    return pytest.param(*values, id=id, marks=pytest.mark.sqlite_only)


def _on_postgresql(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgresql" in callspec.params.values()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dropped = [item for item in items if _on_postgresql(item) and item.get_closest_marker("sqlite_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
