"""sealed pulse ballots: an open round's answers are stored sealed with the app's secret key, and opened, shuffled and
written as responses only when the round closes (issue 16)

``poll_ballot``: a random key, the round and the sealed answer; no person, no time. Answers given before this
migration to a round that is still open stay as they are (plain responses); the close counts them with the ballots.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll_ballot",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["poll_round.id"], name=op.f("fk_poll_ballot_round_id_poll_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_ballot")),
    )
    with op.batch_alter_table("poll_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_ballot_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    # an open round's sealed answers go with the table (they could not be opened without the key anyway)
    with op.batch_alter_table("poll_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_ballot_round_id"))
    op.drop_table("poll_ballot")
