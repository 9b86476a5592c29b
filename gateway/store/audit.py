"""The audit log's SQL: appending with the head update, listing, and the reads of ``verify``.

``AuditRepository`` works on the connection of a unit of work (``gateway.store.unit``), so an
append commits with whatever else that unit wrote, or not at all.

Appends never fork the chain: the append's first statement is the update of the head row, which
takes its row lock on PostgreSQL (as ``SELECT ... FOR UPDATE`` would) and the write lock on
SQLite, before the head is read; both are held until the unit commits. Append last in a unit:
the head row is then locked for the shortest time, and no unit ever waits for another's rows
while holding the head.
"""

from __future__ import annotations

import builtins
import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.audit import AuditEntry, ChainHead, StoredEntry
from gateway.store.tables import AUDIT_HEAD_ID, audit_head, audit_log

# built once: an append is on the request path of every inquiry
_ADVANCE_HEAD = (
    sa.update(audit_head)
    .where(audit_head.c.id == AUDIT_HEAD_ID)
    .values(seq=audit_head.c.seq + sa.bindparam("count", type_=sa.Integer))
    .returning(audit_head.c.seq, audit_head.c.hash, audit_head.c.mac)
)
_INSERT_ENTRIES = sa.insert(audit_log)
_SET_HEAD_HASH = (
    sa.update(audit_head)
    .where(audit_head.c.id == AUDIT_HEAD_ID)
    .values(
        hash=sa.bindparam("head_hash"), mac=sa.bindparam("head_mac"), updated_at=sa.bindparam("at")
    )
)
_HEAD = sa.select(audit_head.c.seq, audit_head.c.hash, audit_head.c.mac).where(
    audit_head.c.id == AUDIT_HEAD_ID
)
# one statement, one snapshot: committed appends move head and entries together
_HEAD_AND_LAST_SEQ = sa.select(
    sa.select(audit_head.c.seq).where(audit_head.c.id == AUDIT_HEAD_ID).scalar_subquery(),
    sa.select(sa.func.max(audit_log.c.seq)).scalar_subquery(),
)


@dataclass(frozen=True, slots=True)
class Linked:
    """What an append stores: the chained entries, and the MAC that seals the new head."""

    entries: Sequence[AuditEntry]
    head_mac: str


# the head before the append -> what to store (raises to refuse the append)
Link = Callable[[ChainHead], Linked]


class AuditRepository:
    """The ``audit_log`` and ``audit_head`` tables, on one connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def append(self, count: int, link: Link) -> list[AuditEntry]:
        """``append_rows`` on this unit's connection."""
        return await self._conn.run_sync(append_rows, count, link)

    async def list(
        self,
        *,
        equal: Mapping[str, str | None],
        subject_digest: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        limit: int,
        before_seq: int | None = None,
    ) -> builtins.list[AuditEntry]:
        """Entries newest first: columns equal to the non-``None`` values of ``equal``,
        ``since`` inclusive, ``until`` exclusive, ``seq`` below ``before_seq``."""
        c = audit_log.c
        query = sa.select(audit_log)
        for name, value in equal.items():
            if value is not None:
                query = query.where(c[name] == value)
        if subject_digest is not None:
            query = query.where(c.subject_digest == subject_digest)
        if since is not None:
            query = query.where(c.at >= since)
        if until is not None:
            query = query.where(c.at < until)
        if before_seq is not None:
            query = query.where(c.seq < before_seq)
        query = query.order_by(c.seq.desc()).limit(limit)
        rows = (await self._conn.execute(query)).mappings().all()
        return [entry_from_row(row) for row in rows]

    async def head(self) -> ChainHead | None:
        row = (await self._conn.execute(_HEAD)).first()
        return None if row is None else ChainHead(int(row.seq), str(row.hash), _mac(row.mac))

    async def seal_head(self, seq: int, head_hash: str, mac: str) -> bool:
        """Set the MAC of a head that has none, if it is still at ``seq`` with ``head_hash``;
        whether it was set."""
        c = audit_head.c
        sealed = await self._conn.execute(
            sa.update(audit_head)
            .where(c.id == AUDIT_HEAD_ID, c.seq == seq, c.hash == head_hash, c.mac.is_(None))
            .values(mac=mac)
        )
        return sealed.rowcount == 1

    async def page(
        self, *, after_seq: int | None, up_to_seq: int, limit: int
    ) -> builtins.list[StoredEntry]:
        """The next ``limit`` entries in ``seq`` order, after ``after_seq`` and up to
        ``up_to_seq``; an entry whose columns cannot be read comes without its content."""
        query = sa.select(audit_log).where(audit_log.c.seq <= up_to_seq)
        if after_seq is not None:
            query = query.where(audit_log.c.seq > after_seq)
        query = query.order_by(audit_log.c.seq).limit(limit)
        rows = (await self._conn.execute(query)).mappings().all()
        return [_stored(row) for row in rows]

    async def head_and_last_seq(self) -> tuple[int | None, int | None]:
        """The head's ``seq`` and the largest stored ``seq``, read in one snapshot."""
        head_seq, last_seq = (await self._conn.execute(_HEAD_AND_LAST_SEQ)).one()
        return (
            None if head_seq is None else int(head_seq),
            None if last_seq is None else int(last_seq),
        )


def append_rows(conn: Connection, count: int, link: Link) -> list[AuditEntry]:
    """Reserve ``count`` sequence numbers, store the entries ``link`` chains onto the head as it
    was, and move the head to the last of them with the MAC ``link`` gives; ``LookupError`` when
    the head row is missing. ``link`` may raise to refuse the append (a forged head): the
    transaction then rolls back.

    Three statements: the head moves first, taking its lock before it is read (and before
    ``link`` reads the clock, so times follow the sequence). Synchronous, so that it runs the
    same in a unit of work (``AuditRepository.append``) and on the store's writer thread
    (``gateway.services.audit_writer``)."""
    row = conn.execute(_ADVANCE_HEAD, {"count": count}).first()
    previous = head_before(row, count)
    linked = link(previous)
    entries = list(linked.entries)
    conn.execute(_INSERT_ENTRIES, [row_from_entry(e) for e in entries])
    last = entries[-1]
    conn.execute(
        _SET_HEAD_HASH, {"head_hash": last.hash, "head_mac": linked.head_mac, "at": last.at}
    )
    return entries


def head_before(advanced: Sequence[Any] | None, count: int) -> ChainHead:
    """The head an append of ``count`` entries extends, from the row (``seq``, ``hash``,
    ``mac``) the head's advance returned, on whichever path it ran; ``LookupError`` when there
    was none (the head row is missing)."""
    if advanced is None:
        raise LookupError("the audit_head row is missing")
    seq, head_hash, mac = advanced
    return ChainHead(int(seq) - count, str(head_hash), _mac(mac))


def _mac(value: object) -> str | None:
    return None if value is None else str(value)


def row_from_entry(entry: AuditEntry) -> dict[str, Any]:
    """The ``audit_log`` row of ``entry``: its lists and maps as compact JSON text, the maps'
    keys sorted (orjson: a group commit writes a row for every entry, a 1,000-debtor batch a
    thousand; rows written before by the standard library, with spaces, read the same)."""
    row = {name: getattr(entry, name) for name in _COLUMNS}
    row["agencies"] = orjson.dumps(entry.agencies).decode()
    row["statuses"] = orjson.dumps(entry.statuses, option=orjson.OPT_SORT_KEYS).decode()
    row["record_counts"] = orjson.dumps(entry.record_counts, option=orjson.OPT_SORT_KEYS).decode()
    return row


def entry_from_row(row: Mapping[Any, Any]) -> AuditEntry:
    """The entry a stored row holds; ``ValueError`` when its JSON columns are malformed."""
    agencies = json.loads(row["agencies"])
    statuses = json.loads(row["statuses"])
    counts = json.loads(row["record_counts"])
    if not (
        isinstance(agencies, builtins.list)
        and isinstance(statuses, dict)
        and isinstance(counts, dict)
    ):
        raise ValueError("malformed JSON column")
    values = {name: row[name] for name in _COLUMNS}
    values.update(
        seq=int(row["seq"]), agencies=tuple(agencies), statuses=statuses, record_counts=counts
    )
    return AuditEntry(**values)


_COLUMNS = tuple(column.name for column in audit_log.columns)


def _stored(row: Mapping[Any, Any]) -> StoredEntry:
    try:
        entry: AuditEntry | None = entry_from_row(row)
    except (ValueError, TypeError):  # unreadable JSON: someone wrote it by hand
        entry = None
    return StoredEntry(int(row["seq"]), str(row["prev_hash"]), str(row["hash"]), entry)
