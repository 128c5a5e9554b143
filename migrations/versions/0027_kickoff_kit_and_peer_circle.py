"""the kick-off kit before a pair's first week and the peer circle (issue 20, section 2)

``kickoff_kit``: one row per person and program, the side of the pair the kit was for, when it was queued and the
lessons the person marked "Got it". ``program.kickoff_texts``: the hosts' own lesson texts (NULL: the defaults).
``program.peer_circle`` ("off" for every program so far, "channels" or "thread") and ``program.peer_channel_id``;
``learning_card.in_library``: published with the consent text that names the card library (false for every card so
far, consented for the community channel only). ``peer_circle``: one row per program and side, its channel (or
thread), whom Tandem invited, the last monthly prompt.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # cards published before this revision were consented for the community channel only: not in the library
    with op.batch_alter_table("learning_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_library", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kickoff_texts", JSONType, nullable=True))
        batch_op.add_column(sa.Column("peer_circle", sa.String(length=16), nullable=False, server_default="off"))
        batch_op.add_column(sa.Column("peer_channel_id", sa.String(length=32), nullable=True))
    op.create_table(
        "kickoff_kit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("read", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_kickoff_kit_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_kickoff_kit_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name=op.f("fk_kickoff_kit_pair_id_pair"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kickoff_kit")),
        sa.UniqueConstraint("program_id", "participant_id", name=op.f("uq_kickoff_kit_program_id_participant_id")),
    )
    op.create_index(op.f("ix_kickoff_kit_program_id"), "kickoff_kit", ["program_id"])
    op.create_index(op.f("ix_kickoff_kit_participant_id"), "kickoff_kit", ["participant_id"])
    op.create_table(
        "peer_circle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("members", JSONType, nullable=False),
        sa.Column("last_prompt_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_peer_circle_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_circle")),
        sa.UniqueConstraint("program_id", "side", name=op.f("uq_peer_circle_program_id_side")),
    )


def downgrade() -> None:
    op.drop_table("peer_circle")
    op.drop_index(op.f("ix_kickoff_kit_participant_id"), table_name="kickoff_kit")
    op.drop_index(op.f("ix_kickoff_kit_program_id"), table_name="kickoff_kit")
    op.drop_table("kickoff_kit")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("peer_channel_id")
        batch_op.drop_column("peer_circle")
        batch_op.drop_column("kickoff_texts")
    with op.batch_alter_table("learning_card", schema=None) as batch_op:
        batch_op.drop_column("in_library")
