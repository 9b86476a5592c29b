"""An inquiry's audit group on PostgreSQL, written straight through asyncpg.

Every inquiry commits its audit entry (and the answers a control may later name) before its
answer leaves the gateway: four statements in one transaction, the same as
``gateway.store.audit.append_rows`` and ``gateway.store.controls.save_answer_rows`` run through
SQLAlchemy. Through SQLAlchemy's asyncpg adapter each statement passes a greenlet switch, the
compiled-statement cache and the result machinery, which at one inquiry at a time cost about
twice the CPU of the driver's own calls (``python -m bench.audit``). Here the same statements,
written from the same table definitions, go to the driver directly, prepared once per
connection by asyncpg's statement cache, in a transaction of the driver's own
(``Store.run_driver``).

Only what the audit writer does on every inquiry is here; everything else, and every other
database, keeps the SQLAlchemy path. The two paths are tested to store the same rows and the
same chain (``tests/gateway/services/test_audit_writer.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import asyncpg

from gateway.domain.audit import AuditEntry, ChainHead
from gateway.store.audit import Link, row_from_entry
from gateway.store.controls import ANSWER_FIELDS, ANSWER_KEY, InquiryAnswer, answer_row
from gateway.store.tables import AUDIT_HEAD_ID, audit_log

# what the driver raises when a statement or the connection fails
DRIVER_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

_ENTRY_COLUMNS = tuple(column.name for column in audit_log.columns)


def _insert(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    places = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    # names from our own table definitions, never from input
    return f"INSERT INTO {table} ({names}) VALUES ({places})"  # noqa: S608


ADVANCE_HEAD = "UPDATE audit_head SET seq = seq + $1 WHERE id = $2 RETURNING seq, hash, mac"
INSERT_ENTRIES = _insert("audit_log", _ENTRY_COLUMNS)
SET_HEAD_HASH = "UPDATE audit_head SET hash = $1, mac = $2, updated_at = $3 WHERE id = $4"
UPSERT_ANSWER = (
    _insert("inquiry_answers", ANSWER_FIELDS)
    + f" ON CONFLICT ({', '.join(ANSWER_KEY)}) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in ANSWER_FIELDS if name not in ANSWER_KEY)
)


def _utc(value: datetime.datetime) -> datetime.datetime:
    """As ``UTCDateTime`` binds it: aware, in UTC; a naive time is refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware / 时间必须带时区")
    return value.astimezone(datetime.UTC)


async def append_rows(conn: asyncpg.Connection, count: int, link: Link) -> list[AuditEntry]:
    """``gateway.store.audit.append_rows`` on the driver: the head moves first (its row lock),
    the entries are stored, the head takes the last hash and its MAC."""
    row = await conn.fetchrow(ADVANCE_HEAD, count, AUDIT_HEAD_ID)
    if row is None:
        raise LookupError("the audit_head row is missing")
    mac = row["mac"]
    previous = ChainHead(
        int(row["seq"]) - count, str(row["hash"]), None if mac is None else str(mac)
    )
    linked = link(previous)
    entries = list(linked.entries)
    await conn.executemany(INSERT_ENTRIES, [_entry_values(e) for e in entries])
    last = entries[-1]
    await conn.execute(SET_HEAD_HASH, last.hash, linked.head_mac, _utc(last.at), AUDIT_HEAD_ID)
    return entries


def _entry_values(entry: AuditEntry) -> tuple[Any, ...]:
    row = row_from_entry(entry)
    row["at"] = _utc(row["at"])
    return tuple(row[name] for name in _ENTRY_COLUMNS)


async def save_answer_rows(conn: asyncpg.Connection, answers: Sequence[InquiryAnswer]) -> None:
    """``gateway.store.controls.save_answer_rows`` on the driver: the latest answer per case,
    subject and agency, in one statement."""
    latest = {(a.case_number, a.subject_key, a.agency): a for a in answers}
    if not latest:
        return
    await conn.executemany(UPSERT_ANSWER, [_answer_values(a) for a in latest.values()])


def _answer_values(answer: InquiryAnswer) -> tuple[Any, ...]:
    row = answer_row(answer)
    row["answered_at"] = _utc(row["answered_at"])
    return tuple(row[name] for name in ANSWER_FIELDS)
