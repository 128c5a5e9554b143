"""a note leaves the pair only when both partners agree (issue 16, item 9)

``note.share_state``: for a hosts or program note, whether the author's partner was asked, agreed or declined
(``bot.domain.notes.ShareState``). Notes that were already shared with hosts or the program before this migration
keep being shared (``agreed``): they were shared under the earlier rule and hosts may have read them. Going down,
a note that was not agreed becomes a pair note.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_state", sa.String(length=16), nullable=True))
    op.execute("UPDATE note SET share_state = 'agreed' WHERE visibility IN ('hosts', 'program')")


def downgrade() -> None:
    # the earlier code knows no consent: a note the partner did not agree to share becomes a pair note, so that
    # going back never shows it to anyone new
    op.execute("UPDATE note SET visibility = 'pair' WHERE share_state IN ('asked', 'declined')")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("share_state")
