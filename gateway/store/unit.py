"""One command, one transaction: the unit of work that the store's repositories share.

``Store.begin()`` opens a transaction and yields a ``UnitOfWork`` whose repositories (``cases``,
``audit``, ``controls``, ``listing``; the outbox will join them) all write through it: a state
change and its audit entry commit together, or, when anything in the unit raises, not at all::

    async with store.begin() as unit:
        await unit.cases.save(case, now)
        await audit_log.append(records, unit=unit)  # last: see gateway.store.audit

Within one process, write units run one at a time (an ``asyncio.Lock`` held until the unit
commits or rolls back). SQLite allows one writer anyway, and a waiting unit then waits here
rather than in the database's busy timeout; on PostgreSQL every audited command serialises on
the audit head's row lock, across processes. On SQLite the driver begins the transaction at the
unit's first write, so what a unit reads before it is read outside the transaction: across
processes (``chakong serve --workers 2``, ``chakong reconcile`` beside a gateway), a unit that
decides on what it reads takes the write lock first (``ControlRepository.lock_case``,
``ListingRepository.entered``, the audit head's update) or writes by compare-and-set (a state or
version as read). Never open a unit inside another: the lock is not re-entrant.
``Store.read()`` yields the same repositories on a connection that writes nothing and takes no
lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.store import (
    SQLITE_BUSY_TIMEOUT_S,
    SQLiteConnection,
    connect_failures_as_database_errors,
    sqlite_pragmas,
)
from gateway.store.audit import AuditRepository
from gateway.store.cases import CaseRepository
from gateway.store.controls import ControlRepository
from gateway.store.kept import KeptConnection, KeptConnections, OpenFailedError
from gateway.store.listing import ListingRepository
from gateway.store.pg_driver import DRIVER_ERRORS

_T = TypeVar("_T")

log = logging.getLogger(__name__)

# SQLite's primary result codes for a file another connection holds
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _busy(exc: sqlite3.Error) -> bool:
    """Did ``exc`` come of a file another connection holds (not of a connection to drop)?"""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY


# the event loop's writer connection checkpoints nothing itself (a checkpoint copies the
# write-ahead log into the database file and syncs it: not work for the loop); after this many
# of its commits, the writer thread checkpoints (PASSIVE), as SQLite would after 1,000 pages
CHECKPOINT_EVERY = 256


# on PostgreSQL, how many reads at once ``run_read`` makes on connections kept outside the pool
# (each a server connection of the process's, opened when that many reads are first made at
# once); the reads beyond go through the pool. One kept only a few of the reads made at ten at
# once (``python -m bench.case_lookup``)
KEPT_READERS = 4

# what a read on the kept PostgreSQL connection may fail with, the link's opening included: the
# read is then made again through the pool
_KEPT_READ_ERRORS: tuple[type[Exception], ...] = (OpenFailedError, *DRIVER_ERRORS, TimeoutError)


class _InlineBeginError(Exception):
    """The event loop's writer connection could not begin: the writer thread does the work."""


def _close(connection: sqlite3.Connection | None) -> None:
    """Close one of the store's own sqlite3 connections, if open, whatever its state (its
    attribute then becomes ``None``, and the next use opens another)."""
    if connection is not None:
        with contextlib.suppress(sqlite3.Error):
            connection.close()


class UnitOfWork:
    """The repositories of one transaction (or of one read-only connection)."""

    __slots__ = ("audit", "cases", "connection", "controls", "listing")

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.cases = CaseRepository(connection)
        self.audit = AuditRepository(connection)
        self.listing = ListingRepository(connection)
        self.controls = ControlRepository(connection)


class Store:
    """The gateway's database, handed out one unit of work at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        direct: Engine | None = None,
        *,
        driver_writes: bool = True,
        checkpoint_every: int = CHECKPOINT_EVERY,
        kept_readers: int = KEPT_READERS,
    ) -> None:
        self.engine = engine
        connect_failures_as_database_errors(engine)
        # may the hot path's statements go to the driver directly (``driver_writes``)?
        self._driver_writes = driver_writes
        self._writer = asyncio.Lock()
        # a synchronous engine on the same SQLite file (``open_direct_engine``), used by one
        # thread of its own: ``run_direct``
        self.direct = direct
        self._thread: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        # the event loop's own connection to the SQLite file, for reads of a few rows
        # (``run_read``'s ``on_sqlite3``); opened on first use
        self._inline: sqlite3.Connection | None = None
        # the writer thread's own connection to it (``run_sqlite3``); opened on first use
        self._writer_conn: sqlite3.Connection | None = None
        # the event loop's own connection for small writes (``run_sqlite3(inline=True)``), its
        # commits, and the checkpoints the writer thread made for them
        self._inline_writer: sqlite3.Connection | None = None
        self._inline_commits = 0
        self._checkpoint_every = checkpoint_every
        self._checkpointing: asyncio.Future[None] | None = None
        self.checkpoints = 0
        # on PostgreSQL, the connections kept outside the pool: ``run_driver``'s, and the few
        # ``run_read`` reads a few rows on, one for each read made at once up to their number
        self.kept_writer = KeptConnection(engine)
        self.kept_readers = KeptConnections(engine, kept_readers)

    async def run_direct(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in one transaction of the direct engine, on the store's writer thread,
        as a unit of work would (holding the writer lock): committed when it returns, rolled
        back when it raises. For many statements at once: one hand-over to the thread instead
        of several per statement. Cancelling the caller does not cut the transaction short:
        the lock is held until it has ended."""
        if self.direct is None:
            raise RuntimeError("this store has no direct engine")
        direct = self.direct

        def in_transaction() -> _T:
            with direct.begin() as connection:
                return work(connection)

        return await self._on_writer_thread(in_transaction)

    async def run_sqlite3(
        self, work: Callable[[sqlite3.Connection], _T], *, inline: bool = False
    ) -> _T:
        """``run_direct`` on the writer thread's own sqlite3 connection to the direct engine's
        file, kept open (no pool checkout, no SQLAlchemy connection around it): ``BEGIN
        IMMEDIATE``, ``work``, ``COMMIT``; rolled back when it raises. For the statements every
        inquiry writes (``gateway.store.sqlite_driver``).

        ``inline``, for a small write (one inquiry's audit group): the same transaction on the
        event loop's own writer connection, in the loop, while nothing of this process is
        writing: the hand-over to the writer thread and back cost an inquiry about 4% of its
        CPU, two threads woken (``python -m bench.paired_cpu``). That connection never waits for
        a lock (no busy timeout): where another process holds the file's write lock, or the
        connection cannot begin at all, the writer thread does the work, and waits or fails as
        it always does. It never checkpoints the write-ahead log either: every
        ``checkpoint_every`` commits of it, the writer thread does (``checkpoints`` counts
        them). Once ``BEGIN IMMEDIATE`` has succeeded, the transaction ends here, committed or
        rolled back, as on the thread."""
        if inline and not self._writer.locked():
            # the lock is free, so nothing of this process writes; nothing awaited below
            try:
                result = self._inline_transaction(work)
            except _InlineBeginError:
                pass
            else:
                self._inline_written()
                return result

        def in_transaction() -> _T:
            connection = self._writer_connection()
            connection.execute("BEGIN IMMEDIATE")
            return self._finish(connection, work, self._drop_writer_connection)

        return await self._on_writer_thread(in_transaction)

    def _inline_transaction(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            connection = self._inline_writer_connection()
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            # busy: another process writes; otherwise a connection not to be kept
            if not _busy(exc):
                self._drop_inline_writer()
            raise _InlineBeginError from exc
        return self._finish(connection, work, self._drop_inline_writer)

    @staticmethod
    def _finish(
        connection: sqlite3.Connection,
        work: Callable[[sqlite3.Connection], _T],
        drop: Callable[[], None],
    ) -> _T:
        """``work`` in the transaction ``connection`` has begun, then ``COMMIT``; rolled back
        when it raises, and ``drop`` called where even that fails."""
        try:
            result = work(connection)
            connection.execute("COMMIT")
        except BaseException:
            try:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            except sqlite3.Error:
                # not to be trusted: the next transaction opens another
                drop()
            raise
        return result

    def _drop_writer_connection(self) -> None:
        _close(self._writer_conn)
        self._writer_conn = None

    def _drop_inline_writer(self) -> None:
        _close(self._inline_writer)
        self._inline_writer = None

    def _inline_written(self) -> None:
        """Count a commit of the event loop's writer connection; every ``checkpoint_every``,
        have the writer thread checkpoint (unless it still is)."""
        self._inline_commits += 1
        if self._inline_commits % self._checkpoint_every == 0 and (
            self._checkpointing is None or self._checkpointing.done()
        ):
            self._checkpointing = asyncio.ensure_future(self._checkpoint())

    async def _checkpoint(self) -> None:
        def checkpoint() -> None:
            self._writer_connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

        try:
            await self._on_writer_thread(checkpoint)
        except sqlite3.Error as exc:
            # the next one, or any commit of the writer thread's connection, checkpoints
            log.warning("the SQLite write-ahead log could not be checkpointed: %s", exc)
        else:
            self.checkpoints += 1

    def _inline_writer_connection(self) -> sqlite3.Connection:
        """The event loop's own connection for small writes: explicit transactions, the
        pragmas of every connection, no busy timeout, no automatic checkpoint."""
        if self._inline_writer is None:
            self._inline_writer = self._writer_sqlite3(0, "PRAGMA wal_autocheckpoint=0")
        return self._inline_writer

    async def _on_writer_thread(self, call: Callable[[], _T]) -> _T:
        """``call`` on the store's writer thread, holding the writer lock until it has ended,
        even when the caller is cancelled."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        async with self._writer:
            done = asyncio.get_running_loop().run_in_executor(self._thread, call)
            cancelled: asyncio.CancelledError | None = None
            while not done.done():
                try:
                    await asyncio.shield(done)
                except asyncio.CancelledError as error:
                    cancelled = error
            if cancelled is not None:
                raise cancelled
            return done.result()

    def _writer_connection(self) -> sqlite3.Connection:
        """The writer thread's sqlite3 connection (opened there, on first use), configured as
        the direct engine's: the same pragmas, the same busy timeout, explicit transactions."""
        if self._writer_conn is None:
            self._writer_conn = self._writer_sqlite3(SQLITE_BUSY_TIMEOUT_S)
        return self._writer_conn

    def _writer_sqlite3(self, timeout: float, *pragmas: str) -> sqlite3.Connection:
        """A new sqlite3 connection to write the direct engine's file: explicit transactions,
        the pragmas of every connection and then ``pragmas``, waiting ``timeout`` seconds for
        another writer's lock; closed, not handed out, when a pragma fails."""
        connection = sqlite3.connect(
            self._file(),
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,  # closed by close(), wherever that runs
            factory=SQLiteConnection,
        )
        try:
            sqlite_pragmas(connection)
            for pragma in pragmas:
                connection.execute(pragma)
        except sqlite3.Error:
            _close(connection)
            raise
        return connection

    def _file(self) -> str:
        if self.direct is None or not self.direct.url.database:
            raise RuntimeError("this store has no SQLite file")
        return self.direct.url.database

    async def run_read(
        self,
        work: Callable[[Connection], _T],
        on_sqlite3: Callable[[sqlite3.Connection], _T] | None = None,
        on_asyncpg: Callable[[Any], Awaitable[_T]] | None = None,
    ) -> _T:
        """Run ``work``, which only reads, on a connection of its own: on a SQLite file on one
        of the store's reader threads through the direct engine (one hand-over to the thread,
        where the asynchronous driver makes several per statement; write-ahead logging lets
        them read beside the writer), elsewhere through the asynchronous engine (``run_sync``).
        No lock is taken. For the reads every request makes (the case lookup).

        ``on_sqlite3``, the same read on a plain sqlite3 connection, runs instead on a SQLite
        file (unless the store keeps to SQLAlchemy: ``driver_writes=False``), on the event
        loop's own connection, in the loop: for a read of a few rows by key, which costs less
        than the hand-over to a thread (``python -m bench.fanout.profile --part stages``). That
        connection never waits for a lock (no busy timeout, and ``query_only``): when the file
        is busy, as it can be for a moment while another process checkpoints or recovers it,
        ``work`` runs on a reader thread as above, which waits; so it does when the sqlite3
        read fails otherwise, and fails there as SQLAlchemy's reads do.

        ``on_asyncpg``, the same read on an asyncpg connection, runs instead on PostgreSQL (unless
        ``driver_writes=False``), on one of the store's ``KEPT_READERS`` kept reader connections
        (``gateway.store.kept``) that no other read is using: no checkout from the pool, no
        SQLAlchemy connection and no hand-over to its adapter. A read that finds them all in use, or
        that fails there (the database or the link, its opening included: a server at its limit of
        connections may still serve the pool's), runs as ``work`` on a pooled connection, and fails
        there as SQLAlchemy's reads do: a read may be made twice. For a few seconds after a kept
        connection could not be opened, reads that find no open one free go to the pool without
        trying to open another (``gateway.store.kept.RETRY_OPEN_S``)."""
        kept = None if on_asyncpg is None or not self.on_asyncpg else self.kept_readers.free()
        if kept is not None and on_asyncpg is not None:
            try:
                async with kept.use() as connection:
                    return await on_asyncpg(connection)
            except _KEPT_READ_ERRORS as exc:
                log.info("a read on the kept connection failed, read again: %s", type(exc).__name__)
        if self.direct is None:
            async with self.engine.connect() as connection:
                return await connection.run_sync(work)
        if on_sqlite3 is not None and self._driver_writes:
            try:
                return on_sqlite3(self._inline_connection())
            except sqlite3.Error as exc:
                # the reader thread reads instead: it waits where the file is busy, and fails
                # as every read through SQLAlchemy does where it cannot (a file that cannot be
                # opened: STORE_UNAVAILABLE); a connection that failed otherwise is not kept
                if not _busy(exc):
                    _close(self._inline)
                    self._inline = None
        direct = self.direct
        if self._readers is None:
            self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store-reader")

        def on_connection() -> _T:
            with direct.connect() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._readers, on_connection)

    def _inline_connection(self) -> sqlite3.Connection:
        """The event loop's own connection to the direct engine's file: autocommit (each
        SELECT reads one snapshot and ends), read only, never waiting for a lock."""
        if self._inline is None:
            # mode=rw: a file that is not there is not created (the reader thread then fails
            # as SQLAlchemy's reads do)
            uri = Path(self._file()).absolute().as_uri() + "?mode=rw"
            connection = sqlite3.connect(
                uri,
                uri=True,
                timeout=0,
                isolation_level=None,
                check_same_thread=False,  # closed by close(), wherever that runs
                factory=SQLiteConnection,
            )
            connection.execute("PRAGMA query_only=ON")
            self._inline = connection
        return self._inline

    @property
    def driver_writes(self) -> bool:
        """May the hot path's statements go to the driver directly: sqlite3 on the writer
        thread (``run_direct``), asyncpg through ``run_driver``?"""
        return self._driver_writes

    @property
    def on_asyncpg(self) -> bool:
        """Is the database PostgreSQL through asyncpg, with ``run_driver`` allowed?"""
        return self._driver_writes and self.engine.dialect.driver == "asyncpg"

    async def run_driver(
        self, work: Callable[[Any], Awaitable[_T]], *, transaction: bool = True
    ) -> _T:
        """Run ``work`` on the store's own asyncpg connection, in one transaction of the
        driver's own, as a unit of work would (holding the writer lock): committed when it
        returns, rolled back when it raises or is cancelled. For the few statements every
        request runs (``gateway.store.pg_driver``): SQLAlchemy's adapter is not in the way.

        The connection is the store's own, kept outside the pool between calls
        (``gateway.store.kept``): a checkout from the pool and its return cost more CPU than the
        one statement of an inquiry's audit group. The writer lock makes the store its only
        user at a time. When it cannot be opened (a server at its limit of connections), and
        for a few seconds after, ``work`` runs on a connection checked out of the pool, as it
        did before the store kept one; a failure of ``work`` itself is never run again.

        ``transaction=False``: no transaction around ``work``, each of its statements commits
        on its own (for work of one statement, which is atomic by itself)."""
        if not self.on_asyncpg:
            raise RuntimeError("this store is not on asyncpg")

        async def run(driver: asyncpg.Connection) -> _T:
            if not transaction:
                return await work(driver)
            async with driver.transaction():
                return await work(driver)

        async with self._writer:
            if self.kept_writer.available:
                try:
                    async with self.kept_writer.use() as driver:
                        return await run(driver)
                except OpenFailedError as exc:  # nothing ran: the pool may still serve it
                    log.warning(
                        "%s (%s): written through the pool", exc, type(exc.__cause__).__name__
                    )
            async with self.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                pooled = raw.driver_connection
                if not isinstance(pooled, asyncpg.Connection):
                    raise RuntimeError("the pooled connection has no asyncpg connection")
                try:
                    return await run(pooled)
                except BaseException:
                    # SQLAlchemy never saw the error: a connection that the server or the
                    # network closed would go back to the pool and fail whoever takes it next
                    if pooled.is_closed():
                        await connection.invalidate()
                    raise

    async def aclose(self) -> None:
        """``close``, after closing the kept PostgreSQL connections the polite way (telling the
        server); what the gateway calls at shutdown."""
        await self.kept_writer.aclose()
        await self.kept_readers.aclose()
        self.close()

    def close(self) -> None:
        """Stop the writer thread, close the direct engine and end the kept PostgreSQL
        connections without waiting (``aclose`` closes them telling the server); the async
        engine is the caller's to dispose."""
        self.kept_writer.end()
        self.kept_readers.end()
        if self._checkpointing is not None and not self._checkpointing.done():
            # not begun, or its thread's work is waited for below: nothing reopens the thread
            self._checkpointing.cancel()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
        _close(self._writer_conn)
        self._writer_conn = None
        if self._readers is not None:
            self._readers.shutdown(wait=True)
            self._readers = None
        _close(self._inline)
        self._inline = None
        self._drop_inline_writer()
        if self.direct is not None:
            self.direct.dispose()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work in one transaction: committed on exit, rolled back if it raises."""
        async with self._writer, self.engine.begin() as connection:
            yield UnitOfWork(connection)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[UnitOfWork]:
        """The repositories on a connection of their own, for reading."""
        async with self.engine.connect() as connection:
            yield UnitOfWork(connection)
