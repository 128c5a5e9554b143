"""speed dating, trial check-in, scheduled matching

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "speed_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("stats", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_speed_round_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speed_round")),
    )
    with op.batch_alter_table("speed_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speed_round_program_id"), ["program_id"], unique=False)

    op.create_table(
        "speed_intro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reasons", JSONType, nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["participant.id"],
            name=op.f("fk_speed_intro_candidate_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_speed_intro_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["speed_round.id"], name=op.f("fk_speed_intro_round_id_speed_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speed_intro")),
        sa.UniqueConstraint(
            "round_id",
            "participant_id",
            "candidate_id",
            name=op.f("uq_speed_intro_round_id_participant_id_candidate_id"),
        ),
    )
    with op.batch_alter_table("speed_intro", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speed_intro_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_speed_intro_round_id"), ["round_id"], unique=False)

    op.create_table(
        "trial_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("switch_requested", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_trial_check_pair_id_pair"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_trial_check_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial_check")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_trial_check_pair_id")),
    )
    with op.batch_alter_table("trial_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trial_check_program_id"), ["program_id"], unique=False)

    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=32), nullable=True))

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("match_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("match_ran_on", sa.Date(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("match_ran_on")
        batch_op.drop_column("match_on")

    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_column("end_reason")

    with op.batch_alter_table("trial_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_check_program_id"))

    op.drop_table("trial_check")
    with op.batch_alter_table("speed_intro", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speed_intro_round_id"))
        batch_op.drop_index(batch_op.f("ix_speed_intro_participant_id"))

    op.drop_table("speed_intro")
    with op.batch_alter_table("speed_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speed_round_program_id"))

    op.drop_table("speed_round")
