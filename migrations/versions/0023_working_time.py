"""working time: a program's working days, a person's country and region (issue 18, part 3)

``program.working_days``: the weekdays (Monday = 0) prompts, nudges and reminders may reach people on; existing
programs get Monday to Friday, as before. ``participant.country`` and ``participant.region``: whose public holidays
keep them away (``bot.domain.worktime``); unknown for everyone so far (the country then comes from the time zone).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("working_days", JSONType, nullable=False, server_default=sa.text("'[0, 1, 2, 3, 4]'"))
        )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("region")
        batch_op.drop_column("country")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("working_days")
