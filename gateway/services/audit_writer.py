"""Group commit: the audit entries of concurrent requests share one transaction.

Every inquiry's entries (and the answers a control may later name, ``inquiry_answers``) must be
committed before its answer leaves the gateway. One transaction per request made each inquiry
pay for a connection, a transaction and a dozen statements; at any concurrency most of that is
the same work done again. ``AuditWriter.append`` queues the request's entries and waits; one
drain at a time takes everything queued (up to ``max_group`` entries), chains it onto the head
in one append, stores the answers in one statement, commits, and only then hands each request
its own entries. On a SQLite file the group's transaction runs on the store's writer thread in
one go (``Store.run_sqlite3``, on that thread's own sqlite3 connection), not statement by
statement through the asynchronous driver's thread, its statements straight on sqlite3
(``gateway.store.sqlite_driver``); on PostgreSQL
straight on asyncpg (``Store.run_driver``, ``gateway.store.pg_driver``); elsewhere in a unit of
work. With ``Store(driver_writes=False)`` the statements go through SQLAlchemy everywhere. A
request whose group did not commit gets the error and is not answered; a request is never told
its entries are written before they are.

The chain is computed where it always was (``AuditLog``, under the head's lock), so the group's
entries are one contiguous run, each request's entries contiguous within it and in the order
they were queued. Units that change state and audit it in the same transaction (controls, the
list, the case register) still append through their own unit: they and the drain take the
store's writer lock in turn, and each append reads the head it extends under that lock, so all
of them make one chain.

No task outlives its work: the first request that finds no drain running starts one, and the
drain ends when the queue is empty. ``aclose`` waits for it (at shutdown, after the server has
stopped taking requests).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from gateway.domain.errors import ChakongError
from gateway.services.audit import AuditEntry, AuditLog, AuditRecord, AuditUnavailableError
from gateway.store import pg_driver, sqlite_driver
from gateway.store.controls import AnswersOf, InquiryAnswer, save_answer_rows
from gateway.store.unit import Store

log = logging.getLogger(__name__)

# what a group's transaction raises when the database fails it, on either path
_WRITE_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    *pg_driver.DRIVER_ERRORS,
    *sqlite_driver.DRIVER_ERRORS,
)

# entries per transaction: a group this size commits in a few ms; a larger backlog takes turns
DEFAULT_MAX_GROUP = 1000
# a group of at most this many entries is written on the event loop's own connection where it
# can be (``Store.run_sqlite3``'s ``inline``): a few inquiries' entries and answers take less
# than the hand-over to the writer thread; a batch's, on the thread
INLINE_ENTRIES = 16


@dataclass(slots=True)
class _Pending:
    prepared: list[dict[str, Any]]
    answers_of: AnswersOf | None
    done: asyncio.Future[list[AuditEntry]]


class AuditWriter:
    """Appends to the audit log, the requests of a moment in one transaction."""

    def __init__(self, log_: AuditLog, store: Store, *, max_group: int = DEFAULT_MAX_GROUP) -> None:
        if max_group < 1:
            raise ValueError("max_group must be at least 1")
        self._log = log_
        self._store = store
        self._max_group = max_group
        self._queue: deque[_Pending] = deque()
        self._drain: asyncio.Task[None] | None = None
        self.groups = 0  # transactions committed (for tests and the benchmark)

    async def append(
        self, records: Sequence[AuditRecord], answers_of: AnswersOf | None = None
    ) -> list[AuditEntry]:
        """Append ``records`` and keep what ``answers_of`` makes of their entries, in the next
        group; the stored entries once committed. ``AuditUnavailableError`` when the group could
        not be written; ``ValueError`` at once for a malformed record."""
        if not records:
            return []
        prepared = self._log.prepare(records)
        done: asyncio.Future[list[AuditEntry]] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(prepared, answers_of, done))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.ensure_future(self._drain_queue())
        # a caller cancelled now still has its entries written: the agencies were asked
        return await done

    async def aclose(self) -> None:
        """Wait until everything queued is written."""
        while self._drain is not None and not self._drain.done():
            await asyncio.shield(self._drain)

    async def _drain_queue(self) -> None:
        while self._queue:
            group = [self._queue.popleft()]
            size = len(group[0].prepared)
            while self._queue and size + len(self._queue[0].prepared) <= self._max_group:
                size += len(self._queue[0].prepared)
                group.append(self._queue.popleft())
            await self._commit(group)

    async def _commit(self, group: list[_Pending]) -> None:
        prepared = [fields for pending in group for fields in pending.prepared]
        split: list[list[list[AuditEntry]]] = []

        def answers_of(entries: Sequence[AuditEntry]) -> list[InquiryAnswer]:
            mine, answers = _split(group, entries)
            split.append(mine)
            return answers

        def write(conn: Connection) -> list[list[AuditEntry]]:
            entries = self._log.append_rows(conn, prepared)
            save_answer_rows(conn, answers_of(entries))
            return split[-1]

        def write_on_sqlite3(conn: sqlite3.Connection) -> list[list[AuditEntry]]:
            self._log.append_rows_sqlite(conn, prepared, answers_of)
            return split[-1]

        async def write_on_driver(conn: Any) -> list[list[AuditEntry]]:
            await self._log.append_rows_driver(conn, prepared, answers_of)
            return split[-1]

        async def write_on_driver_if_head(conn: Any) -> list[list[AuditEntry]] | None:
            written = await self._log.append_rows_driver_if_head(conn, prepared, answers_of)
            return None if written is None else split[-1]

        store = self._store
        try:
            if store.direct is not None and store.driver_writes:
                mine = await store.run_sqlite3(
                    write_on_sqlite3, inline=len(prepared) <= INLINE_ENTRIES
                )
            elif store.direct is not None:
                mine = await store.run_direct(write)
            elif store.on_asyncpg:
                # one statement onto the head this process wrote last; where another wrote
                # since, the transaction that reads the head
                written = await store.run_driver(write_on_driver_if_head, transaction=False)
                if written is None:
                    written = await store.run_driver(write_on_driver)
                mine = written
            else:
                async with store.begin() as unit:
                    mine = await unit.connection.run_sync(write)
        except asyncio.CancelledError:
            _fail(group, _unwritable())
            raise
        except ChakongError as exc:
            _fail(group, exc)
        except _WRITE_ERRORS as exc:
            log.error("an audit group of %d requests could not be written: %s", len(group), exc)
            _fail(group, _unwritable())
        except Exception:
            log.exception("an audit group of %d requests could not be written", len(group))
            _fail(group, _unwritable())
        else:
            self.groups += 1
            for pending, own in zip(group, mine, strict=True):
                if not pending.done.done():
                    pending.done.set_result(own)


def _split(
    group: Sequence[_Pending], entries: Sequence[AuditEntry]
) -> tuple[list[list[AuditEntry]], list[InquiryAnswer]]:
    """Each request's own entries (contiguous, in the order queued), and the answers to keep."""
    mine: list[list[AuditEntry]] = []
    answers: list[InquiryAnswer] = []
    start = 0
    for pending in group:
        own = list(entries[start : start + len(pending.prepared)])
        start += len(own)
        mine.append(own)
        if pending.answers_of is not None:
            answers.extend(pending.answers_of(own))
    return mine, answers


def _fail(group: Sequence[_Pending], error: ChakongError) -> None:
    for pending in group:
        if not pending.done.done():
            pending.done.set_exception(error)


def _unwritable() -> AuditUnavailableError:
    return AuditUnavailableError("审计日志写入失败", "the audit log could not be written")
