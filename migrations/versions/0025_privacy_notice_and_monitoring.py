"""a program's privacy notice, and its switches for features a works council may count as monitoring (issue 18, 2)

``program.privacy_controller``, ``privacy_contact``, ``legal_basis``: the privacy notice hosts complete; unset for
every program so far (participants then see no program notice, as before). ``program.named_silence``,
``late_cancel_log``, ``streaks``: on for every program so far, as before; off leaves counts only.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SWITCHES = ("named_silence", "late_cancel_log", "streaks")


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_controller", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("privacy_contact", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("legal_basis", sa.String(length=16), nullable=True))
        for name in SWITCHES:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        for name in reversed(SWITCHES):
            batch_op.drop_column(name)
        batch_op.drop_column("legal_basis")
        batch_op.drop_column("privacy_contact")
        batch_op.drop_column("privacy_controller")
