"""Migrations go up from empty, match the models exactly, and go down to base, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import downgrade, include_object, make_engine, upgrade
from bot.models import Base
from tests.conftest import backends


@pytest.mark.parametrize("backend", backends())
def test_upgrade_matches_models_and_downgrade_to_base(backend: str, scratch) -> None:
    url = scratch.new(backend)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) <= tables
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
            drift = compare_metadata(context, Base.metadata)
            assert drift == [], f"models and migrations differ: {drift}"
        downgrade(url, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade(url)  # and up again from base
        with engine.connect() as conn:
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_upgrading_keeps_existing_rows(backend: str, scratch) -> None:
    """Rows written under the first schema survive every later migration (SQLite batch copies included)."""
    from sqlalchemy import text

    url = scratch.new(backend)
    upgrade(url, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workspace (team_id, name, created_at) VALUES ('T9', 'x', '2027-01-01')"))
            conn.execute(
                text(
                    "INSERT INTO program (workspace_id, name, status, default_locale, learning_fields,"
                    " duration_weeks, rhythm, prompt_weekday, prompt_hour, trial_weeks, bold_goals,"
                    " created_at, updated_at) SELECT id, 'Pilot', 'active', 'en', '[]', 12, 'weekly', 0, 9, 4, '[]',"
                    " '2027-01-01', '2027-01-01' FROM workspace"
                )
            )
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name, signup_open, timezone FROM program")).all() == [
                ("Pilot", False, "UTC")
            ]
            assert conn.execute(text("SELECT team_id FROM workspace")).scalars().all() == ["T9"]
    finally:
        engine.dispose()
