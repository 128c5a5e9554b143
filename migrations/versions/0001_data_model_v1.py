"""data model v1

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import BigId, JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_tick",
        sa.Column("minute", UTCDateTime(), nullable=False),
        sa.Column("ran_at", UTCDateTime(), nullable=False),
        sa.Column("summary", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("minute", name=op.f("pk_clock_tick")),
    )
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("admin_channel_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspace_team_id")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("channel_key", sa.String(length=64), nullable=True),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_outbox_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_channel_key"), ["channel_key"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("self_description", sa.Text(), nullable=True),
        sa.Column("curiosity", JSONType, nullable=False),
        sa.Column("can_teach", JSONType, nullable=False),
        sa.Column("want_to_learn", JSONType, nullable=False),
        sa.Column("learning_style", sa.String(length=32), nullable=True),
        sa.Column("preferences", JSONType, nullable=False),
        sa.Column("values", JSONType, nullable=False),
        sa.Column("department", sa.String(length=120), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("preferred_days", JSONType, nullable=False),
        sa.Column("welcomed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_participant_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint("workspace_id", "slack_user_id", name=op.f("uq_participant_workspace_id_slack_user_id")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("default_locale", sa.String(length=8), nullable=False),
        sa.Column("learning_fields", JSONType, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("rhythm", sa.String(length=16), nullable=False),
        sa.Column("prompt_weekday", sa.Integer(), nullable=False),
        sa.Column("prompt_hour", sa.Integer(), nullable=False),
        sa.Column("trial_weeks", sa.Integer(), nullable=False),
        sa.Column("focus_question", sa.Text(), nullable=True),
        sa.Column("bold_goals", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("duration_weeks BETWEEN 1 AND 104", name=op.f("ck_program_duration_weeks")),
        sa.CheckConstraint("prompt_hour BETWEEN 0 AND 23", name=op.f("ck_program_prompt_hour")),
        sa.CheckConstraint("prompt_weekday BETWEEN 0 AND 6", name=op.f("ck_program_prompt_weekday")),
        sa.CheckConstraint("trial_weeks BETWEEN 0 AND 52", name=op.f("ck_program_trial_weeks")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_program_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_program_workspace_id_name")),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("participant_a_id", sa.Integer(), nullable=False),
        sa.Column("participant_b_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("participant_a_id <> participant_b_id", name=op.f("ck_pair_two_people")),
        sa.ForeignKeyConstraint(
            ["participant_a_id"],
            ["participant.id"],
            name=op.f("fk_pair_participant_a_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_b_id"],
            ["participant.id"],
            name=op.f("fk_pair_participant_b_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_pair_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair")),
    )
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_participant_a_id"), ["participant_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_participant_b_id"), ["participant_b_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_program_id"))
        batch_op.drop_index(batch_op.f("ix_pair_participant_b_id"))
        batch_op.drop_index(batch_op.f("ix_pair_participant_a_id"))

    op.drop_table("pair")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_workspace_id"))

    op.drop_table("program")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_workspace_id"))

    op.drop_table("participant")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_workspace_id"))
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_channel_key"))

    op.drop_table("outbox")
    op.drop_table("workspace")
    op.drop_table("clock_tick")
