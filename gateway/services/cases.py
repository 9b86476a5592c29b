"""The case register: save, read, list and update enforcement cases, each change audited.

Every change is one unit of work (``gateway.store.unit``): the case's rows and the change's audit
entry commit together, or, when either fails, neither does. A case is saved whole (the case row,
its judges and its parties), replacing what was there; readers never see half a case.
Validation is the domain's (``new_case``); this layer only stores what it is given.
"""

from __future__ import annotations

import builtins
import datetime
import sqlite3
from collections.abc import Awaitable, Callable, Collection
from decimal import Decimal

import asyncpg
from sqlalchemy.exc import IntegrityError

from gateway.auth.principal import Principal
from gateway.domain.cases import CaseNumber
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.register import Case, CaseStatus, amount
from gateway.domain.subjects import Subject
from gateway.services.auditing import Auditor
from gateway.store import pg_driver, sqlite_driver
from gateway.store.cases import case_for_subjects
from gateway.store.unit import Store, UnitOfWork

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


class CaseRegister:
    """The register of enforcement cases, stored in the gateway's database.

    A change names who made it (``principal``) and in which request or job (``request_id``):
    its audit entry is written in the change's transaction.
    """

    def __init__(
        self,
        store: Store,
        auditor: Auditor,
        *,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._auditor = auditor
        self._clock = clock

    async def get(self, case_number: CaseNumber) -> Case | None:
        """The whole case, with its judges and all its parties."""
        async with self._store.read() as unit:
            return await unit.cases.get(case_number)

    async def get_for_subjects(
        self, case_number: CaseNumber, subjects: Collection[Subject]
    ) -> Case | None:
        """The case with its judges and, of its parties, only those among ``subjects``: what an
        inquiry about them needs, read by key whatever the number of parties. Not the whole
        case: use ``get`` for that. On a SQLite file, a few subjects (``INLINE_SUBJECTS``: a
        single inquiry's) are read in the event loop on its own sqlite3 connection
        (``gateway.store.sqlite_driver.case_for_subjects``), more (a batch's) on a reader
        thread (``gateway.store.cases.case_for_subjects``). On PostgreSQL, one subject (a
        single inquiry's) is read on the store's kept reader connection
        (``gateway.store.pg_driver.case_for_subject``) when it is free; more, or while it is
        not, through the pool."""

        def inline(conn: sqlite3.Connection) -> Case | None:
            return sqlite_driver.case_for_subjects(conn, case_number, subjects)

        def kept(conn: asyncpg.Connection) -> Awaitable[Case | None]:
            (subject,) = subjects
            return pg_driver.case_for_subject(conn, case_number, subject)

        few = len(subjects) <= sqlite_driver.INLINE_SUBJECTS
        return await self._store.run_read(
            lambda conn: case_for_subjects(conn, case_number, subjects),
            inline if few else None,
            kept if len(subjects) == 1 else None,
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
        async with self._store.read() as unit:
            return await unit.cases.list(
                court=court, judge=judge, status=status, limit=limit, offset=offset
            )

    async def save(
        self, case: Case, *, principal: Principal, request_id: str, detail: str | None = None
    ) -> Case:
        """Insert the case, or replace it whole (parties and judges included), audited as
        ``case.save`` (``detail`` defaults to the number of parties)."""
        note = f"parties={len(case.parties)}" if detail is None else detail
        try:
            await self._save_once(case, principal, request_id, note)
        except IntegrityError:
            # two writers inserted the same new case at once: the other one won, replace it
            await self._save_once(case, principal, request_id, note)
        return case

    async def set_status(
        self, case_number: CaseNumber, status: CaseStatus, *, principal: Principal, request_id: str
    ) -> Case:
        """Set the case's status, audited as ``case.status``."""
        async with self._store.begin() as unit:
            if not await unit.cases.set_status(case_number, status, self._clock()):
                raise CaseNotFoundError(case_number)
            case = await _must_get(unit, case_number)
            await self._auditor.action(
                principal,
                request_id,
                action="case.status",
                case_number=case_number.canonical,
                detail=status.name,
                unit=unit,
            )
        return case

    async def record_performance(
        self, case_number: CaseNumber, performed: Decimal, *, principal: Principal, request_id: str
    ) -> Case:
        """Set the cumulative performed amount (已履行金额), audited as ``case.performance``;
        it may not exceed the obligation."""
        paid = amount(performed, "已履行金额", "the performed amount")
        async with self._store.begin() as unit:
            # the update takes the row lock first, then checks against the obligation it holds
            obligation = await unit.cases.set_performed(case_number, paid, self._clock())
            if obligation is None:
                raise CaseNotFoundError(case_number)
            if paid > obligation:
                raise InvalidInputError(  # raising rolls the update back
                    f"已履行金额 {paid} 超过执行标的金额 {obligation}",
                    f"the performed amount {paid} exceeds the obligation {obligation}",
                )
            case = await _must_get(unit, case_number)
            await self._auditor.action(
                principal,
                request_id,
                action="case.performance",
                case_number=case_number.canonical,
                detail=str(performed),
                unit=unit,
            )
        return case

    async def _save_once(
        self, case: Case, principal: Principal, request_id: str, detail: str
    ) -> None:
        async with self._store.begin() as unit:
            await unit.cases.save(case, self._clock())
            await self._auditor.action(
                principal,
                request_id,
                action="case.save",
                case_number=case.case_number.canonical,
                detail=detail,
                unit=unit,
            )


async def _must_get(unit: UnitOfWork, case_number: CaseNumber) -> Case:
    case = await unit.cases.get(case_number)
    if case is None:  # cannot happen after the update in the same unit; typed all the same
        raise CaseNotFoundError(case_number)
    return case
