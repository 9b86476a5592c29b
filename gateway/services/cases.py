"""The case register over the database: save, read, list and update enforcement cases.

A case is saved whole (the case row, its judges and its parties) in one transaction, replacing
what was there; readers never see half a case. Validation is the domain's (``new_case``); this
layer only stores what it is given.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.register import Case, CaseStatus, Party, PartyRole, amount
from gateway.domain.subjects import Subject, SubjectKind
from gateway.store.tables import case_judges, case_parties, cases

MAX_LIST_LIMIT = 500


class CaseNotFoundError(ChakongError):
    """No case with that number is registered."""

    code = "CASE_NOT_FOUND"

    def __init__(self, case_number: CaseNumber | str) -> None:
        self.case_number = str(case_number)
        super().__init__(
            f"案件 {self.case_number} 未登记", f"case {self.case_number} is not registered"
        )


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


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


class CaseRegister:
    """The register of enforcement cases, stored in the gateway's database."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Callable[[], datetime.datetime] = _utc_now
    ) -> None:
        self._engine = engine
        self._clock = clock

    async def save(self, case: Case) -> Case:
        """Insert the case, or replace it whole (parties and judges included), atomically."""
        try:
            await self._save_once(case)
        except IntegrityError:
            # two writers inserted the same new case at once: the other one won, replace it
            await self._save_once(case)
        return case

    async def get(self, case_number: CaseNumber) -> Case | None:
        """The case, with its judges and parties: two statements (every inquiry asks this)."""
        number = case_number.canonical
        async with self._engine.connect() as conn:
            # the case row once per judge (a case has at least one)
            rows = (await conn.execute(_CASE_WITH_JUDGES, {"number": number})).all()
            if not rows:
                return None
            party_rows = await conn.execute(_PARTIES, {"number": number})
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
        court: str | None = None,
        judge: str | None = None,
        status: CaseStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> builtins.list[Case]:
        """Cases filed last first (then by number); ``judge`` keeps the cases assigned to them."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise InvalidInputError(
                f"每页条数应在 1 至 {MAX_LIST_LIMIT} 之间",
                f"the limit must be between 1 and {MAX_LIST_LIMIT}",
            )
        if offset < 0:
            raise InvalidInputError("偏移量不能为负数", "the offset must not be negative")
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
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            return await _load(conn, [row._mapping for row in rows])

    async def set_status(self, case_number: CaseNumber, status: CaseStatus) -> Case:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.update(cases)
                .where(cases.c.case_number == case_number.canonical)
                .values(status=status.value, updated_at=self._clock())
            )
            if result.rowcount == 0:
                raise CaseNotFoundError(case_number)
        return await self._must_get(case_number)

    async def record_performance(self, case_number: CaseNumber, performed: Decimal) -> Case:
        """Set the cumulative performed amount (已履行金额); it may not exceed the obligation."""
        paid = amount(performed, "已履行金额", "the performed amount")
        async with self._engine.begin() as conn:
            # the update takes the row lock first, then checks against the obligation it holds
            result = await conn.execute(
                sa.update(cases)
                .where(cases.c.case_number == case_number.canonical)
                .values(performed=paid, updated_at=self._clock())
                .returning(cases.c.obligation)
            )
            row = result.first()
            if row is None:
                raise CaseNotFoundError(case_number)
            obligation: Decimal = row.obligation
            if paid > obligation:
                raise InvalidInputError(  # raising rolls the update back
                    f"已履行金额 {paid} 超过执行标的金额 {obligation}",
                    f"the performed amount {paid} exceeds the obligation {obligation}",
                )
        return await self._must_get(case_number)

    async def _must_get(self, case_number: CaseNumber) -> Case:
        case = await self.get(case_number)
        if case is None:  # deleted between the update and the read
            raise CaseNotFoundError(case_number)
        return case

    async def _save_once(self, case: Case) -> None:
        number = case.case_number.canonical
        now = self._clock()
        values: dict[str, Any] = {
            "court": case.court,
            "status": case.status.value,
            "obligation": case.obligation,
            "performed": case.performed,
            "currency": case.currency,
            "filed_on": case.filed_on,
            "updated_at": now,
        }
        async with self._engine.begin() as conn:
            updated = await conn.execute(
                sa.update(cases).where(cases.c.case_number == number).values(**values)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    sa.insert(cases).values(case_number=number, created_at=now, **values)
                )
            else:
                await conn.execute(
                    sa.delete(case_judges).where(case_judges.c.case_number == number)
                )
                await conn.execute(
                    sa.delete(case_parties).where(case_parties.c.case_number == number)
                )
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


async def _load(conn: AsyncConnection, rows: Sequence[RowMapping]) -> list[Case]:
    """Cases from their rows, with their judges and parties (two more queries, not 2 per case)."""
    if not rows:
        return []
    numbers = [row["case_number"] for row in rows]
    judges: dict[str, list[str]] = {n: [] for n in numbers}
    parties: dict[str, list[Party]] = {n: [] for n in numbers}
    judge_rows = await conn.execute(
        sa.select(case_judges.c.case_number, case_judges.c.judge_id)
        .where(case_judges.c.case_number.in_(numbers))
        .order_by(case_judges.c.case_number, case_judges.c.position)
    )
    for number, judge_id in judge_rows:
        judges[number].append(judge_id)
    party_rows = await conn.execute(
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
