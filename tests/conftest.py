"""Databases for the tests: SQLite always, PostgreSQL too when TANDEM_TEST_DATABASE_URL is set.

Each backend gets a database of its own, made for this run from ``alembic upgrade head`` and dropped at
the end. A PostgreSQL URL that is set but unreachable fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.crypto import new_key
from bot.db import make_engine, make_session_factory, upgrade
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
        self.tmp = tmp
        self.created: list[str] = []

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / f'tandem-{uuid.uuid4().hex[:8]}.sqlite3'}"
        admin = _pg_admin_url()
        name = f"tandem_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # set but unreachable: fail loudly, never skip
            pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}", pytrace=False)
        finally:
            engine.dispose()
        self.created.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases(tmp_path_factory.mktemp("db"))
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, scratch: ScratchDatabases) -> str:
    url = scratch.new(request.param)
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
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
