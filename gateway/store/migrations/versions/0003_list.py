"""The dishonest-debtor list: entries and the history of their events.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

Self-contained, like 0001: the tables are spelled out here, not imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_DATES = (
    "warned_on",
    "decided_on",
    "valid_until",
    "published_on",
    "employer_notified_on",
    "correction_applied_on",
    "correction_rejected_on",
    "correction_accepted_on",
    "reconsideration_applied_on",
    "exit_reported_on",
    "masked_on",
    "revoked_on",
    "lifted_on",
    "last_event_on",
    "filed_on",
)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "listing_entries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("previous_state", sa.String(32), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("court", sa.String(32), nullable=False),
        sa.Column("judge", sa.String(64), nullable=True),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("legal_representative", sa.String(200), nullable=True),
        sa.Column("basis_document_number", sa.String(128), nullable=False),
        sa.Column("basis_issuer", sa.String(200), nullable=False),
        sa.Column("obligation", sa.Text(), nullable=False),
        sa.Column("performance", sa.String(16), nullable=False),
        sa.Column("performed_part", sa.Text(), nullable=False),
        sa.Column("unperformed_part", sa.Text(), nullable=False),
        sa.Column("warning_document_number", sa.String(128), nullable=False),
        sa.Column("decision_document_number", sa.String(128), nullable=True),
        sa.Column("ground", sa.String(32), nullable=True),
        sa.Column("circumstance", sa.Text(), nullable=True),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("extension_years", sa.Integer(), nullable=False),
        sa.Column("publication_allowed", sa.Boolean(), nullable=True),
        sa.Column("employer", sa.String(200), nullable=True),
        sa.Column("exit_cause", sa.String(16), nullable=True),
        *(sa.Column(name, sa.Date(), nullable=name != "warned_on") for name in _DATES),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_listing_entries"),
    )
    op.create_index(
        "ix_listing_entries_name_public_subject_id",
        "listing_entries",
        ["name", "public", "subject_id"],
    )
    op.create_index("ix_listing_entries_court_state", "listing_entries", ["court", "state"])
    op.create_index("ix_listing_entries_state", "listing_entries", ["state"])
    op.create_index(
        "ix_listing_entries_subject_kind_subject_id",
        "listing_entries",
        ["subject_kind", "subject_id"],
    )
    op.create_index("ix_listing_entries_case_number", "listing_entries", ["case_number"])
    op.create_table(
        "listing_events",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("document_number", sa.String(128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("court", sa.String(32), nullable=True),
        sa.Column("judge", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "seq", name="pk_listing_events"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["listing_entries.id"], name="fk_listing_events_entry_id_listing_entries"
        ),
    )


def downgrade() -> None:
    op.drop_table("listing_events")
    op.drop_table("listing_entries")
