"""What every inquiry does on a SQLite file, straight through sqlite3: its audit group and its
case lookup.

The audit group.

The audit writer's group runs on the store's writer thread in one transaction, on that thread's
own sqlite3 connection (``Store.run_sqlite3``; ``Store.run_direct`` for SQLAlchemy's path).
Through SQLAlchemy (``gateway.store.audit.append_rows``, then
``gateway.store.controls.save_answer_rows``) each of its four statements builds an execution
context, processes every parameter of every row through its compiled statement and wraps its
cursor in a result: at one inquiry at a time most of the audit's CPU, and in a 1,000-debtor
batch (1,000 entries and about 5,000 answers in one group) a tenth of the batch's
(``python -m bench.audit``, ``python -m bench.batch``). Here the same four statements, built
once from the same table definitions, go to the transaction's own sqlite3 connection, each
value bound as its column's type binds it on SQLite (the type's own bind processor), so the
stored rows are the same as SQLAlchemy's.

The entries and the answers go in as INSERTs of many rows each (``ManyRows``), not with
``executemany``: sqlite3 lets go of the GIL for every step of a statement, and ``executemany``
steps once per row. While the event loop's thread is busy (a batch's answer being completed),
the writer thread then waits for the GIL again after every row: a batch's group (1,000 entries,
5,000 answers) took about 14 times as long that way beside a thread running Python
(``python -m bench.audit_group``), and a 1,000-debtor batch's answer waited 70 to 90 ms for its
audit group after GraphQL had completed it. A statement of many rows is one step: in
statements of at most ``MOST_ROWS`` rows (fewer where SQLite allows fewer parameters), then one
each for the rest's powers of two, so that a group of any size uses a few statement texts, each
prepared once and kept by sqlite3's statement cache (about 125 bytes for each of a prepared
statement's parameters: some 2 MB for all of them).

The case lookup. ``case_for_subjects`` is ``gateway.store.cases.case_for_subjects`` on a plain
sqlite3 connection: the same statements, compiled once from the same SQLAlchemy statements, and
every value read as SQLAlchemy reads it (the column type's own result processor), so the case is
the same. It serves the lookups of a few subjects (``INLINE_SUBJECTS``) on the event loop's own
connection (``Store.run_read``): a read of a few rows by key costs less than the hand-over to a
reader thread would.

Only what the audit writer and the case check do on every inquiry is here; everything else keeps
the SQLAlchemy path. The two paths are tested to store the same rows and one chain
(``tests/gateway/services/test_audit_writer.py``) and to read the same cases
(``tests/gateway/store/test_case_lookup.py``).
"""

from __future__ import annotations

import functools
import operator
import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import pysqlite

from gateway.domain.audit import AuditEntry
from gateway.domain.cases import CaseNumber
from gateway.domain.register import Case
from gateway.domain.subjects import Subject
from gateway.store import cases as case_sql
from gateway.store.audit import Link, head_before, row_from_entry
from gateway.store.compiled import CompiledSelect
from gateway.store.controls import (
    ANSWER_COLUMNS,
    ANSWER_FIELDS,
    ANSWER_KEY,
    AnswersOf,
    answer_row,
    latest_answers,
)
from gateway.store.tables import (
    AUDIT_HEAD_ID,
    UTCDateTime,
    audit_head,
    audit_log,
    inquiry_answers,
)

# what the driver raises when a statement fails
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)

_DIALECT = pysqlite.dialect()

Row = Callable[[Mapping[str, Any]], tuple[Any, ...]]


def _binder(columns: Sequence[sa.Column[Any]]) -> Row:
    """A row's values in ``columns`` order, each as its column's type binds it on SQLite (for
    example ``UTCDateTime``: aware, then the UTC wall time as SQLAlchemy's text). Read in one
    ``itemgetter`` call; a date-time column's text is kept for the few instants a group holds
    (an inquiry's entries share one, its answers one per agency call): formatting one takes
    longer than reading all the other columns of a row."""
    names = tuple(c.name for c in columns)
    processors = tuple(c.type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for c in columns)
    converted = tuple(
        (index, _kept(process) if isinstance(column.type, UTCDateTime) else process)
        for index, (column, process) in enumerate(zip(columns, processors, strict=True))
        if process is not None
    )
    # itemgetter of one name gives the value, not a tuple of it
    get: Callable[[Mapping[str, Any]], Any] = (
        operator.itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    )

    def bind(row: Mapping[str, Any]) -> tuple[Any, ...]:
        values: tuple[Any, ...] = get(row)
        if not converted:
            return values
        bound = list(values)
        for index, process in converted:
            bound[index] = process(bound[index])
        return tuple(bound)

    return bind


def _kept(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` remembering its last few results: aware date-times that are equal are the
    same instant, which ``UTCDateTime`` binds as the same text (a naive one is refused, and a
    refusal is not remembered)."""
    return functools.lru_cache(maxsize=64)(process)


# the most rows one INSERT of ``ManyRows`` takes (a power of two)
MOST_ROWS = 256


class ManyRows:
    """An INSERT into ``table``'s ``columns`` (then ``tail``, an ON CONFLICT clause) of any
    number of rows, in as few statements as it takes: ``MOST_ROWS`` rows each (or the largest
    power of two whose parameters the connection allows), then one for each power of two of the
    rest, largest first. So 1,000 rows are 3 statements of 256, then 128, 64, 32 and 8: seven
    steps instead of 1,000, and never more than one text for each power of two up to
    ``MOST_ROWS``."""

    def __init__(self, table: sa.Table, columns: Sequence[sa.Column[Any]], tail: str = "") -> None:
        names = ", ".join(c.name for c in columns)
        self._head = f"INSERT INTO {table.name} ({names}) VALUES "  # noqa: S608 - our own names
        self._row = "(" + ", ".join("?" for _ in columns) + ")"
        self._tail = tail
        self.width = len(columns)
        self._texts: dict[int, str] = {}

    def text(self, rows: int) -> str:
        text = self._texts.get(rows)
        if text is None:
            text = self._head + ", ".join([self._row] * rows) + self._tail
            self._texts[rows] = text
        return text

    def most_rows(self, conn: sqlite3.Connection) -> int:
        """The rows of one statement: ``MOST_ROWS``, or fewer where the connection allows
        fewer parameters (999 before SQLite 3.32), a power of two either way."""
        fit = min(MOST_ROWS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // self.width)
        return 1 << (max(fit, 1).bit_length() - 1)

    def insert(self, cursor: sqlite3.Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        most = self.most_rows(cursor.connection)
        start, left = 0, len(rows)
        while left:
            size = most if left >= most else 1 << (left.bit_length() - 1)
            values = [value for row in rows[start : start + size] for value in row]
            cursor.execute(self.text(size), values)
            start += size
            left -= size


_ENTRY_COLUMNS = tuple(audit_log.columns)

ADVANCE_HEAD = "UPDATE audit_head SET seq = seq + ? WHERE id = ? RETURNING seq, hash, mac"
INSERT_ENTRIES = ManyRows(audit_log, _ENTRY_COLUMNS)
SET_HEAD = "UPDATE audit_head SET hash = ?, mac = ?, updated_at = ? WHERE id = ?"
UPSERT_ANSWERS = ManyRows(
    inquiry_answers,
    ANSWER_COLUMNS,
    f" ON CONFLICT ({', '.join(ANSWER_KEY)}) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in ANSWER_FIELDS if name not in ANSWER_KEY),
)

_entry_values = _binder(_ENTRY_COLUMNS)
_answer_values = _binder(ANSWER_COLUMNS)
_head_at = _binder((audit_head.c.updated_at,))


def append_rows(
    conn: sqlite3.Connection, count: int, link: Link, answers_of: AnswersOf | None = None
) -> list[AuditEntry]:
    """``gateway.store.audit.append_rows`` and ``gateway.store.controls.save_answer_rows`` on
    the sqlite3 connection of a transaction (the direct engine's, on the writer thread): the
    head moves first (taking the write lock before it is read), then the entries chained onto
    it, the head's new hash and MAC, and the answers ``answers_of`` makes of the entries (the
    latest per case, subject and agency). Committed or rolled back by the caller's
    transaction."""
    cursor = conn.cursor()
    try:
        cursor.execute(ADVANCE_HEAD, (count, AUDIT_HEAD_ID))
        rows = cursor.fetchall()  # the statement finishes before the next one starts
        linked = link(head_before(rows[0] if rows else None, count))
        entries = list(linked.entries)
        INSERT_ENTRIES.insert(cursor, [_entry_values(row_from_entry(e)) for e in entries])
        last = entries[-1]
        (at,) = _head_at({"updated_at": last.at})
        cursor.execute(SET_HEAD, (last.hash, linked.head_mac, at, AUDIT_HEAD_ID))
        if answers_of is not None:
            latest = latest_answers(answers_of(entries))
            if latest:
                UPSERT_ANSWERS.insert(cursor, [_answer_values(answer_row(a)) for a in latest])
        return entries
    finally:
        cursor.close()


# at most this many subjects are looked up by key on the event loop's own connection; more (a
# batch) go to a reader thread, where the hand-over is small beside the reads
INLINE_SUBJECTS = 16


class _Select(CompiledSelect):
    """A SELECT compiled once for SQLite (``gateway.store.compiled``), read on a sqlite3
    connection."""

    def __init__(self, statement: sa.Select[Any]) -> None:
        super().__init__(statement, _DIALECT)

    def read(self, conn: sqlite3.Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        cursor = conn.execute(self.sql, self.args(params))
        try:
            return self.rows(cursor.fetchall())
        finally:
            cursor.close()


_CASE_WITH_JUDGES = _Select(case_sql.CASE_WITH_JUDGES)
_ONE_PARTY = _Select(case_sql.ONE_PARTY)


def case_for_subjects(
    conn: sqlite3.Connection, case_number: CaseNumber, subjects: Collection[Subject]
) -> Case | None:
    """``gateway.store.cases.case_for_subjects`` on a sqlite3 connection: the case with its
    judges and, of its parties, only those among ``subjects``, each read by the table's key
    (one statement per distinct subject: meant for a few, ``INLINE_SUBJECTS``)."""
    number = case_number.canonical
    rows = _CASE_WITH_JUDGES.read(conn, {"number": number})
    if not rows:
        return None
    found: list[dict[str, Any]] = []
    for kind, subject_id in sorted({(s.kind.value, s.id) for s in subjects}):
        found.extend(_ONE_PARTY.read(conn, {"number": number, "kind": kind, "id": subject_id}))
    found.sort(key=lambda p: p["position"])
    return case_sql.case_from_rows(case_number, rows, found)
