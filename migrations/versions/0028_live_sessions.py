"""live sessions across time zones (issue 20, part 3)

``live_session``: the slots Tandem proposed to a pair, the one they accepted (once or weekly until the program's
end), its calendar SEQUENCE and when its next reminder is due.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("weekly", sa.Boolean(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("remind_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["participant.id"],
            name=op.f("fk_live_session_accepted_by_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name=op.f("fk_live_session_pair_id_pair"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_session")),
    )
    op.create_index(op.f("ix_live_session_pair_id"), "live_session", ["pair_id"])
    op.create_index(op.f("ix_live_session_remind_at"), "live_session", ["remind_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_live_session_remind_at"), table_name="live_session")
    op.drop_index(op.f("ix_live_session_pair_id"), table_name="live_session")
    op.drop_table("live_session")
