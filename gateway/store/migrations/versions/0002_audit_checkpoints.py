"""The audit head's MAC: the head is sealed like the entries, so that it cannot be moved back.

Revision ID: 0002
Revises: 0001
Created: 2026-12-02

``audit_head.mac`` is HMAC-SHA256, keyed with the audit key, over the head's sequence number and
hash (``gateway.services.audit_chain.head_message``). The migration has no key, so it leaves the
column empty: a head without a MAC is accepted only in the state revision 0001 creates
(sequence 0, the genesis hash), and the first append seals it. A log written before this
revision is refused until an operator has checked it and run ``chakong audit seal``.

Self-contained, like 0001: it does not import ``gateway.store.tables``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
