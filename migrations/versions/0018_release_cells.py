"""released cells: every figure built from other people's contributions is read from a cell the weekly release
wrote (issue 16, "no figure can be subtracted down to one pair or one person"; ``bot.domain.release``)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("through", UTCDateTime(), nullable=False),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("num", sa.Float(), nullable=False),
        sa.Column("den", sa.Float(), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("contributors >= 0", name=op.f("ck_release_cell_contributors")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_release_cell_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_cell")),
        sa.UniqueConstraint(
            "program_id", "series", "released_on", name=op.f("uq_release_cell_program_id_series_released_on")
        ),
    )
    with op.batch_alter_table("release_cell", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_cell_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("release_cell", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_cell_program_id"))
    op.drop_table("release_cell")
