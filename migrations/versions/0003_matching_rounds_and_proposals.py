"""matching rounds and proposals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=32), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("stats", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_match_round_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_round")),
    )
    with op.batch_alter_table("match_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_round_program_id"), ["program_id"], unique=False)

    op.create_table(
        "match_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_a_id", sa.Integer(), nullable=False),
        sa.Column("participant_b_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", JSONType, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("unmatched_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_a_id"],
            ["participant.id"],
            name=op.f("fk_match_proposal_participant_a_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_b_id"],
            ["participant.id"],
            name=op.f("fk_match_proposal_participant_b_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["match_round.id"], name=op.f("fk_match_proposal_round_id_match_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposal")),
    )
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_proposal_participant_a_id"), ["participant_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_proposal_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("reasons", JSONType, nullable=False, server_default=sa.text("'[]'")))
        batch_op.create_foreign_key(
            batch_op.f("fk_pair_round_id_match_round"), "match_round", ["round_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avoid", JSONType, nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("manager_slack_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("waitlisted_at", UTCDateTime(), nullable=True))

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matching_weights", JSONType, nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("matching_weights")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("waitlisted_at")
        batch_op.drop_column("manager_slack_id")
        batch_op.drop_column("avoid")

    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_pair_round_id_match_round"), type_="foreignkey")
        batch_op.drop_column("reasons")
        batch_op.drop_column("score")
        batch_op.drop_column("round_id")

    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_proposal_round_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposal_participant_a_id"))

    op.drop_table("match_proposal")
    with op.batch_alter_table("match_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_round_program_id"))

    op.drop_table("match_round")
