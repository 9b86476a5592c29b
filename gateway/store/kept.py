"""An asyncpg connection the store keeps between uses, outside SQLAlchemy's pool.

Checking a connection out of the pool and giving it back costs more CPU than the one statement
of an inquiry's audit group, or the two of its case lookup (the audit's CPU per inquiry fell from
about 0.53 to 0.35 ms, ``python -m bench.audit``; the lookup's, its statements also no longer
through SQLAlchemy, from 0.57 to 0.12 ms, ``python -m bench.case_lookup``). For those, the store
keeps a connection of its own: opened as the pool's are (the engine's settings, the dialect's
set-up), then detached from the pool, which opens another in its place when it needs one.

A kept connection is used by one caller at a time (``use``; ``available`` tells a caller that may go
elsewhere whether to, as it does for a few seconds after one could not be opened). The store's reads
keep a few (``KeptConnections``), so that reads made at once each find one. Both of the store's
callers can go elsewhere: when it cannot be opened (``OpenFailedError``: a server at its limit of
connections may still serve the pool's), they check a connection out of the pool instead. It is
opened again after any failure that may have left it unfit (a driver or network error, a
cancellation, a transaction left open), after the server ended it, and after ``IDLE_S`` unused,
rather than trusting a link that a server's idle timeout or a firewall may have cut while nothing
used it. ``aclose`` closes it telling the server; ``end`` ends it at once, without waiting
(``Store.close``, which is synchronous).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.pg_driver import DRIVER_ERRORS

# a kept connection unused for longer than this is closed and another opened before its next use
IDLE_S = 30.0
# how long closing it waits for the server before ending the link without it
CLOSE_TIMEOUT_S = 2.0
# after a connection could not be opened (the server refusing more, or down), how long a caller
# that can go elsewhere (``available``) is told to, rather than trying to open one each time
RETRY_OPEN_S = 5.0


# what closing a connection may fail with: the driver's errors, or the server not answering
_CLOSE_ERRORS: tuple[type[Exception], ...] = (*DRIVER_ERRORS, TimeoutError)


class OpenFailedError(Exception):
    """A kept connection could not be opened (why: ``__cause__``); nothing was run on it, so
    the caller may run its work elsewhere, as it does for ``available`` being false."""


class KeptConnection:
    """One asyncpg connection of the store's own, for one caller at a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: asyncpg.Connection | None = None
        self._used = 0.0
        self.open_failed = float("-inf")  # when opening one last failed (monotonic)
        self.in_use = False
        self.connects = 0  # connections opened (for tests and the benchmarks)

    @property
    def available(self) -> bool:
        """May a caller that can go elsewhere use it now: not in use, and not within
        ``RETRY_OPEN_S`` of a failure to open one?"""
        return not self.in_use and _may_open(self.open_failed)

    @property
    def connection(self) -> asyncpg.Connection | None:
        """The connection kept now, if any (for tests)."""
        return self._connection

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[asyncpg.Connection]:
        """The kept connection, opened if need be, for the body of the ``async with``; ended if
        the body raises anything that may have left it unfit. ``OpenFailedError`` before the
        body runs when it cannot be opened. Not re-entrant: a caller that finds it ``in_use``
        must go elsewhere or wait its turn under a lock of its own."""
        if self.in_use:
            raise RuntimeError("the kept connection is in use")
        self.in_use = True
        try:
            connection = await self._open()
            try:
                yield connection
            except BaseException as exc:
                if not _fit_after(connection, exc):
                    self.end()
                raise
        finally:
            self._used = time.monotonic()
            self.in_use = False

    async def _open(self) -> asyncpg.Connection:
        connection = self._connection
        if connection is not None and (
            connection.is_closed() or time.monotonic() - self._used > IDLE_S
        ):
            self._connection = None
            await _close(connection)
            connection = None
        if connection is None:
            try:
                pooled = await self._engine.raw_connection()
            except Exception as exc:  # whatever the driver or the network raised
                self.open_failed = time.monotonic()
                raise OpenFailedError("a kept connection could not be opened") from exc
            driver = pooled.driver_connection
            pooled.detach()  # the store's now, not the pool's: the pool opens another in its place
            if not isinstance(driver, asyncpg.Connection):
                raise RuntimeError("the engine's connection has no asyncpg connection")
            self._connection = connection = driver
            self.connects += 1
        return connection

    def end(self) -> None:
        """End the connection at once, without waiting for the server (the next use opens
        another)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    async def aclose(self) -> None:
        """Close the connection, telling the server."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await _close(connection)


class KeptConnections:
    """Up to ``size`` kept connections, for as many callers at once (the store's reads).

    ``free`` gives one not in use: one already open first, so that another is opened only when
    more callers than are open use them at once. ``None`` when every one is in use, or when the
    only ones left would have to be opened within ``RETRY_OPEN_S`` of a failure to open any of
    them: a server that refused one refuses the next."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        if size < 1:
            raise ValueError("keep at least one connection")
        self.members = tuple(KeptConnection(engine) for _ in range(size))

    def free(self) -> KeptConnection | None:
        """A member a caller may use now, if any."""
        unopened: KeptConnection | None = None
        for kept in self.members:
            if kept.in_use:
                continue
            if kept.connection is not None:
                return kept
            if unopened is None:
                unopened = kept
        if unopened is None or not _may_open(max(k.open_failed for k in self.members)):
            return None
        return unopened

    @property
    def connects(self) -> int:
        """Connections opened, all members together (for tests and the benchmarks)."""
        return sum(kept.connects for kept in self.members)

    @property
    def in_use(self) -> int:
        """How many members are in use now."""
        return sum(kept.in_use for kept in self.members)

    def end(self) -> None:
        """End every member's connection at once (``KeptConnection.end``)."""
        for kept in self.members:
            kept.end()

    async def aclose(self) -> None:
        """Close every member's connection, telling the server."""
        for kept in self.members:
            await kept.aclose()


def _may_open(failed: float) -> bool:
    """Is it ``RETRY_OPEN_S`` since opening a connection last failed (``failed``, monotonic)?"""
    return time.monotonic() - failed >= RETRY_OPEN_S


def _fit_after(connection: asyncpg.Connection, exc: BaseException) -> bool:
    """May the connection be used again after its user raised ``exc``? Only after an error of
    the gateway's own (a refused head, say), with the link idle and open: never after the
    driver's or the network's, nor a cancellation, which can leave a statement running."""
    if not isinstance(exc, Exception):
        return False
    if isinstance(exc, DRIVER_ERRORS):
        return False
    return not connection.is_closed() and not connection.is_in_transaction()


async def _close(connection: asyncpg.Connection) -> None:
    """Close an asyncpg connection, telling the server; end it at once if that fails."""
    try:
        await connection.close(timeout=CLOSE_TIMEOUT_S)
    except _CLOSE_ERRORS:
        connection.terminate()
