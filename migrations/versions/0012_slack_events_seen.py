"""Slack events seen, so a redelivered event is handled once (issue 8)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_event")),
    )
    with op.batch_alter_table("slack_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_event_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_event_received_at"))

    op.drop_table("slack_event")
