"""Engine and session set-up, and alembic migrations run programmatically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from bot.resources import resource_dir


def make_engine(url: str, **kwargs: Any) -> Engine:
    # A statement's parameters hold what people wrote and the workspaces' bot tokens: never in SQLAlchemy's log
    # lines (``sqlalchemy.engine`` at INFO) or in the text of a database error that gets logged.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # Threads of one process (web, worker and clock in the demo) share the file.
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; BEGIN IMMEDIATE semantics come from the
            # busy timeout plus WAL, which lets readers run beside the one writer.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(conn: Any, _name: str) -> None:
            # ... but not before a SAVEPOINT: a transaction whose first write is inside one (``outbox.enqueue``) would
            # have that write committed by its RELEASE, past a later rollback. So the transaction begins here.
            dbapi_connection = conn.connection.dbapi_connection
            if not dbapi_connection.in_transaction:
                dbapi_connection.execute("BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def memory_dir() -> Path | None:
    """/dev/shm when this machine has one (Linux) and it may be written: throw-away SQLite files there (the demo's,
    the tests', the benchmarks') never wait for the disk on a commit."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def check_database(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query (used by /healthz)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# slack_sdk's OAuth installation and state stores (migration 0015): made by migrations, but not among the models.
SLACK_STORE_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's autogenerate compares the models with the database, leaving slack_sdk's store tables alone."""
    return not (type_ == "table" and reflected and compare_to is None and name in SLACK_STORE_TABLES)


_REFLECTED: dict[tuple[str, tuple[str, ...], tuple[str, ...]], MetaData] = {}


def reflected(engine: Engine) -> MetaData:
    """Every table of the database as it is now (Tandem's, slack_sdk's and alembic's), read from the database, not
    the models: once per database and schema, and again when a table comes or goes or a migration runs."""
    with engine.connect() as conn:
        names = tuple(sorted(inspect(conn).get_table_names()))
        version = (
            tuple(sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()))
            if "alembic_version" in names
            else ()
        )
    key = (engine.url.render_as_string(hide_password=False), names, version)
    meta = _REFLECTED.get(key)
    if meta is None:
        meta = MetaData()
        meta.reflect(engine)
        _REFLECTED[key] = meta
    return meta
