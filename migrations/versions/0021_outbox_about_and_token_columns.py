"""what each stored Slack call is about, payloads emptied once sent, and room for encrypted tokens (issue 16)

``outbox.program_id`` / ``outbox.pair_id`` and the table ``outbox_subject`` (one row per person a call is to or
about, by participant id) say what a stored call is about, so forget-me and retention find it by reference
(``bot.services.outbox``) instead of searching what its payload says. ``outbox.emptied_at``: when what the call says
was dropped (on sending; a day after it was parked). Calls already sent are emptied here (only their method, keys,
conversation and Slack's answer stay; a group DM's conversation key, which lists people, goes too); calls queued
before this migration carry no reference (retention still finds them by their idempotency key, forget-me a DM by
its conversation).

The token columns of slack_sdk's installation store become TEXT: the tokens are stored encrypted with
``TANDEM_SECRET_KEY`` (``bot.slack.install``), which is longer than the token itself.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import BigId, JSONType, UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TOKEN_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pair_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("emptied_at", UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_pair_id"), ["pair_id"], unique=False)
    op.create_table(
        "outbox_subject",
        sa.Column("outbox_id", BigId, nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_subject_outbox_id_outbox"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_outbox_subject_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outbox_id", "participant_id", name=op.f("pk_outbox_subject")),
    )
    with op.batch_alter_table("outbox_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_subject_participant_id"), ["participant_id"], unique=False)

    # what a sent call said is no longer needed: only the method, keys, conversation and Slack's answer stay. A sent
    # call to a group DM queued before calls said what they are about has no pair to be found by; its conversation
    # key (the people's Slack ids) is only used to pace sends a second apart, so it goes too.
    outbox = sa.table(
        "outbox",
        sa.column("status", sa.String()),
        sa.column("payload", JSONType),
        sa.column("channel_key", sa.String()),
        sa.column("sent_at", UTCDateTime()),
        sa.column("emptied_at", UTCDateTime()),
    )
    op.execute(outbox.update().where(outbox.c.status == "sent").values(payload={}, emptied_at=outbox.c.sent_at))
    op.execute(
        outbox.update().where(outbox.c.status == "sent", outbox.c.channel_key.like("%,%")).values(channel_key=None)
    )

    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(200), type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(200), existing_nullable=True)
    with op.batch_alter_table("outbox_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_subject_participant_id"))
    op.drop_table("outbox_subject")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_pair_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_program_id"))
        batch_op.drop_column("emptied_at")
        batch_op.drop_column("pair_id")
        batch_op.drop_column("program_id")
