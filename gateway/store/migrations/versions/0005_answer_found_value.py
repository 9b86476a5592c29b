"""Inquiry answers keep what they found towards the debt, for the list's leads.

Revision ID: 0005
Revises: 0004
Created: 2026-12-02

``inquiry_answers.found_value``: the CNY value of the deposits, wealth products, provident-fund
balances and securities an answer found (``gateway.domain.controls.covering_value``), so the
leads sum it per debtor and case in SQL through the primary key (case, subject, agency) rather
than reading every answer's JSON. Existing answers are filled in from their stored assets.

Self-contained, like 0001: the rule is spelled out here, not imported.
"""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_COVERING = frozenset({"deposits", "wealth_products", "fund_balance", "securities"})


def _found(text: str) -> Decimal:
    total = Decimal(0)
    for item in json.loads(text):
        value = item.get("value")
        if item.get("assetClass") in _COVERING and item.get("currency") == "CNY" and value:
            amount = Decimal(value)
            if amount > 0:
                total += amount
    return total


def upgrade() -> None:
    op.add_column(
        "inquiry_answers",
        sa.Column("found_value", sa.Numeric(18, 2), nullable=False, server_default="0"),
    )
    answers = sa.table(
        "inquiry_answers",
        sa.column("case_number", sa.String()),
        sa.column("subject_key", sa.String()),
        sa.column("agency", sa.String()),
        sa.column("assets", sa.Text()),
        sa.column("found_value", sa.Numeric(18, 2)),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(answers.c.case_number, answers.c.subject_key, answers.c.agency, answers.c.assets)
    ).all()
    for row in rows:
        found = _found(row.assets)
        if found:
            conn.execute(
                sa.update(answers)
                .where(
                    answers.c.case_number == row.case_number,
                    answers.c.subject_key == row.subject_key,
                    answers.c.agency == row.agency,
                )
                .values(found_value=found)
            )


def downgrade() -> None:
    with op.batch_alter_table("inquiry_answers") as batch:
        batch.drop_column("found_value")
