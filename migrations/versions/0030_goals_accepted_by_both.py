"""goals carried by both, and the preparation before a week (issue 20, section 4)

A goal one partner sets is proposed until the other accepts it.

``goal.accepted_at``: when the partner of whoever set the goal (``created_by``) accepted it; NULL while it is only
proposed. Every goal set so far was set under the old rule and stays accepted (``accepted_at = created_at``).

``week_prep``: one partner's preparation for a week of their pair ("what I bring, what I need from you"), asked the
evening before the week's prompt and posted in the pair's thread when the week opens.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE goal SET accepted_at = created_at")
    op.create_table(
        "week_prep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("week_number", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=True),
        sa.Column("bring", sa.Text(), nullable=True),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("filled_at", UTCDateTime(), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], name=op.f("fk_week_prep_pair_id_pair"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_week_prep_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_prep")),
        sa.UniqueConstraint(
            "pair_id", "week_number", "participant_id", name=op.f("uq_week_prep_pair_id_week_number_participant_id")
        ),
    )
    op.create_index(op.f("ix_week_prep_due_at"), "week_prep", ["due_at"], unique=False)
    op.create_index(op.f("ix_week_prep_pair_id"), "week_prep", ["pair_id"], unique=False)
    op.create_index(op.f("ix_week_prep_participant_id"), "week_prep", ["participant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_week_prep_participant_id"), table_name="week_prep")
    op.drop_index(op.f("ix_week_prep_pair_id"), table_name="week_prep")
    op.drop_index(op.f("ix_week_prep_due_at"), table_name="week_prep")
    op.drop_table("week_prep")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
