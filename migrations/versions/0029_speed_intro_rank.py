"""a person's ranking of their speed-dating candidates (issue 20, section 4: say in the matching)

``speed_intro.rank``: 1 (first choice) to 3, NULL when the person did not rank that candidate (everyone so far).
Private like the answer on the same row; matching weighs it, hosts see only that two people ranked each other.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speed_intro", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("speed_intro", schema=None) as batch_op:
        batch_op.drop_column("rank")
