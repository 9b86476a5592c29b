"""``Store.run_driver`` on PostgreSQL: one asyncpg connection of the store's own, kept between
calls outside the pool, opened again after whatever may have left it unfit, and closed with the
store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from gateway.store import unit
from gateway.store.unit import Store
from tests.gateway.store.databases import migrated_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine("postgresql", tmp_path) as engine:
        yield engine


@pytest.fixture
async def store(engine: AsyncEngine) -> AsyncIterator[Store]:
    store = Store(engine)
    try:
        yield store
    finally:
        await store.aclose()


async def backend_pid(store: Store) -> int:
    async def pid(conn: Any) -> int:
        return int(await conn.fetchval("SELECT pg_backend_pid()"))

    return await store.run_driver(pid, transaction=False)


async def connected(engine: AsyncEngine, pid: int) -> bool:
    async with engine.connect() as conn:
        found = await conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
        return bool(found.scalar_one())


async def wait_gone(engine: AsyncEngine, pid: int) -> bool:
    """Has the server's backend ``pid`` ended (within a few seconds)?"""
    for _ in range(100):
        if not await connected(engine, pid):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_the_connection_is_kept_between_calls_and_is_not_the_pools(
    store: Store, engine: AsyncEngine
):
    first = await backend_pid(store)
    assert await backend_pid(store) == first
    assert await backend_pid(store) == first
    assert store.driver_connects == 1
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0  # given up by the pool, not held from it
    async with engine.connect() as conn:  # the pool's own connections are others
        pooled = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert pooled != first


async def test_an_error_of_the_work_rolls_back_and_keeps_the_connection(store: Store):
    async def create(conn: Any) -> None:
        await conn.execute("CREATE TABLE scratch (x integer)")

    await store.run_driver(create)
    first = await backend_pid(store)

    async def insert_then_refuse(conn: Any) -> None:
        await conn.execute("INSERT INTO scratch VALUES (1)")
        raise ValueError("refused after the insert")

    with pytest.raises(ValueError, match="refused"):
        await store.run_driver(insert_then_refuse)

    async def rows(conn: Any) -> int:
        return int(await conn.fetchval("SELECT count(*) FROM scratch"))

    assert await store.run_driver(rows) == 0
    assert await backend_pid(store) == first
    assert store.driver_connects == 1


async def test_a_dropped_link_is_replaced_on_the_next_call(store: Store, engine: AsyncEngine):
    first = await backend_pid(store)

    async def drop(conn: Any) -> None:
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
        await store.run_driver(drop)
    second = await backend_pid(store)
    assert second != first
    assert store.driver_connects == 2
    assert await wait_gone(engine, first)


async def test_a_link_the_server_ended_while_idle_is_replaced_before_use(
    store: Store, engine: AsyncEngine
):
    """The server ends the connection between two groups (a restart, an administrator): the
    next call notices before using it and opens another, rather than failing its inquiries."""
    first = await backend_pid(store)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    held = store._driver
    assert held is not None
    for _ in range(100):  # the end of the link reaches the event loop as end of file
        if held.is_closed():
            break
        await asyncio.sleep(0.05)
    assert held.is_closed()
    assert await backend_pid(store) != first  # no error: a fresh connection
    assert store.driver_connects == 2


async def test_a_database_error_replaces_the_connection(store: Store, engine: AsyncEngine):
    first = await backend_pid(store)

    async def fail(conn: Any) -> None:
        await conn.execute("SELECT * FROM no_such_table")

    with pytest.raises(asyncpg.UndefinedTableError):
        await store.run_driver(fail)
    assert await backend_pid(store) != first
    assert await wait_gone(engine, first)


async def test_a_cancelled_call_leaves_no_statement_running_on_the_next(
    store: Store, engine: AsyncEngine
):
    first = await backend_pid(store)
    started = asyncio.Event()

    async def slow(conn: Any) -> None:
        started.set()
        await conn.execute("SELECT pg_sleep(30)")

    task = asyncio.ensure_future(store.run_driver(slow))
    await started.wait()
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await backend_pid(store) != first
    assert await wait_gone(engine, first)  # its statement ended with it


async def test_a_connection_idle_too_long_is_closed_and_another_opened(
    store: Store, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    first = await backend_pid(store)
    monkeypatch.setattr(unit, "DRIVER_IDLE_S", 0.05)
    await asyncio.sleep(0.1)
    second = await backend_pid(store)
    assert second != first
    assert await wait_gone(engine, first)
    assert await backend_pid(store) == second  # used again within the idle time


async def test_aclose_closes_it_and_close_ends_it_at_once(engine: AsyncEngine):
    polite = Store(engine)
    pid = await backend_pid(polite)
    await polite.aclose()
    assert not await connected(engine, pid)  # closed by the time aclose returns

    abrupt = Store(engine)
    pid = await backend_pid(abrupt)
    abrupt.close()
    assert await wait_gone(engine, pid)
