"""The case register's SQL: one case is its ``cases`` row, its judges and its parties.

``CaseRepository`` works on the connection of a unit of work (``gateway.store.unit``); saving a
case replaces it whole, so readers of a committed unit never see half a case.

An inquiry reads its case with ``get_for_subjects``: the case row, its judges, and only the
parties it asks about, looked up by the table's key, so its cost does not grow with the number
of parties (a case may have thousands). Everything that needs the whole case reads ``get``.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.clock import court_date
from gateway.domain.register import Case, CaseStatus, Party, PartyRole
from gateway.domain.subjects import Subject, SubjectKind
from gateway.store.tables import case_judges, case_parties, cases

# built once: every inquiry looks its case up
CASE_WITH_JUDGES = (
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
# some of the parties: every column of the key is bound, so both databases search the primary
# key (case_number, subject_kind, subject_id) and never read the case's other parties; a row
# value IN list ("(kind, id) IN (...)") would make SQLite scan the whole case instead
_SOME_PARTIES = sa.select(
    case_parties.c.role,
    case_parties.c.subject_kind,
    case_parties.c.subject_id,
    case_parties.c.name,
    case_parties.c.position,
)
_PARTIES_AMONG = _SOME_PARTIES.where(
    case_parties.c.case_number == sa.bindparam("number"),
    case_parties.c.subject_kind.in_(sa.bindparam("kinds", expanding=True)),
    case_parties.c.subject_id.in_(sa.bindparam("ids", expanding=True)),
)
# ids per statement: far below SQLite's smallest limit on bound parameters (999)
_IDS_PER_STATEMENT = 500
# one subject (a debtor field, the report): no list to expand, so the SQL is not rendered again
# for every lookup
ONE_PARTY = _SOME_PARTIES.where(
    case_parties.c.case_number == sa.bindparam("number"),
    case_parties.c.subject_kind == sa.bindparam("kind"),
    case_parties.c.subject_id == sa.bindparam("id"),
)


class CaseRepository:
    """The ``cases``, ``case_judges`` and ``case_parties`` tables, on one connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, case_number: CaseNumber) -> Case | None:
        """The case, with its judges and all its parties: two statements."""
        number = case_number.canonical
        rows = await self._case_rows(number)
        if not rows:
            return None
        party_rows = await self._conn.execute(_PARTIES, {"number": number})
        return _case(case_number, rows, tuple(_party(p) for p in party_rows.mappings()))

    async def get_for_subjects(
        self, case_number: CaseNumber, subjects: Collection[Subject]
    ) -> Case | None:
        """``case_for_subjects`` on this repository's connection."""
        return await self._conn.run_sync(case_for_subjects, case_number, subjects)

    async def _case_rows(self, number: str) -> Sequence[RowMapping]:
        """The case row once per judge (a case has at least one); none if not registered."""
        return (await self._conn.execute(CASE_WITH_JUDGES, {"number": number})).mappings().all()

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
            sa.update(cases)
            .where(cases.c.case_number == number)
            .values(**values, performed_on=performed_on(case.performed, case.obligation, now))
        )
        if updated.rowcount == 0:
            done = case.obligation > 0 and case.performed >= case.obligation
            await conn.execute(
                sa.insert(cases).values(
                    case_number=number,
                    created_at=now,
                    performed_on=court_date(now) if done else None,
                    **values,
                )
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
            .values(
                performed=performed,
                performed_on=performed_on(performed, cases.c.obligation, now),
                updated_at=now,
            )
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
        for p in party_rows.mappings():
            parties[p["case_number"]].append(_party(p))
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


def performed_on(
    performed: Decimal, obligation: Decimal | sa.ColumnElement[Decimal], now: datetime.datetime
) -> sa.ColumnElement[datetime.date]:
    """The new ``performed_on`` of an update setting ``performed``: the day it was first found
    fully performed (a non-zero obligation reached) is kept, today is set if it is newly so,
    and it is cleared if it no longer is. The list's overdue view counts from it."""
    owed = (
        obligation
        if isinstance(obligation, sa.ColumnElement)
        else sa.literal(obligation, cases.c.obligation.type)
    )
    done = sa.and_(owed > 0, sa.literal(performed, cases.c.performed.type) >= owed)
    kept = sa.func.coalesce(cases.c.performed_on, sa.literal(court_date(now), sa.Date()))
    return sa.case((done, kept), else_=sa.null())


def case_for_subjects(
    conn: Connection, case_number: CaseNumber, subjects: Collection[Subject]
) -> Case | None:
    """The case with its judges and, of its parties, only those who are among ``subjects``
    (the same kind and canonical id: ``Subject.key``), in the case's order.

    One statement for the case and its judges, one per ``_IDS_PER_STATEMENT`` subjects for
    the parties, each an indexed lookup: the cost grows with the subjects asked about, not
    with the case's parties. The ``parties`` of the case returned are therefore not all of
    them: it is what an inquiry's check needs (``check_inquiry``: is each subject a debtor
    of the case?) and must not be used as the whole case.

    Synchronous, so that it runs as it is on a reader thread of a SQLite file
    (``Store.run_read``: one hand-over instead of several per statement) and through a unit's
    connection (``run_sync``) elsewhere."""
    number = case_number.canonical
    rows = conn.execute(CASE_WITH_JUDGES, {"number": number}).mappings().all()
    if not rows:
        return None
    found = _parties_among(conn, number, {(s.kind.value, s.id) for s in subjects})
    found.sort(key=lambda p: p["position"])
    return case_from_rows(case_number, rows, found)


def case_from_rows(
    case_number: CaseNumber,
    rows: Sequence[Mapping[Any, Any]],
    parties: Sequence[Mapping[Any, Any]],
) -> Case:
    """The case of ``case_for_subjects`` from its rows of ``CASE_WITH_JUDGES`` and the rows of
    the parties found, in the case's order (also read through sqlite3:
    ``gateway.store.sqlite_driver.case_for_subjects``)."""
    return _case(case_number, rows, tuple(_party(p) for p in parties))


def _parties_among(
    conn: Connection, number: str, wanted: set[tuple[str, str]]
) -> builtins.list[RowMapping]:
    """The rows of the case's parties whose (kind, id) is ``wanted``, in no order."""
    if len(wanted) == 1:
        ((kind, subject_id),) = wanted
        params = {"number": number, "kind": kind, "id": subject_id}
        return builtins.list(conn.execute(ONE_PARTY, params).mappings())
    ids = sorted({subject_id for _, subject_id in wanted})
    kinds = sorted({kind for kind, _ in wanted})
    found: builtins.list[RowMapping] = []
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        result = conn.execute(_PARTIES_AMONG, {"number": number, "kinds": kinds, "ids": chunk})
        # kinds x ids may match a party of another kind with an id that was asked for
        found.extend(p for p in result.mappings() if (p["subject_kind"], p["subject_id"]) in wanted)
    return found


def _party(row: Mapping[Any, Any]) -> Party:
    subject = Subject(kind=SubjectKind(row["subject_kind"]), id=row["subject_id"], name=row["name"])
    return Party(role=PartyRole(row["role"]), subject=subject)


def _case(
    case_number: CaseNumber, rows: Sequence[Mapping[Any, Any]], parties: tuple[Party, ...]
) -> Case:
    """A case from its rows of ``CASE_WITH_JUDGES`` and the parties read with them."""
    row = rows[0]
    return Case(
        case_number=case_number,
        court=row["court"],
        judges=tuple(r["judge_id"] for r in rows if r["judge_id"] is not None),
        parties=parties,
        obligation=row["obligation"],
        performed=row["performed"],
        status=CaseStatus(row["status"]),
        filed_on=row["filed_on"],
        currency=row["currency"],
    )
