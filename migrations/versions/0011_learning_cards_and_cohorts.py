"""learning cards, and cohorts of a topic path (issue 7)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_learning_card_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_learning_card_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_card")),
    )
    with op.batch_alter_table("learning_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_card_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learning_card_program_id"), ["program_id"], unique=False)

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_program_series_id"), ["series_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_program_series_id_program"), "program", ["series_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_program_series_id_program"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_program_series_id"))
        batch_op.drop_column("series_id")

    with op.batch_alter_table("learning_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_card_program_id"))
        batch_op.drop_index(batch_op.f("ix_learning_card_participant_id"))

    op.drop_table("learning_card")
