"""Alembic environment: the URL comes from the caller (``tandem db upgrade``) or from DATABASE_URL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlalchemy import pool

from bot.db import include_object, make_engine
from bot.models import Base
from bot.models.base import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # type: ignore[no-untyped-def]
    """Render the project's portable column types by name in new migrations."""
    if type_ != "type":
        return False
    variants = getattr(obj, "_variant_mapping", {})
    if isinstance(obj, UTCDateTime):
        name = "UTCDateTime"
        rendered = "UTCDateTime()"
    elif isinstance(obj, sa.JSON) and "postgresql" in variants:
        name = rendered = "JSONType"
    elif isinstance(obj, sa.BigInteger) and "sqlite" in variants:
        name = rendered = "BigId"
    else:
        return False
    autogen_context.imports.add(f"from bot.models.base import {name}")
    return rendered


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.config import load_settings

    return load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "sqlite":
        # Batch migrations copy and drop tables; with foreign keys on, dropping a parent table would
        # cascade-delete its children's rows. Foreign keys are checked again after the migration.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows that break foreign keys: {broken[:5]}")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
