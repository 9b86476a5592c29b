"""Control leases: a reconciler's claim on an operation, so two gateways never work it at once.

Revision ID: 0006
Revises: 0005
Created: 2026-12-02

Self-contained, like 0001: the column is spelled out here, not imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "control_operations",
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("control_operations") as batch:
        batch.drop_column("claimed_until")
