"""notes with visibility and red zones, cancellations and escalations (issue 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cancellation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("week_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("moved_to", sa.Date(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name=op.f("fk_cancellation_pair_id_pair"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_cancellation_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancellation")),
    )
    with op.batch_alter_table("cancellation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cancellation_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cancellation_participant_id"), ["participant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cancellation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cancellation_participant_id"))
        batch_op.drop_index(batch_op.f("ix_cancellation_pair_id"))
    op.drop_table("cancellation")
