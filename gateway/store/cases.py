"""The case register's SQL: one case is its ``cases`` row, its judges and its parties.

``CaseRepository`` works on the connection of a unit of work (``gateway.store.unit``); saving a
case replaces it whole, so readers of a committed unit never see half a case.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.register import Case, CaseStatus, Party, PartyRole
from gateway.domain.subjects import Subject, SubjectKind
from gateway.store.tables import case_judges, case_parties, cases

# built once: every inquiry looks its case up
_CASE_WITH_JUDGES = (
    sa.select(cases, case_judges.c.judge_id)
    .join(case_judges, case_judges.c.case_number == cases.c.case_number, isouter=True)
    .where(cases.c.case_number == sa.bindparam("number"))
    .order_by(case_judges.c.position)
)
_PARTIES = (
    sa.select(
        case_parties.c.role,
        case_parties.c.subject_kind,
        case_parties.c.subject_id,
        case_parties.c.name,
    )
    .where(case_parties.c.case_number == sa.bindparam("number"))
    .order_by(case_parties.c.position)
)


class CaseRepository:
    """The ``cases``, ``case_judges`` and ``case_parties`` tables, on one connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, case_number: CaseNumber) -> Case | None:
        """The case, with its judges and parties: two statements (every inquiry asks this)."""
        number = case_number.canonical
        # the case row once per judge (a case has at least one)
        rows = (await self._conn.execute(_CASE_WITH_JUDGES, {"number": number})).all()
        if not rows:
            return None
        party_rows = await self._conn.execute(_PARTIES, {"number": number})
        parties = tuple(
            Party(
                role=PartyRole(p.role),
                subject=Subject(kind=SubjectKind(p.subject_kind), id=p.subject_id, name=p.name),
            )
            for p in party_rows
        )
        row = rows[0]._mapping
        return Case(
            case_number=case_number,
            court=row["court"],
            judges=tuple(r.judge_id for r in rows if r.judge_id is not None),
            parties=parties,
            obligation=row["obligation"],
            performed=row["performed"],
            status=CaseStatus(row["status"]),
            filed_on=row["filed_on"],
            currency=row["currency"],
        )

    async def list(
        self,
        *,
        court: str | None,
        judge: str | None,
        status: CaseStatus | None,
        limit: int,
        offset: int,
    ) -> builtins.list[Case]:
        """Cases filed last first (then by number); ``judge`` keeps the cases assigned to them."""
        query = sa.select(cases)
        if court is not None:
            query = query.where(cases.c.court == court)
        if status is not None:
            query = query.where(cases.c.status == status.value)
        if judge is not None:
            assigned = sa.select(case_judges.c.case_number).where(
                case_judges.c.case_number == cases.c.case_number,
                case_judges.c.judge_id == judge,
            )
            query = query.where(assigned.exists())
        query = (
            query.order_by(cases.c.created_at.desc(), cases.c.case_number)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._conn.execute(query)).all()
        return await self._load([row._mapping for row in rows])

    async def save(self, case: Case, now: datetime.datetime) -> None:
        """Insert the case, or replace it whole (parties and judges included).

        The first statement is the update of the case row: it takes the row's lock (the write
        lock on SQLite) before anything is read. A concurrent insert of the same new case fails
        with ``IntegrityError``; the caller may run its unit again."""
        number = case.case_number.canonical
        values: dict[str, Any] = {
            "court": case.court,
            "status": case.status.value,
            "obligation": case.obligation,
            "performed": case.performed,
            "currency": case.currency,
            "filed_on": case.filed_on,
            "updated_at": now,
        }
        conn = self._conn
        updated = await conn.execute(
            sa.update(cases).where(cases.c.case_number == number).values(**values)
        )
        if updated.rowcount == 0:
            await conn.execute(
                sa.insert(cases).values(case_number=number, created_at=now, **values)
            )
        else:
            await conn.execute(sa.delete(case_judges).where(case_judges.c.case_number == number))
            await conn.execute(sa.delete(case_parties).where(case_parties.c.case_number == number))
        await conn.execute(
            sa.insert(case_judges),
            [
                {"case_number": number, "judge_id": judge, "position": i}
                for i, judge in enumerate(case.judges)
            ],
        )
        await conn.execute(
            sa.insert(case_parties),
            [
                {
                    "case_number": number,
                    "subject_kind": party.subject.kind.value,
                    "subject_id": party.subject.id,
                    "role": party.role.value,
                    "name": party.subject.name,
                    "position": i,
                }
                for i, party in enumerate(case.parties)
            ],
        )

    async def set_status(
        self, case_number: CaseNumber, status: CaseStatus, now: datetime.datetime
    ) -> bool:
        """Set the case's status; ``False`` when no such case is registered."""
        result = await self._conn.execute(
            sa.update(cases)
            .where(cases.c.case_number == case_number.canonical)
            .values(status=status.value, updated_at=now)
        )
        return bool(result.rowcount)

    async def set_performed(
        self, case_number: CaseNumber, performed: Decimal, now: datetime.datetime
    ) -> Decimal | None:
        """Set the performed amount; the case's obligation, read under the row lock the update
        took (``None`` when no such case is registered)."""
        result = await self._conn.execute(
            sa.update(cases)
            .where(cases.c.case_number == case_number.canonical)
            .values(performed=performed, updated_at=now)
            .returning(cases.c.obligation)
        )
        row = result.first()
        return None if row is None else Decimal(row.obligation)

    async def _load(self, rows: Sequence[RowMapping]) -> builtins.list[Case]:
        """Cases from their rows, with judges and parties (two more queries, not 2 per case)."""
        if not rows:
            return []
        numbers = [row["case_number"] for row in rows]
        judges: dict[str, builtins.list[str]] = {n: [] for n in numbers}
        parties: dict[str, builtins.list[Party]] = {n: [] for n in numbers}
        judge_rows = await self._conn.execute(
            sa.select(case_judges.c.case_number, case_judges.c.judge_id)
            .where(case_judges.c.case_number.in_(numbers))
            .order_by(case_judges.c.case_number, case_judges.c.position)
        )
        for number, judge_id in judge_rows:
            judges[number].append(judge_id)
        party_rows = await self._conn.execute(
            sa.select(case_parties)
            .where(case_parties.c.case_number.in_(numbers))
            .order_by(case_parties.c.case_number, case_parties.c.position)
        )
        for p in party_rows:
            subject = Subject(kind=SubjectKind(p.subject_kind), id=p.subject_id, name=p.name)
            parties[p.case_number].append(Party(role=PartyRole(p.role), subject=subject))
        return [
            Case(
                case_number=parse_case_number(row["case_number"]),
                court=row["court"],
                judges=tuple(judges[row["case_number"]]),
                parties=tuple(parties[row["case_number"]]),
                obligation=row["obligation"],
                performed=row["performed"],
                status=CaseStatus(row["status"]),
                filed_on=row["filed_on"],
                currency=row["currency"],
            )
            for row in rows
        ]
