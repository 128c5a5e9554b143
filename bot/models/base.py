"""Declarative base, naming convention and portable column types (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An auto-incrementing 64-bit key on PostgreSQL that is still SQLite's rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# JSON that is JSONB on PostgreSQL (indexable, compact) and JSON text on SQLite.
JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql").with_variant(sqlite.JSON(), "sqlite")
# The same for a column where NULL means "not set": None is stored as SQL NULL, not as JSON's null.
NullableJSON = (
    JSON(none_as_null=True)
    .with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
    .with_variant(sqlite.JSON(none_as_null=True), "sqlite")
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored as naive UTC and come back timezone-aware, on every backend."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}
