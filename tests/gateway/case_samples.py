"""Samples for the tests of an inquiry's case lookup: large cases, and the SQL they cost."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from stdnum.cn import ric

from gateway.auth.principal import Principal, Role
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.subjects import Subject, SubjectKind, parse_subject

COURT = "苏0812"
SYSTEM = Principal(Role.COURT_SYSTEM, subject=f"system:{COURT}", court=COURT)
JUDGE = Principal(Role.JUDGE, subject="judge:J001", court=COURT, judge="J001")


def natural_people(count: int, *, first: int = 0) -> list[Subject]:
    """``count`` natural persons with valid resident ids (born on different days of 1980)."""
    people = []
    for seq in range(first, first + count):
        first17 = f"3208031980{seq // 1000 % 12 + 1:02d}01{seq % 1000:03d}"
        # calc_check_digit reads the first 17 characters of a whole number
        number = first17 + ric.calc_check_digit(first17 + "0")
        people.append(parse_subject(SubjectKind.NATURAL, number))
    return people


def case_of(number: str, debtors: Sequence[Subject], creditors: Sequence[Subject] = ()) -> Case:
    """An open case of ``COURT`` assigned to ``JUDGE``, with these parties in this order."""
    return new_case(
        number,
        court=COURT,
        judges=["J001"],
        parties=[
            *(Party(PartyRole.DEBTOR, s) for s in debtors),
            *(Party(PartyRole.CREDITOR, s) for s in creditors),
        ],
        obligation=Decimal("1000.00"),
    )


@dataclass
class Statements:
    """The statements an engine ran that read ``case_parties``, with their parameters."""

    seen: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def bound(self) -> set[Any]:
        """Every value bound to them."""
        return {value for _, params in self.seen for value in params}


@contextlib.contextmanager
def party_statements(engine: AsyncEngine) -> Iterator[Statements]:
    """Record the statements that read ``case_parties`` while the block runs: through the
    engine (SQLAlchemy's event), and on PostgreSQL also straight on asyncpg, as a single
    inquiry's lookup reads on the store's kept connection (``gateway.store.pg_driver``)."""
    statements = Statements()

    def record(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if "FROM case_parties" in statement:
            statements.seen.append((statement, tuple(params)))

    fetch = asyncpg.Connection.fetch

    async def fetch_recorded(self: asyncpg.Connection, query: str, *args: Any, **kw: Any) -> Any:
        if "FROM case_parties" in query:
            statements.seen.append((query, args))
        return await fetch(self, query, *args, **kw)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(asyncpg.Connection, "fetch", fetch_recorded)
            yield statements
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)
