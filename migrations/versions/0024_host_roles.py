"""hosts per program (issue 18, item 1), and a second host's confirmation

``host_confirmation``: removing a person or closing a program, asked for by one host, waiting for a second.

``host_role``: who hosts what. A Tandem admin of the workspace (no program) sees and acts on every program and says
who hosts what; a host of a program acts on that program and says who hosts and co-hosts it; a co-host acts on that
program only. Being a member of the private admin channel is still needed.

Everyone who was a host when this runs (the admin channel's members as last cached) becomes a Tandem admin, so
nobody loses what they could do; going down, the roles are dropped and every member of the channel is a host of
everything again.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.String(length=32), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_host_role_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_host_role_workspace_id_workspace"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_role")),
    )
    op.create_index(op.f("ix_host_role_program_id"), "host_role", ["program_id"])
    op.create_index("ix_host_role_workspace_user", "host_role", ["workspace_id", "slack_user_id"])
    op.create_table(
        "host_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_host_confirmation_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_host_confirmation_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_confirmation")),
    )
    op.create_index(op.f("ix_host_confirmation_workspace_id"), "host_confirmation", ["workspace_id"])
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as the models do
    rows = bind.execute(
        sa.text("SELECT id, bot_user_id, admin_members FROM workspace WHERE admin_channel_id IS NOT NULL")
    ).all()
    table = sa.table(
        "host_role",
        sa.column("workspace_id", sa.Integer),
        sa.column("slack_user_id", sa.String),
        sa.column("role", sa.String),
        sa.column("granted_at", sa.DateTime()),
    )
    for workspace_id, bot_user_id, members in rows:
        members = json.loads(members) if isinstance(members, str) else (members or [])
        admins = sorted({m for m in members if isinstance(m, str) and m and m != bot_user_id})
        if admins:
            op.bulk_insert(
                table,
                [
                    {"workspace_id": workspace_id, "slack_user_id": m, "role": "admin", "granted_at": now}
                    for m in admins
                ],
            )


def downgrade() -> None:
    op.drop_index(op.f("ix_host_confirmation_workspace_id"), table_name="host_confirmation")
    op.drop_table("host_confirmation")
    op.drop_index("ix_host_role_workspace_user", table_name="host_role")
    op.drop_index(op.f("ix_host_role_program_id"), table_name="host_role")
    op.drop_table("host_role")
