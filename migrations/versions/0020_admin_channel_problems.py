"""host authority only while the admin channel is private, not archived and not shared; people who never join a
program are forgotten after 30 days (issue 16)

``workspace.admin_channel_problems``: what was wrong with the admin channel when Slack was last asked (checked with
the members, on the same cache), comma-separated; NULL while it is private, not archived and not shared. While it is
set nobody is a host. ``workspace.admin_channel_warned_at``: when the hosts were told by DM how to fix it; cleared
when the channel is fine again. ``workspace.people_checked_on``: the day the clock last forgot the workspace's people
who never joined a program.

Revision ID: 0020
Revises: 0016
Create Date: 2027-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_channel_problems", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("admin_channel_warned_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("people_checked_on", sa.Date(), nullable=True))
    # every admin channel is checked again at the next host action
    op.execute("UPDATE workspace SET admin_members_fetched_at = NULL")


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("people_checked_on")
        batch_op.drop_column("admin_channel_warned_at")
        batch_op.drop_column("admin_channel_problems")
