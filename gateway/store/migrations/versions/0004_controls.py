"""Controls: persisted operations, idempotency keys, and inquiry answers kept per case.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02

Self-contained, like 0001: the tables are spelled out here, not imported.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _money() -> sa.Numeric[Decimal]:
    return sa.Numeric(18, 2)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "control_operations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("court", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("asset_id", sa.String(64), nullable=False),
        sa.Column("asset_class", sa.String(32), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("inquiry_seq", sa.BigInteger(), nullable=True),
        sa.Column("ruling_number", sa.String(64), nullable=False),
        sa.Column("notice_number", sa.String(64), nullable=False),
        sa.Column("amount", _money(), nullable=True),
        sa.Column("held_value", _money(), nullable=True),
        sa.Column("applied_amount", _money(), nullable=True),
        sa.Column("queue_position", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("target_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("approved_by", sa.String(128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("excess_reason", sa.Text(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_control_operations"),
        sa.UniqueConstraint("request_id", name="uq_control_operations_request_id"),
    )
    op.create_index("ix_control_operations_case_number", "control_operations", ["case_number"])
    op.create_index(
        "ix_control_operations_state_updated_at", "control_operations", ["state", "updated_at"]
    )
    op.create_index(
        "ix_control_operations_agency_asset_id", "control_operations", ["agency", "asset_id"]
    )

    op.create_table(
        "control_idempotency",
        sa.Column("court", sa.String(32), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("operation_ids", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("court", "key", name="pk_control_idempotency"),
    )
    op.create_index("ix_control_idempotency_created_at", "control_idempotency", ["created_at"])

    op.create_table(
        "inquiry_answers",
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("answered_at", _ts(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("assets", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_number", "subject_key", "agency", name="pk_inquiry_answers"),
    )


def downgrade() -> None:
    op.drop_table("inquiry_answers")
    op.drop_table("control_idempotency")
    op.drop_table("control_operations")
