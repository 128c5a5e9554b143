"""a person's own working days, from the interview (issue 18, the last part of "Working time")

``participant.working_days``: the weekdays (Monday = 0) prompts, nudges and reminders may reach the person on; NULL
for everyone so far, which means the program's working days, as before (``bot.domain.worktime``).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("working_days", JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("working_days")
