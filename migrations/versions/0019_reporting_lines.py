"""reporting lines from the interview, a Slack profile field and an org-chart import; how many levels a program
keeps apart (issue 16)

``reporting_line``: who reports to whom in a workspace (Slack ids), one row per person and source (``orgchart``,
``slack_profile``, ``interview``); a skip-level manager need not be a participant. It replaces
``participant.manager_slack_id``, which nothing filled: any value there moves over as an ``interview`` line.
``program.reporting_levels`` (1..5, default 2): how many levels up matching keeps a person apart from.
``workspace.manager_field_id``: the custom Slack profile field that names each person's manager, when mapped.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_slack_id", sa.String(length=40), nullable=False),
        sa.Column("manager_slack_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "source IN ('orgchart', 'slack_profile', 'interview')", name=op.f("ck_reporting_line_source")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_reporting_line_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_line")),
        sa.UniqueConstraint(
            "workspace_id",
            "source",
            "person_slack_id",
            name=op.f("uq_reporting_line_workspace_id_source_person_slack_id"),
        ),
    )
    with op.batch_alter_table("reporting_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reporting_line_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reporting_line_manager_slack_id"), ["manager_slack_id"], unique=False)
    op.execute(
        "INSERT INTO reporting_line (workspace_id, person_slack_id, manager_slack_id, source, created_at) "
        "SELECT workspace_id, slack_user_id, manager_slack_id, 'interview', updated_at FROM participant "
        "WHERE manager_slack_id IS NOT NULL AND manager_slack_id <> slack_user_id"
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("manager_slack_id")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporting_levels", sa.Integer(), server_default="2", nullable=False))
        batch_op.create_check_constraint("reporting_levels", "reporting_levels BETWEEN 1 AND 5")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manager_field_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("manager_field_id")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_program_reporting_levels"), type_="check")
        batch_op.drop_column("reporting_levels")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manager_slack_id", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE participant SET manager_slack_id = (SELECT r.manager_slack_id FROM reporting_line r "
        "WHERE r.workspace_id = participant.workspace_id AND r.person_slack_id = participant.slack_user_id "
        "AND r.source = 'interview' AND length(r.manager_slack_id) <= 32)"
    )
    with op.batch_alter_table("reporting_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_line_manager_slack_id"))
        batch_op.drop_index(batch_op.f("ix_reporting_line_workspace_id"))
    op.drop_table("reporting_line")
