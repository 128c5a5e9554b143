"""data retention per program: how long a program's data is kept after its end, when it was closed, and when its
data was expired (issue 9)

``retention_months`` (1..60, default 12): after the program's end plus this many calendar months the clock deletes
its free text and participant links (``bot.services.retention``). ``closed_at``: when a host closed the program
(a closed program ends then); programs closed before this migration take their last update as that moment.
``expired_at``: when the clock deleted the program's data (never again after that).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_months", sa.Integer(), server_default="12", nullable=False))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("expired_at", UTCDateTime(), nullable=True))
        batch_op.create_check_constraint("retention_months", "retention_months BETWEEN 1 AND 60")
    op.execute("UPDATE program SET closed_at = updated_at WHERE status = 'closed'")


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_program_retention_months"), type_="check")
        batch_op.drop_column("expired_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("retention_months")
