"""working agreements and goals (issue 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("agreed_at", UTCDateTime(), nullable=True),
        sa.Column("reminders_a", sa.Integer(), nullable=False),
        sa.Column("reminders_b", sa.Integer(), nullable=False),
        sa.Column("reminded_a_at", UTCDateTime(), nullable=True),
        sa.Column("reminded_b_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_agreement_pair_id_pair"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_agreement_pair_id")),
    )

    op.create_table(
        "agreement_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sections", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("agreed_at", UTCDateTime(), nullable=True),
        sa.Column("superseded_at", UTCDateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_version_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["participant.id"],
            name=op.f("fk_agreement_version_proposed_by_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_version")),
        sa.UniqueConstraint("agreement_id", "number", name=op.f("uq_agreement_version_agreement_id_number")),
    )
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_version_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "agreement_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_agreement_acceptance_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agreement_version.id"],
            name=op.f("fk_agreement_acceptance_version_id_agreement_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_acceptance")),
        sa.UniqueConstraint(
            "version_id", "participant_id", name=op.f("uq_agreement_acceptance_version_id_participant_id")
        ),
    )
    with op.batch_alter_table("agreement_acceptance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_acceptance_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_acceptance_version_id"), ["version_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_goal_progress")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["participant.id"], name=op.f("fk_goal_created_by_participant"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_goal_pair_id_pair"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["participant.id"], name=op.f("fk_goal_updated_by_participant"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_pair_id"), ["pair_id"], unique=False)

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_template", JSONType, nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("agreement_template")

    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_pair_id"))

    op.drop_table("goal")
    with op.batch_alter_table("agreement_acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_acceptance_version_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_acceptance_participant_id"))

    op.drop_table("agreement_acceptance")
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_version_agreement_id"))

    op.drop_table("agreement_version")
    op.drop_table("agreement")
