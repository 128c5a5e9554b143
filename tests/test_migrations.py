"""Migrations go up from empty, match the models exactly, and go down to base, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import downgrade, make_engine, upgrade
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
            context = MigrationContext.configure(conn, opts={"compare_type": True})
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
