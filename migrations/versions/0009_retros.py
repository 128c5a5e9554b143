"""retro rituals and consented quotes (issue 6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retro_every_weeks", sa.Integer(), nullable=False, server_default="4"))
        batch_op.add_column(sa.Column("community_channel_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.alter_column("retro_every_weeks", server_default=None)

    op.create_table(
        "retro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("last_week", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("summary_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_retro_pair_id_pair"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_retro_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro")),
        sa.UniqueConstraint("pair_id", "cycle", name=op.f("uq_retro_pair_id_cycle")),
    )
    with op.batch_alter_table("retro", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retro_program_id"), ["program_id"], unique=False)

    op.create_table(
        "retro_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("talk_share", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("author_consent_at", UTCDateTime(), nullable=True),
        sa.Column("partner_consent_at", UTCDateTime(), nullable=True),
        sa.Column("declined_at", UTCDateTime(), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.Column("posted_channel", sa.String(length=32), nullable=True),
        sa.Column("posted_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("talk_share BETWEEN 1 AND 5", name=op.f("ck_retro_answer_talk_share")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_retro_answer_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"], ["retro.id"], name=op.f("fk_retro_answer_retro_id_retro"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_answer")),
        sa.UniqueConstraint("retro_id", "participant_id", name=op.f("uq_retro_answer_retro_id_participant_id")),
    )
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_answer_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retro_answer_retro_id"), ["retro_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_answer_retro_id"))
        batch_op.drop_index(batch_op.f("ix_retro_answer_participant_id"))
    op.drop_table("retro_answer")
    with op.batch_alter_table("retro", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_program_id"))
        batch_op.drop_index(batch_op.f("ix_retro_pair_id"))
    op.drop_table("retro")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("community_channel_id")
        batch_op.drop_column("retro_every_weeks")
