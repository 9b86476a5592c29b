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
the audit head's row lock, across processes. Never open a unit inside another: the lock is not
re-entrant. ``Store.read()`` yields the same repositories on a connection that writes nothing
and takes no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.store.audit import AuditRepository
from gateway.store.cases import CaseRepository
from gateway.store.controls import ControlRepository
from gateway.store.listing import ListingRepository


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

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writer = asyncio.Lock()

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
