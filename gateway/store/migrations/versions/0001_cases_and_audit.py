"""The case register and the hash-chained audit log.

Revision ID: 0001
Revises:
Created: 2026-05-01

Self-contained on purpose: it spells out its tables instead of importing
``gateway.store.tables``, so that later changes to the metadata cannot change what this
revision creates. Timestamps are ``timestamptz`` on PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

GENESIS_HASH = "0" * 64  # = gateway.store.tables.AUDIT_GENESIS_HASH


def _money() -> sa.Numeric[Decimal]:
    return sa.Numeric(18, 2)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("court", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("obligation", _money(), nullable=False),
        sa.Column("performed", _money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("case_number", name="pk_cases"),
    )
    op.create_index("ix_cases_court_status", "cases", ["court", "status"])

    op.create_table(
        "case_judges",
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("judge_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_number", "judge_id", name="pk_case_judges"),
        sa.ForeignKeyConstraint(
            ["case_number"],
            ["cases.case_number"],
            name="fk_case_judges_case_number_cases",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_case_judges_judge_id", "case_judges", ["judge_id"])

    op.create_table(
        "case_parties",
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "case_number", "subject_kind", "subject_id", name="pk_case_parties"
        ),
        sa.ForeignKeyConstraint(
            ["case_number"],
            ["cases.case_number"],
            name="fk_case_parties_case_number_cases",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_case_parties_subject_kind_subject_id", "case_parties", ["subject_kind", "subject_id"]
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("court", sa.String(32), nullable=True),
        sa.Column("judge", sa.String(64), nullable=True),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("subject_masked", sa.String(32), nullable=True),
        sa.Column("subject_digest", sa.String(64), nullable=True),
        sa.Column("relation", sa.String(32), nullable=True),
        sa.Column("agencies", sa.Text(), nullable=False),
        sa.Column("statuses", sa.Text(), nullable=False),
        sa.Column("record_counts", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    for column in ("at", "actor", "court", "case_number", "subject_digest"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    # the head exists from the start, so that a log emptied later is told from a new one
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, seq, hash, updated_at) "
            "VALUES (1, 0, :genesis, CURRENT_TIMESTAMP)"
        ).bindparams(genesis=GENESIS_HASH)
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("audit_log")
    op.drop_table("case_parties")
    op.drop_table("case_judges")
    op.drop_table("cases")
