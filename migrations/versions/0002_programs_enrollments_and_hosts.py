"""programs, enrollments and hosts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import JSONType, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns added to existing tables get server defaults, so rows written under 0001 stay valid.
    op.create_table(
        "enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("invited_by", sa.String(length=32), nullable=True),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("interview_step", sa.String(length=32), nullable=True),
        sa.Column("interview_started_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminder_at", UTCDateTime(), nullable=True),
        sa.Column("step_message", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_enrollment_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_enrollment_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment")),
        sa.UniqueConstraint("program_id", "participant_id", name=op.f("uq_enrollment_program_id_participant_id")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_program_id"), ["program_id"], unique=False)
        batch_op.create_index("ix_enrollment_status_activity", ["status", "last_activity_at"], unique=False)

    op.create_table(
        "invite_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("user_ids", JSONType, nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("summary", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_invite_batch_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_batch")),
    )
    with op.batch_alter_table("invite_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_batch_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invite_batch_status"), ["status"], unique=False)

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consented_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("settings_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signup_open", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"))
        batch_op.add_column(sa.Column("created_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("last_digest_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("digest_snapshot", JSONType, nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_members", JSONType, nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("admin_members_fetched_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("admin_members_fetched_at")
        batch_op.drop_column("admin_members")

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("digest_snapshot")
        batch_op.drop_column("last_digest_on")
        batch_op.drop_column("created_by")
        batch_op.drop_column("timezone")
        batch_op.drop_column("signup_open")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("settings_confirmed")
        batch_op.drop_column("consented_at")

    with op.batch_alter_table("invite_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_batch_status"))
        batch_op.drop_index(batch_op.f("ix_invite_batch_program_id"))

    op.drop_table("invite_batch")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_status_activity")
        batch_op.drop_index(batch_op.f("ix_enrollment_program_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_participant_id"))

    op.drop_table("enrollment")
