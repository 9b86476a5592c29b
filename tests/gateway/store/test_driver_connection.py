"""The store's kept PostgreSQL connections (``gateway.store.kept``): ``Store.run_driver``'s, one
asyncpg connection of the store's own kept between calls outside the pool, opened again after
whatever may have left it unfit, and closed with the store; and the reader a single inquiry's
case lookup reads on, which gives what the pool's path gives and leaves to it what it cannot do."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from gateway.domain.cases import parse_case_number
from gateway.domain.register import Case, Party, PartyRole
from gateway.domain.subjects import Subject
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.cases import CaseRegister
from gateway.store import kept, pg_driver
from gateway.store.unit import KEPT_READERS, Store
from tests.gateway.case_samples import case_of, natural_people
from tests.gateway.store.databases import migrated_engine

NOW = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)

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
    assert store.kept_writer.connects == 1
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
    assert store.kept_writer.connects == 1


async def test_a_dropped_link_is_replaced_on_the_next_call(store: Store, engine: AsyncEngine):
    first = await backend_pid(store)

    async def drop(conn: Any) -> None:
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
        await store.run_driver(drop)
    second = await backend_pid(store)
    assert second != first
    assert store.kept_writer.connects == 2
    assert await wait_gone(engine, first)


async def test_a_link_the_server_ended_while_idle_is_replaced_before_use(
    store: Store, engine: AsyncEngine
):
    """The server ends the connection between two groups (a restart, an administrator): the
    next call notices before using it and opens another, rather than failing its inquiries."""
    first = await backend_pid(store)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    held = store.kept_writer.connection
    assert held is not None
    for _ in range(100):  # the end of the link reaches the event loop as end of file
        if held.is_closed():
            break
        await asyncio.sleep(0.05)
    assert held.is_closed()
    assert await backend_pid(store) != first  # no error: a fresh connection
    assert store.kept_writer.connects == 2


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
    monkeypatch.setattr(kept, "IDLE_S", 0.05)
    await asyncio.sleep(0.1)
    second = await backend_pid(store)
    assert second != first
    assert await wait_gone(engine, first)
    assert await backend_pid(store) == second  # used again within the idle time


async def test_aclose_closes_it_telling_the_server_and_close_ends_it_at_once(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    ways: list[tuple[str, asyncpg.Connection]] = []
    close, terminate = asyncpg.Connection.close, asyncpg.Connection.terminate

    async def closing(self: asyncpg.Connection, *args: Any, **kwargs: Any) -> None:
        ways.append(("close", self))
        await close(self, *args, **kwargs)

    def terminating(self: asyncpg.Connection) -> None:
        ways.append(("terminate", self))
        terminate(self)

    monkeypatch.setattr(asyncpg.Connection, "close", closing)
    monkeypatch.setattr(asyncpg.Connection, "terminate", terminating)

    polite = Store(engine)
    pid = await backend_pid(polite)
    held = polite.kept_writer.connection
    await polite.aclose()
    assert [way for way, conn in ways if conn is held] == ["close"]  # told the server
    assert not await connected(engine, pid)  # closed by the time aclose returns

    abrupt = Store(engine)
    pid = await backend_pid(abrupt)
    held = abrupt.kept_writer.connection
    abrupt.close()
    assert [way for way, conn in ways if conn is held] == ["terminate"]  # at once
    assert held is not None
    assert held.is_closed()
    assert await wait_gone(engine, pid)


async def test_a_writer_that_cannot_be_opened_writes_through_the_pool_for_a_while(
    store: Store, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    """A server at its limit of connections refuses a new one and still serves the pool's: the
    work runs once, on a pooled connection, and the next calls do not try to open one again at
    once; after the back-off, the kept connection opens."""
    attempts: list[int] = []

    async def refused(self: AsyncEngine) -> Any:
        attempts.append(1)
        raise asyncpg.TooManyConnectionsError("sorry, too many clients already")

    monkeypatch.setattr(AsyncEngine, "raw_connection", refused)
    runs: list[int] = []

    async def work(conn: Any) -> int:
        runs.append(1)
        return int(await conn.fetchval("SELECT pg_backend_pid()"))

    first = await store.run_driver(work)
    second = await store.run_driver(work, transaction=False)
    assert (len(runs), len(attempts)) == (2, 1)  # each run once; one try to open, then the pool
    assert store.kept_writer.connects == 0  # on no kept connection: on the pool's
    assert first == second  # the pool's one connection, checked out and given back each time
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0
    monkeypatch.undo()
    monkeypatch.setattr(kept, "RETRY_OPEN_S", 0.0)
    await store.run_driver(work)
    assert store.kept_writer.connects == 1


# --- the reader ------------------------------------------------------------------------------


async def lookup(store: Store, case: Case, subjects: list[Subject]) -> Case | None:
    register = CaseRegister(store, Auditor(AuditLog(store, b"k" * 32)))
    return await register.get_for_subjects(case.case_number, subjects)


async def saved_case(store: Store) -> tuple[Case, list[Subject]]:
    debtor, other, creditor, stranger = natural_people(4)
    named = dataclasses.replace(other, name="张三")
    case = case_of("(2026)苏0812执5号", [debtor, named], [creditor])
    async with store.begin() as unit:
        await unit.cases.save(case, NOW)
    return case, [debtor, other, creditor, stranger]


async def test_a_single_subjects_lookup_reads_on_the_kept_connection_as_the_pool_would(
    store: Store, engine: AsyncEngine
):
    case, (debtor, other, creditor, stranger) = await saved_case(store)
    through_pool = Store(engine, driver_writes=False)  # SQLAlchemy's path, as before
    unknown = dataclasses.replace(case, case_number=parse_case_number("(2026)苏0812执6号"))
    try:
        for asked in ([debtor], [other], [creditor], [stranger]):
            found = await lookup(store, case, asked)
            assert found == await lookup(through_pool, case, asked)
            assert found is not None
        assert await lookup(store, unknown, [debtor]) is None
    finally:
        await through_pool.aclose()
    assert store.kept_readers.connects == 1  # every one of them on the one kept connection
    named = await lookup(store, case, [other])
    assert named is not None
    assert named.parties == (Party(PartyRole.DEBTOR, dataclasses.replace(other, name="张三")),)
    assert named.obligation == case.obligation
    assert (named.judges, named.status) == (case.judges, case.status)


async def test_lookups_at_once_share_the_kept_connections_with_the_pool(store: Store):
    case, people = await saved_case(store)
    asked = [people[i % 3] for i in range(12)]
    found = await asyncio.gather(*(lookup(store, case, [subject]) for subject in asked))
    for subject, got in zip(asked, found, strict=True):
        assert got is not None
        assert [p.subject.key for p in got.parties] == [subject.key]
    assert 1 <= store.kept_readers.connects <= KEPT_READERS
    assert store.kept_readers.in_use == 0


class HeldReads:
    """Reads on kept connections that wait until released, each noting its server backend."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.backends: list[int] = []

    async def on_asyncpg(self, conn: Any) -> str:
        self.backends.append(int(await conn.fetchval("SELECT pg_backend_pid()")))
        await self.release.wait()
        return "kept"

    async def until(self, count: int) -> None:
        for _ in range(1000):
            if len(self.backends) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{len(self.backends)} reads on kept connections, not {count}")


async def finished(tasks: list[asyncio.Task[str]], count: int) -> list[asyncio.Task[str]]:
    """The tasks done once ``count`` of them are (within ten seconds, however slow the host)."""
    for _ in range(1000):
        done = [task for task in tasks if task.done()]
        if len(done) >= count:
            return done
        await asyncio.sleep(0.01)
    raise AssertionError(f"{sum(task.done() for task in tasks)} reads finished, not {count}")


def through_the_pool(conn: Any) -> str:
    return "pool"


async def test_reads_at_once_each_take_a_kept_connection_up_to_their_number_then_the_pool(
    store: Store,
):
    held = HeldReads()
    reads = [
        asyncio.create_task(store.run_read(through_the_pool, on_asyncpg=held.on_asyncpg))
        for _ in range(KEPT_READERS + 2)
    ]
    await held.until(KEPT_READERS)
    # the reads beyond the kept connections finish while those are held: the pool read them
    # (waited for, not looked at once: a pooled connection may still be opening)
    beyond = await finished(reads, 2)
    assert [read.result() for read in beyond] == ["pool", "pool"]
    assert len(set(held.backends)) == KEPT_READERS  # each read on a connection of its own
    assert store.kept_readers.in_use == KEPT_READERS
    held.release.set()
    assert sorted(await asyncio.gather(*reads)) == ["kept"] * KEPT_READERS + ["pool"] * 2
    assert store.kept_readers.connects == KEPT_READERS
    # kept, and the next read takes one already open rather than opening another
    first = store.kept_readers.members[0].connection
    assert first is not None
    assert await store.run_read(through_the_pool, on_asyncpg=held.on_asyncpg) == "kept"
    assert held.backends[-1] == first.get_server_pid()
    assert store.kept_readers.connects == KEPT_READERS


async def test_a_read_that_fails_on_the_kept_connection_is_read_again_through_the_pool(
    store: Store, monkeypatch: pytest.MonkeyPatch
):
    case, (debtor, *_) = await saved_case(store)
    first = await lookup(store, case, [debtor])
    read = pg_driver._ONE_PARTY.read

    async def dropped(conn: Any, params: Any) -> Any:
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # the link drops
        return await read(conn, params)

    monkeypatch.setattr(pg_driver._ONE_PARTY, "read", dropped)
    assert await lookup(store, case, [debtor]) == first  # read again, through the pool
    assert store.kept_readers.members[0].connection is None  # the dropped link is not kept
    monkeypatch.undo()
    assert await lookup(store, case, [debtor]) == first
    assert store.kept_readers.connects == 2


async def test_a_reader_that_cannot_be_opened_leaves_the_reads_to_the_pool_for_a_while(
    store: Store, monkeypatch: pytest.MonkeyPatch
):
    """A server at its limit of connections refuses a new one and still serves the pool's: the
    lookup reads through the pool, and the next ones do not try to open one again at once."""
    case, (debtor, *_) = await saved_case(store)
    attempts: list[int] = []

    async def refused(self: AsyncEngine) -> Any:
        attempts.append(1)
        raise asyncpg.TooManyConnectionsError("sorry, too many clients already")

    monkeypatch.setattr(AsyncEngine, "raw_connection", refused)
    found = await lookup(store, case, [debtor])
    assert found is not None
    assert [p.subject.key for p in found.parties] == [debtor.key]
    assert await lookup(store, case, [debtor]) == found
    assert len(attempts) == 1  # within RETRY_OPEN_S: straight to the pool
    assert store.kept_readers.connects == 0
    monkeypatch.undo()
    monkeypatch.setattr(kept, "RETRY_OPEN_S", 0.0)
    assert await lookup(store, case, [debtor]) == found
    assert store.kept_readers.connects == 1  # tried again, and kept


async def test_while_one_cannot_be_opened_the_open_ones_still_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
):
    """One kept connection open, the server refusing more: a read that finds it busy tries to
    open another once, then reads through the pool; the open one goes on reading, and reads
    that find it busy go to the pool without trying to open one again for a while."""
    free = HeldReads()
    free.release.set()
    assert await store.run_read(through_the_pool, on_asyncpg=free.on_asyncpg) == "kept"
    assert store.kept_readers.connects == 1
    attempts: list[int] = []

    async def refused(self: AsyncEngine) -> Any:
        attempts.append(1)
        raise asyncpg.TooManyConnectionsError("sorry, too many clients already")

    monkeypatch.setattr(AsyncEngine, "raw_connection", refused)
    for _ in range(2):  # the second round: within RETRY_OPEN_S of the refusal
        held = HeldReads()
        busy = asyncio.create_task(store.run_read(through_the_pool, on_asyncpg=held.on_asyncpg))
        await held.until(1)  # the open one, busy
        assert await store.run_read(through_the_pool, on_asyncpg=held.on_asyncpg) == "pool"
        assert len(attempts) == 1  # the second round did not try again
        held.release.set()
        assert await busy == "kept"
    assert store.kept_readers.connects == 1
