"""anonymous mood polls (issue 6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poll_every_weeks", sa.Integer(), nullable=False, server_default="2"))
        batch_op.add_column(sa.Column("poll_threshold", sa.Integer(), nullable=False, server_default="5"))
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.alter_column("poll_every_weeks", server_default=None)
        batch_op.alter_column("poll_threshold", server_default=None)

    op.create_table(
        "poll_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("questions", JSONType, nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("threshold >= 3", name=op.f("ck_poll_round_threshold")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_poll_round_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_round")),
        sa.UniqueConstraint("program_id", "number", name=op.f("uq_poll_round_program_id_number")),
    )
    with op.batch_alter_table("poll_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_round_program_id"), ["program_id"], unique=False)

    op.create_table(
        "poll_receipt",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_poll_receipt_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["poll_round.id"], name=op.f("fk_poll_receipt_round_id_poll_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "participant_id", name=op.f("pk_poll_receipt")),
    )
    with op.batch_alter_table("poll_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_receipt_participant_id"), ["participant_id"], unique=False)

    op.create_table(
        "poll_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        sa.Column("answers", JSONType, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint("mood BETWEEN 1 AND 5", name=op.f("ck_poll_response_mood")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["poll_round.id"], name=op.f("fk_poll_response_round_id_poll_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_response")),
    )
    with op.batch_alter_table("poll_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_response_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_response_round_id"))
    op.drop_table("poll_response")
    with op.batch_alter_table("poll_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_receipt_participant_id"))
    op.drop_table("poll_receipt")
    with op.batch_alter_table("poll_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_round_program_id"))
    op.drop_table("poll_round")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("poll_threshold")
        batch_op.drop_column("poll_every_weeks")
