"""An inquiry's audit group on PostgreSQL, written straight through asyncpg.

Every inquiry commits its audit entry (and the answers a control may later name) before its
answer leaves the gateway: through SQLAlchemy (``gateway.store.audit.append_rows``, then
``gateway.store.controls.save_answer_rows``) four statements in a transaction, each passing its
asyncpg adapter's greenlet switch, compiled-statement cache and result machinery. At one
inquiry at a time that, and each statement's round trip to the server, is most of the audit's
CPU (``python -m bench.audit``). Here the same rows, from the same table definitions, go to the
driver directly in two statements (the head, then everything else in ``WRITE_GROUP``), prepared
once per connection by asyncpg's statement cache, in a transaction of the driver's own
(``Store.run_driver``): four round trips with the transaction's own, where there were six.

And where the head is still the one this process wrote last (one gateway process, or several
taking turns less often than each appends), the whole group goes in one statement outside any
transaction, written only if the head row has not changed (``APPEND_IF_HEAD``,
``append_rows_if_head``): one round trip, about half the CPU of the four at one inquiry at a
time. Where the head has moved, nothing is written and the four-round-trip path runs, reading
and checking the head under its lock as always.

And a single inquiry's case lookup (``case_for_subject``): the same two statements as
``gateway.store.cases.case_for_subjects`` makes for one subject, compiled once for asyncpg, on
the store's kept reader connection (``Store.run_read``'s ``on_asyncpg``).

Only what every inquiry does is here; everything else, and every other database, keeps the
SQLAlchemy path. The two paths are tested to store the same rows and the
same chain (``tests/gateway/services/test_audit_writer.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, cast

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gateway.domain.audit import AuditEntry, ChainHead
from gateway.domain.cases import CaseNumber
from gateway.domain.register import Case
from gateway.domain.subjects import Subject
from gateway.store import cases as case_sql
from gateway.store.audit import Link, head_before, row_from_entry
from gateway.store.compiled import CompiledSelect, Processor, result_processor
from gateway.store.controls import (
    ANSWER_COLUMNS,
    ANSWER_FIELDS,
    ANSWER_KEY,
    AnswersOf,
    InquiryAnswer,
    answer_row,
    latest_answers,
)
from gateway.store.tables import AUDIT_HEAD_ID, UTCDateTime, audit_log

# what the driver raises when a statement or the connection fails
DRIVER_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

_DIALECT = postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
_UTC = UTCDateTime()

_ENTRY_COLUMNS = tuple(audit_log.columns)

ADVANCE_HEAD = "UPDATE audit_head SET seq = seq + $1 WHERE id = $2 RETURNING seq, hash, mac"


def _write_group(*, if_head: bool = False) -> str:
    """The rest of a group in one statement: the entries, the head's hash and MAC, and the
    answers (an insert that replaces the row of the same key), each table's rows as one array
    per column (``unnest``). Built from the table definitions, never from input.

    ``if_head``: the whole group in one statement, the head's sequence number set too, and
    everything written only if the head is still the one given (``append_rows_if_head``); the
    statement answers how many head rows it moved (1, or 0 when nothing was written)."""
    dialect = _DIALECT
    places = iter(range(1, len(_ENTRY_COLUMNS) + len(ANSWER_COLUMNS) + 9))

    def array_of(column: sa.Column[Any]) -> str:
        # strings and numbers as they come: an explicit cast to VARCHAR(n) or NUMERIC(p, s)
        # would cut a value short where the insert's own assignment refuses it, as through
        # SQLAlchemy
        if isinstance(column.type, sa.String):
            return "TEXT[]"
        if isinstance(column.type, sa.Numeric):
            return "NUMERIC[]"
        return f"{column.type.compile(dialect)}[]"

    def rows(columns: Sequence[sa.Column[Any]]) -> str:
        arrays = ", ".join(f"${next(places)}::{array_of(c)}" for c in columns)
        return f"SELECT * FROM unnest({arrays})"  # noqa: S608 - our own column names

    entries = rows(_ENTRY_COLUMNS)
    set_head = ("seq", "hash", "mac", "updated_at") if if_head else ("hash", "mac", "updated_at")
    head = ", ".join(f"{name} = ${next(places)}" for name in set_head)
    where_head = f"id = ${next(places)}"
    if if_head:
        where_head += "".join(f" AND {name} = ${next(places)}" for name in ("seq", "hash", "mac"))
    answers = rows(ANSWER_COLUMNS)
    replaced = ", ".join(
        f"{name} = EXCLUDED.{name}" for name in ANSWER_FIELDS if name not in ANSWER_KEY
    )
    insert_answers = f"INSERT INTO inquiry_answers ({_names(ANSWER_COLUMNS)}) {answers}"
    on_conflict = f"ON CONFLICT ({', '.join(ANSWER_KEY)}) DO UPDATE SET {replaced}"
    if not if_head:
        return (
            f"WITH entries AS (INSERT INTO audit_log ({_names(_ENTRY_COLUMNS)}) {entries}), "  # noqa: S608
            f"head AS (UPDATE audit_head SET {head} WHERE {where_head}) "
            f"{insert_answers} {on_conflict}"
        )
    # the sub-statements of one statement see one snapshot: the inserts learn whether the head
    # moved from the head's RETURNING, the one way PostgreSQL passes rows between them
    moved = "WHERE EXISTS (SELECT FROM head)"
    return (
        f"WITH head AS (UPDATE audit_head SET {head} WHERE {where_head} RETURNING id), "  # noqa: S608
        f"entries AS (INSERT INTO audit_log ({_names(_ENTRY_COLUMNS)}) {entries} {moved}), "
        f"answers AS ({insert_answers} {moved} {on_conflict}) "
        "SELECT count(*) FROM head"
    )


def _names(columns: Sequence[sa.Column[Any]]) -> str:
    return ", ".join(c.name for c in columns)


WRITE_GROUP = _write_group()
APPEND_IF_HEAD = _write_group(if_head=True)


def _utc(value: datetime.datetime) -> datetime.datetime:
    """As the column's ``UTCDateTime`` binds it on PostgreSQL: aware, in UTC; a naive time is
    refused."""
    return cast(datetime.datetime, _UTC.process_bind_param(value, _DIALECT))


async def append_rows(
    conn: asyncpg.Connection, count: int, link: Link, answers_of: AnswersOf | None = None
) -> list[AuditEntry]:
    """``gateway.store.audit.append_rows`` and ``gateway.store.controls.save_answer_rows`` on
    the driver, in two statements: the head moves first (its row lock) and is read; then the
    entries chained onto it, the head's new hash and MAC, and the answers ``answers_of`` makes
    of the entries (the latest per case, subject and agency) go in ``WRITE_GROUP``."""
    linked = link(head_before(await conn.fetchrow(ADVANCE_HEAD, count, AUDIT_HEAD_ID), count))
    entries = list(linked.entries)
    entry_arrays, answer_arrays = _arrays(entries, answers_of)
    last = entries[-1]
    await conn.execute(
        WRITE_GROUP,
        *entry_arrays,
        last.hash,
        linked.head_mac,
        _utc(last.at),
        AUDIT_HEAD_ID,
        *answer_arrays,
    )
    return entries


async def append_rows_if_head(
    conn: asyncpg.Connection,
    head: ChainHead,
    count: int,
    link: Link,
    answers_of: AnswersOf | None = None,
) -> list[AuditEntry] | None:
    """The same group as ``append_rows``, chained onto ``head`` (the head this process wrote
    last), in one statement (``APPEND_IF_HEAD``) outside any transaction, so one round trip in
    all where ``append_rows`` takes four with its transaction's. It writes only if the head row
    is still ``head``, under the row's lock: ``None``, and nothing written, when the head has
    moved since (another process or a unit of work appended) or was changed; the caller then
    appends the usual way, which reads and checks the head. One statement is atomic: the
    entries, the head and the answers are all written, or none."""
    linked = link(head)
    entries = list(linked.entries)
    entry_arrays, answer_arrays = _arrays(entries, answers_of)
    last = entries[-1]
    if last.seq != head.seq + count:
        raise ValueError("the linked entries do not follow the head")
    moved = await conn.fetchval(
        APPEND_IF_HEAD,
        *entry_arrays,
        last.seq,
        last.hash,
        linked.head_mac,
        _utc(last.at),
        AUDIT_HEAD_ID,
        head.seq,
        head.hash,
        head.mac,
        *answer_arrays,
    )
    return entries if moved else None


def _arrays(
    entries: Sequence[AuditEntry], answers_of: AnswersOf | None
) -> tuple[list[list[Any]], list[list[Any]]]:
    """The rows of a group's entries and of the answers ``answers_of`` makes of them (the
    latest per case, subject and agency), one array per column, as both statements take them."""
    answers = answers_of(entries) if answers_of is not None else ()
    return (
        _columns([_entry_row(e) for e in entries], _ENTRY_COLUMNS),
        _columns([_answer_row(a) for a in latest_answers(answers)], ANSWER_COLUMNS),
    )


def _columns(rows: Sequence[dict[str, Any]], columns: Sequence[sa.Column[Any]]) -> list[list[Any]]:
    return [[row[c.name] for row in rows] for c in columns]


def _entry_row(entry: AuditEntry) -> dict[str, Any]:
    row = row_from_entry(entry)
    row["at"] = _utc(row["at"])
    return row


def _answer_row(answer: InquiryAnswer) -> dict[str, Any]:
    row = answer_row(answer)
    row["answered_at"] = _utc(row["answered_at"])
    return row


class _Select(CompiledSelect):
    """A SELECT compiled once for asyncpg (``gateway.store.compiled``), read on an asyncpg
    connection; no result processor for a number: asyncpg gives ``NUMERIC`` as ``Decimal``,
    as SQLAlchemy's asyncpg dialect leaves it."""

    def __init__(self, statement: sa.Select[Any]) -> None:
        super().__init__(statement, _DIALECT, _result_processor)

    async def read(
        self, conn: asyncpg.Connection, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        return self.rows(await conn.fetch(self.sql, *self.args(params)))


_SQLALCHEMYS = result_processor(_DIALECT)


def _result_processor(column: sa.ColumnElement[Any]) -> Processor:
    if isinstance(column.type, sa.Numeric) and column.type.asdecimal:
        return None
    return _SQLALCHEMYS(column)


_CASE_WITH_JUDGES = _Select(case_sql.CASE_WITH_JUDGES)
_ONE_PARTY = _Select(case_sql.ONE_PARTY)


async def case_for_subject(
    conn: asyncpg.Connection, case_number: CaseNumber, subject: Subject
) -> Case | None:
    """``gateway.store.cases.case_for_subjects`` of one subject on an asyncpg connection: the
    case with its judges and, of its parties, only ``subject`` if it is one, read by the
    table's key; the same two statements, the same rows."""
    number = case_number.canonical
    rows = await _CASE_WITH_JUDGES.read(conn, {"number": number})
    if not rows:
        return None
    params = {"number": number, "kind": subject.kind.value, "id": subject.id}
    return case_sql.case_from_rows(case_number, rows, await _ONE_PARTY.read(conn, params))
