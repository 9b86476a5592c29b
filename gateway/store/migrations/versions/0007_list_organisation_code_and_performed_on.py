"""The list: a legal person's old organisation code, and the day a case became fully performed.

Revision ID: 0007
Revises: 0006
Created: 2026-12-03

``listing_entries.organisation_code``: the old organisation code (组织机构代码, GB 11714) a legal
person's entry may publish beside its credit code, in its normal form (nine characters, no dash).

``cases.performed_on``: the court's date (China) on which the performed amount reached a non-zero
obligation, kept while it stays there and cleared when it falls below; the overdue view counts
the mask-or-revoke deadline from it for entries still public. ``updated_at`` cannot serve: any
later change of the case (its status, a re-registration) moves it. Cases already fully performed
are filled in from ``updated_at``, the best date they have: never earlier than the day they
became performed, so no entry is shown late too early.

Self-contained, like 0001: the rule is spelled out here, not imported.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_CHINA = datetime.timezone(datetime.timedelta(hours=8))


def upgrade() -> None:
    op.add_column("listing_entries", sa.Column("organisation_code", sa.String(9), nullable=True))
    op.add_column("cases", sa.Column("performed_on", sa.Date(), nullable=True))
    cases = sa.table(
        "cases",
        sa.column("case_number", sa.String()),
        sa.column("obligation", sa.Numeric(18, 2)),
        sa.column("performed", sa.Numeric(18, 2)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("performed_on", sa.Date()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(cases.c.case_number, cases.c.updated_at).where(
            cases.c.obligation > 0, cases.c.performed >= cases.c.obligation
        )
    ).all()
    for row in rows:
        at = row.updated_at
        if at.tzinfo is None:  # SQLite keeps the UTC wall time
            at = at.replace(tzinfo=datetime.UTC)
        conn.execute(
            sa.update(cases)
            .where(cases.c.case_number == row.case_number)
            .values(performed_on=at.astimezone(_CHINA).date())
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("performed_on")
    with op.batch_alter_table("listing_entries") as batch:
        batch.drop_column("organisation_code")
