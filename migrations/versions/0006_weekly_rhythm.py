"""the weekly rhythm: weeks, answers, nudges, pauses (issue 5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pair_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("moved_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("thread_at", UTCDateTime(), nullable=True),
        sa.Column("handled_at", UTCDateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("agreed_homework", sa.Text(), nullable=True),
        sa.Column("agreed_next_step", sa.Text(), nullable=True),
        sa.Column("agreed_by", sa.Integer(), nullable=True),
        sa.Column("agreed_at", UTCDateTime(), nullable=True),
        sa.Column("silence_flagged_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreed_by"],
            ["participant.id"],
            name=op.f("fk_pair_week_agreed_by_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_pair_week_pair_id_pair"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_week")),
        sa.UniqueConstraint("pair_id", "number", name=op.f("uq_pair_week_pair_id_number")),
    )
    with op.batch_alter_table("pair_week", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_week_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_week_thread_ts"), ["thread_ts"], unique=False)

    op.create_table(
        "week_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("prompt_at", UTCDateTime(), nullable=False),
        sa.Column("nudge_at", UTCDateTime(), nullable=True),
        sa.Column("nudge_sent_at", UTCDateTime(), nullable=True),
        sa.Column("midweek_at", UTCDateTime(), nullable=True),
        sa.Column("midweek_sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_week_partner_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"], ["pair_week.id"], name=op.f("fk_week_partner_week_id_pair_week"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_partner")),
        sa.UniqueConstraint("week_id", "participant_id", name=op.f("uq_week_partner_week_id_participant_id")),
    )
    with op.batch_alter_table("week_partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_week_partner_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_week_partner_week_id"), ["week_id"], unique=False)

    op.create_table(
        "week_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_week_answer_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"], ["pair_week.id"], name=op.f("fk_week_answer_week_id_pair_week"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_answer")),
        sa.UniqueConstraint("week_id", "slack_ts", name=op.f("uq_week_answer_week_id_slack_ts")),
    )
    with op.batch_alter_table("week_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_week_answer_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_week_answer_week_id"), ["week_id"], unique=False)

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("paused_until")

    with op.batch_alter_table("week_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_week_answer_week_id"))
        batch_op.drop_index(batch_op.f("ix_week_answer_participant_id"))
    op.drop_table("week_answer")

    with op.batch_alter_table("week_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_week_partner_week_id"))
        batch_op.drop_index(batch_op.f("ix_week_partner_participant_id"))
    op.drop_table("week_partner")

    with op.batch_alter_table("pair_week", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_week_thread_ts"))
        batch_op.drop_index(batch_op.f("ix_pair_week_pair_id"))
    op.drop_table("pair_week")
