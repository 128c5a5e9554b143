"""impact metrics, their logged values and weekly KPI snapshots (issue 7)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_kpi_snapshot_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_snapshot")),
        sa.UniqueConstraint("program_id", "taken_on", name=op.f("uq_kpi_snapshot_program_id_taken_on")),
    )
    with op.batch_alter_table("kpi_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_snapshot_program_id"), ["program_id"], unique=False)

    op.create_table(
        "metric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target_low", sa.Float(), nullable=True),
        sa.Column("target_high", sa.Float(), nullable=True),
        sa.Column("reporter", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_metric_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric")),
        sa.UniqueConstraint("program_id", "name", name=op.f("uq_metric_program_id_name")),
    )
    with op.batch_alter_table("metric", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_program_id"), ["program_id"], unique=False)

    op.create_table(
        "metric_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("logged_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metric.id"], name=op.f("fk_metric_value_metric_id_metric"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name=op.f("fk_metric_value_pair_id_pair"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_value")),
    )
    with op.batch_alter_table("metric_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_value_metric_id"), ["metric_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_metric_value_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("metric_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_value_pair_id"))
        batch_op.drop_index(batch_op.f("ix_metric_value_metric_id"))

    op.drop_table("metric_value")
    with op.batch_alter_table("metric", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_program_id"))

    op.drop_table("metric")
    with op.batch_alter_table("kpi_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_snapshot_program_id"))

    op.drop_table("kpi_snapshot")
