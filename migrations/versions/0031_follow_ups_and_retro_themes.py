"""learning that lasts (issue 20, section 5): follow-up questions 30 and 90 days after a pair ends, and retro themes

``follow_up``: one partner's question 30 or 90 days after their pair ended, written when it is queued (so it is
asked once), with their answer (yes / partly / no), an optional text and whether they consented to be quoted.
``retro_answer.themes``: what the retro was about, tagged from a short list (empty for every retro so far).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("quote_ok", sa.Boolean(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("days IN (30, 90)", name=op.f("ck_follow_up_days")),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_follow_up_pair_id_pair"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_follow_up_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_follow_up_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("pair_id", "participant_id", "days", name=op.f("uq_follow_up_pair_id_participant_id_days")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_participant_id"), ["participant_id"], unique=False)
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("themes", JSONType, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.drop_column("themes")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_participant_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_program_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_pair_id"))
    op.drop_table("follow_up")
