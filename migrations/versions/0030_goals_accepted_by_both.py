"""goals carried by both (issue 20, section 4): a goal one partner sets is proposed until the other accepts it

``goal.accepted_at``: when the partner of whoever set the goal (``created_by``) accepted it; NULL while it is only
proposed. Every goal set so far was set under the old rule and stays accepted (``accepted_at = created_at``).

Revision ID: 0030
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0030"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE goal SET accepted_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
