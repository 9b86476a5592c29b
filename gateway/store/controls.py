"""The controls' SQL: operations, idempotency keys, and the inquiry answers kept per case.

``ControlRepository`` works on the connection of a unit of work (``gateway.store.unit``), so an
operation's state change and its audit entry commit together. Operations are never deleted;
idempotency keys are purged only past their retention (``purge_keys``).
"""

from __future__ import annotations

import builtins
import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.audit import AuditEntry
from gateway.domain.controls import (
    Asset,
    ControlAction,
    ControlOperation,
    OperationState,
    covering_value,
)
from gateway.store.tables import cases, control_idempotency, control_operations, inquiry_answers


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _operation(row: RowMapping) -> ControlOperation:
    amount = row["amount"]
    return ControlOperation(
        id=row["id"],
        request_id=row["request_id"],
        case_number=row["case_number"],
        court=row["court"],
        action=ControlAction(row["action"]),
        agency=row["agency"],
        asset_id=row["asset_id"],
        asset_class=row["asset_class"],
        subject_key=row["subject_key"],
        inquiry_seq=row["inquiry_seq"],
        ruling_number=row["ruling_number"],
        notice_number=row["notice_number"],
        amount=_decimal(amount),
        held_value=_decimal(row["held_value"]),
        applied_amount=_decimal(row["applied_amount"]),
        queue_position=row["queue_position"],
        starts_on=row["starts_on"],
        until=row["until"],
        target_id=row["target_id"],
        state=OperationState(row["state"]),
        requested_by=row["requested_by"],
        approved_by=row["approved_by"],
        attempts=row["attempts"],
        reference=row["reference"],
        message=row["message"],
        excess_reason=row["excess_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _row(op: ControlOperation) -> dict[str, Any]:
    return {
        "id": op.id,
        "request_id": op.request_id,
        "case_number": op.case_number,
        "court": op.court,
        "action": op.action.value,
        "agency": op.agency,
        "asset_id": op.asset_id,
        "asset_class": op.asset_class,
        "subject_key": op.subject_key,
        "inquiry_seq": op.inquiry_seq,
        "ruling_number": op.ruling_number,
        "notice_number": op.notice_number,
        "amount": op.amount,
        "held_value": op.held_value,
        "applied_amount": op.applied_amount,
        "queue_position": op.queue_position,
        "starts_on": op.starts_on,
        "until": op.until,
        "target_id": op.target_id,
        "state": op.state.value,
        "requested_by": op.requested_by,
        "approved_by": op.approved_by,
        "attempts": op.attempts,
        "reference": op.reference,
        "message": op.message,
        "excess_reason": op.excess_reason,
        "created_at": op.created_at,
        "updated_at": op.updated_at,
    }


def assets_json(assets: Iterable[Asset]) -> str:
    """The assets an answer found, as JSON text (read back by ``assets_from_json``); orjson,
    because every inquiry keeps its answers, a 1,000-debtor batch about 5,000 of them."""
    return orjson.dumps(
        [
            {
                "assetId": a.asset_id,
                "assetClass": a.asset_class,
                "value": None if a.value is None else str(a.value),
                "currency": a.currency,
                "label": a.label,
                "heldFor": list(a.held_for),
            }
            for a in assets
        ]
    ).decode()


def assets_from_json(agency: str, text: str) -> builtins.list[Asset]:
    return [
        Asset(
            agency=agency,
            asset_id=item["assetId"],
            asset_class=item["assetClass"],
            value=None if item["value"] is None else Decimal(item["value"]),
            currency=item["currency"],
            label=item["label"],
            held_for=tuple(item["heldFor"]),
        )
        for item in json.loads(text)
    ]


def _unsettled(stale_before: datetime.datetime) -> sa.ColumnElement[bool]:
    """UNKNOWN, or PENDING and untouched since ``stale_before`` (its process stopped mid-attempt):
    what a reconciler has to settle."""
    c = control_operations.c
    return sa.or_(
        c.state == OperationState.UNKNOWN.value,
        sa.and_(c.state == OperationState.PENDING.value, c.updated_at < stale_before),
    )


def _unclaimed(now: datetime.datetime) -> sa.ColumnElement[bool]:
    claimed = control_operations.c.claimed_until
    return sa.or_(claimed.is_(None), claimed < now)


# the key of an answer: the latest per case, subject and agency replaces the one before
ANSWER_KEY = ("case_number", "subject_key", "agency")


def _answer_upsert(insert: Any) -> Any:
    statement = insert(inquiry_answers)
    return statement.on_conflict_do_update(
        index_elements=list(ANSWER_KEY),
        set_={name: statement.excluded[name] for name in ANSWER_FIELDS if name not in ANSWER_KEY},
    )


def save_answer_rows(conn: Connection, answers: Sequence[InquiryAnswer]) -> None:
    """Keep each of ``answers`` as the latest for its case, subject and agency: one statement
    (an insert that replaces the row of the same key) for any number (a batch's, or a group
    commit's). Of two answers with the same key, the later one stays. Synchronous, for a unit
    of work and the store's writer thread alike."""
    latest = latest_answers(answers)
    if not latest:
        return
    conn.execute(_ANSWER_UPSERTS[conn.dialect.name], [answer_row(a) for a in latest])


def latest_answers(answers: Iterable[InquiryAnswer]) -> list[InquiryAnswer]:
    """One answer per case, subject and agency, the later of two with the same key: an upsert
    may touch a row once."""
    latest = {(a.case_number, a.subject_key, a.agency): a for a in answers}
    return list(latest.values())


ANSWER_FIELDS = (
    "case_number",
    "subject_key",
    "agency",
    "answered_at",
    "audit_seq",
    "assets",
    "found_value",
)


def answer_row(answer: InquiryAnswer) -> dict[str, Any]:
    """The ``inquiry_answers`` row of ``answer`` (its ``ANSWER_FIELDS``)."""
    return {
        "case_number": answer.case_number,
        "subject_key": answer.subject_key,
        "agency": answer.agency,
        "answered_at": answer.answered_at,
        "audit_seq": answer.audit_seq,
        "assets": answer.assets_json,
        "found_value": answer.found_value,
    }


# the answers' columns in ANSWER_FIELDS order, for the paths that write them on the driver
ANSWER_COLUMNS = tuple(inquiry_answers.columns[name] for name in ANSWER_FIELDS)

# a request's stored audit entries -> the inquiry answers to keep with them
AnswersOf = Callable[[Sequence[AuditEntry]], Iterable["InquiryAnswer"]]

# built once: every inquiry's audit group runs one
_ANSWER_UPSERTS = {
    "sqlite": _answer_upsert(sqlite.insert),
    "postgresql": _answer_upsert(postgresql.insert),
}


class InquiryAnswer:
    """The latest answer of one agency about one subject in one case."""

    __slots__ = (
        "_stored",
        "agency",
        "answered_at",
        "assets",
        "audit_seq",
        "case_number",
        "subject_key",
    )

    def __init__(
        self,
        case_number: str,
        subject_key: str,
        agency: str,
        answered_at: datetime.datetime,
        audit_seq: int,
        assets: Sequence[Asset],
        *,
        stored: tuple[str, Decimal] | None = None,
    ) -> None:
        self.case_number = case_number
        self.subject_key = subject_key
        self.agency = agency
        self.answered_at = answered_at
        self.audit_seq = audit_seq
        self.assets = tuple(assets)
        # stored_parts(assets), once made (an AnswerDraft makes them early)
        self._stored = stored

    @property
    def assets_json(self) -> str:
        """The assets as the row keeps them (``assets_json``), made once."""
        return self._parts()[0]

    @property
    def found_value(self) -> Decimal:
        """What the assets found towards a debt (``covering_value``), made once."""
        return self._parts()[1]

    def _parts(self) -> tuple[str, Decimal]:
        if self._stored is None:
            self._stored = stored_parts(self.assets)
        return self._stored


def stored_parts(assets: Sequence[Asset]) -> tuple[str, Decimal]:
    """What an answer's row keeps of ``assets``: their JSON (``assets_json``) and what they
    found towards a debt (``covering_value``)."""
    return assets_json(assets), covering_value(assets)


class AnswerDraft:
    """An answer to keep with an inquiry's audit entry, made before the entry is: all of it
    (the assets' JSON and found value included) but the entry's sequence number and, where the
    agency's answer carries no time of its own, the entry's time. A batch's drafts are made
    before its audit group is queued, so that the group's transaction, which holds the write
    lock and every entry queued behind it, only binds them (``gateway.services.auditing``)."""

    __slots__ = ("agency", "assets", "case_number", "fetched_at", "stored", "subject_key")

    def __init__(
        self,
        case_number: str,
        subject_key: str,
        agency: str,
        fetched_at: datetime.datetime | None,
        assets: Sequence[Asset],
    ) -> None:
        self.case_number = case_number
        self.subject_key = subject_key
        self.agency = agency
        self.fetched_at = fetched_at
        self.assets = tuple(assets)
        self.stored = stored_parts(self.assets)

    def entered(self, audit_seq: int, at: datetime.datetime) -> InquiryAnswer:
        """The answer kept with the entry numbered ``audit_seq``, written at ``at``."""
        return InquiryAnswer(
            self.case_number,
            self.subject_key,
            self.agency,
            self.fetched_at or at,
            audit_seq,
            self.assets,
            stored=self.stored,
        )


class ControlRepository:
    """The ``control_operations``, ``control_idempotency`` and ``inquiry_answers`` tables."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock_case(self, case_number: str) -> None:
        """Take the case row's lock (PostgreSQL) or the write lock (SQLite) for the unit: the
        checks that read the case's controls then see every competing request's result."""
        await self._conn.execute(
            sa.update(cases)
            .where(cases.c.case_number == case_number)
            .values(updated_at=cases.c.updated_at)
        )

    # operations

    async def insert(self, op: ControlOperation) -> None:
        await self._conn.execute(sa.insert(control_operations).values(**_row(op)))

    async def update(self, op: ControlOperation, *, expected: OperationState) -> bool:
        """Replace the operation's row if it is still in state ``expected`` (compare-and-set:
        two reconcilers, or a reconciler and a late first attempt, never both settle it)."""
        values = _row(op)
        del values["id"]
        result = await self._conn.execute(
            sa.update(control_operations)
            .where(
                control_operations.c.id == op.id,
                control_operations.c.state == expected.value,
            )
            .values(**values)
        )
        return bool(result.rowcount)

    async def get(self, op_id: str) -> ControlOperation | None:
        row = (
            await self._conn.execute(
                sa.select(control_operations).where(control_operations.c.id == op_id)
            )
        ).first()
        return None if row is None else _operation(row._mapping)

    async def many(self, ids: Sequence[str]) -> builtins.list[ControlOperation]:
        """The operations, in the order of ``ids`` (missing ones left out)."""
        if not ids:
            return []
        rows = await self._conn.execute(
            sa.select(control_operations).where(control_operations.c.id.in_(list(ids)))
        )
        found = {row.id: _operation(row._mapping) for row in rows}
        return [found[i] for i in ids if i in found]

    async def for_case(self, case_number: str) -> builtins.list[ControlOperation]:
        rows = await self._conn.execute(
            sa.select(control_operations)
            .where(control_operations.c.case_number == case_number)
            .order_by(control_operations.c.created_at, control_operations.c.id)
        )
        return [_operation(row._mapping) for row in rows]

    async def for_subject(
        self, case_number: str, subject_key: str
    ) -> builtins.list[ControlOperation]:
        """The case's operations on one debtor's assets (never another case's), oldest first."""
        c = control_operations.c
        rows = await self._conn.execute(
            sa.select(control_operations)
            .where(c.case_number == case_number, c.subject_key == subject_key)
            .order_by(c.created_at, c.id)
        )
        return [_operation(row._mapping) for row in rows]

    async def for_asset(self, agency: str, asset_id: str) -> builtins.list[ControlOperation]:
        rows = await self._conn.execute(
            sa.select(control_operations)
            .where(control_operations.c.agency == agency, control_operations.c.asset_id == asset_id)
            .order_by(control_operations.c.created_at, control_operations.c.id)
        )
        return [_operation(row._mapping) for row in rows]

    async def unsettled(
        self, stale_before: datetime.datetime, now: datetime.datetime, limit: int
    ) -> builtins.list[ControlOperation]:
        """UNKNOWN operations, and PENDING ones not touched since ``stale_before`` (their
        process stopped mid-attempt), that no reconciler holds a lease on at ``now``: what the
        reconciler settles, oldest first."""
        c = control_operations.c
        rows = await self._conn.execute(
            sa.select(control_operations)
            .where(_unsettled(stale_before), _unclaimed(now))
            .order_by(c.updated_at, c.id)
            .limit(limit)
        )
        return [_operation(row._mapping) for row in rows]

    async def count_unsettled(self, stale_before: datetime.datetime) -> int:
        """How many operations a reconciler has yet to settle (``unsettled``'s, leases or not)."""
        count = await self._conn.scalar(
            sa.select(sa.func.count())
            .select_from(control_operations)
            .where(_unsettled(stale_before))
        )
        return int(count or 0)

    async def claim(
        self, op: ControlOperation, now: datetime.datetime, until: datetime.datetime
    ) -> bool:
        """Take a lease on ``op`` until ``until``, if no one holds one at ``now`` and the
        operation is as it was read (same state, untouched since): two reconcilers never work
        one operation at once. A reconciler that stops loses its lease when it runs out."""
        c = control_operations.c
        result = await self._conn.execute(
            sa.update(control_operations)
            .where(
                c.id == op.id,
                c.state == op.state.value,
                c.updated_at == op.updated_at,
                _unclaimed(now),
            )
            .values(claimed_until=until)
        )
        return bool(result.rowcount)

    async def unclaim(self, op_id: str, until: datetime.datetime) -> None:
        """Give back the lease taken until ``until`` (another's later lease is left alone)."""
        c = control_operations.c
        await self._conn.execute(
            sa.update(control_operations)
            .where(c.id == op_id, c.claimed_until == until)
            .values(claimed_until=None)
        )

    async def applied_in_force(
        self,
        *,
        court: str | None = None,
        case_numbers: Sequence[str] | None = None,
        ends_before: datetime.date | None = None,
    ) -> builtins.list[ControlOperation]:
        """Applied freezes and seizures (renewals fold into them by the service)."""
        c = control_operations.c
        query = sa.select(control_operations).where(
            c.state == OperationState.APPLIED.value,
            c.action.in_([ControlAction.FREEZE.value, ControlAction.SEIZE.value]),
        )
        if court is not None:
            query = query.where(c.court == court)
        if case_numbers is not None:
            query = query.where(c.case_number.in_(list(case_numbers)))
        if ends_before is not None:
            query = query.where(c.until <= ends_before)
        rows = await self._conn.execute(query.order_by(c.until, c.id))
        return [_operation(row._mapping) for row in rows]

    async def targeting(self, target_ids: Sequence[str]) -> builtins.list[ControlOperation]:
        """Operations acting on the given freezes (deductions, releases, renewals)."""
        if not target_ids:
            return []
        rows = await self._conn.execute(
            sa.select(control_operations)
            .where(control_operations.c.target_id.in_(list(target_ids)))
            .order_by(control_operations.c.created_at, control_operations.c.id)
        )
        return [_operation(row._mapping) for row in rows]

    async def all(self) -> builtins.list[ControlOperation]:
        rows = await self._conn.execute(
            sa.select(control_operations).order_by(control_operations.c.created_at)
        )
        return [_operation(row._mapping) for row in rows]

    # idempotency keys

    async def key(self, court: str, key: str) -> tuple[str, builtins.list[str]] | None:
        """The fingerprint and operation ids stored under ``key``, if any."""
        row = (
            await self._conn.execute(
                sa.select(
                    control_idempotency.c.fingerprint, control_idempotency.c.operation_ids
                ).where(control_idempotency.c.court == court, control_idempotency.c.key == key)
            )
        ).first()
        return None if row is None else (row.fingerprint, json.loads(row.operation_ids))

    async def put_key(
        self,
        court: str,
        key: str,
        fingerprint: str,
        operation_ids: Sequence[str],
        now: datetime.datetime,
    ) -> None:
        """Store a key; a concurrent insert of the same key raises ``IntegrityError``."""
        await self._conn.execute(
            sa.insert(control_idempotency).values(
                court=court,
                key=key,
                fingerprint=fingerprint,
                operation_ids=json.dumps(list(operation_ids)),
                created_at=now,
            )
        )

    async def purge_keys(self, older_than: datetime.datetime) -> int:
        result = await self._conn.execute(
            sa.delete(control_idempotency).where(control_idempotency.c.created_at < older_than)
        )
        return int(result.rowcount or 0)

    # inquiry answers

    async def save_answer(self, answer: InquiryAnswer) -> None:
        """Keep ``answer`` as the latest for its case, subject and agency."""
        await self.save_answers([answer])

    async def save_answers(self, answers: Sequence[InquiryAnswer]) -> None:
        """``save_answer_rows`` on this unit's connection."""
        if answers:
            await self._conn.run_sync(save_answer_rows, answers)

    async def answers(self, case_number: str) -> builtins.list[InquiryAnswer]:
        rows = await self._conn.execute(
            sa.select(inquiry_answers)
            .where(inquiry_answers.c.case_number == case_number)
            .order_by(inquiry_answers.c.subject_key, inquiry_answers.c.agency)
        )
        return [
            InquiryAnswer(
                row.case_number,
                row.subject_key,
                row.agency,
                row.answered_at,
                row.audit_seq,
                assets_from_json(row.agency, row.assets),
            )
            for row in rows
        ]
