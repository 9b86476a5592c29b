"""``Store.run_sqlite3``: a transaction on the writer thread's own sqlite3 connection, kept open
between transactions, committed when the work returns and rolled back when it raises; a small
write (``inline``) on the event loop's own writer connection, where it need not wait."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store import open_direct_engine
from gateway.store.unit import Store
from tests.gateway.store.databases import migrated_engine


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with migrated_engine("sqlite", tmp_path) as engine:
        store = Store(engine, open_direct_engine(_url(engine)))
        try:
            yield store
        finally:
            store.close()


def _url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _rows(path: str) -> list[tuple[int]]:
    with sqlite3.connect(path) as other:
        return other.execute("SELECT x FROM scratch ORDER BY x").fetchall()


async def test_work_commits_on_one_connection_kept_by_the_writer_thread(store: Store):
    seen: list[tuple[str, int, bool]] = []

    def insert(value: int):
        def work(conn: sqlite3.Connection) -> int:
            seen.append((threading.current_thread().name, id(conn), conn.in_transaction))
            if value == 1:
                conn.execute("CREATE TABLE scratch (x INTEGER NOT NULL)")
            conn.execute("INSERT INTO scratch VALUES (?)", (value,))
            return value

        return work

    assert [await store.run_sqlite3(insert(n)) for n in (1, 2, 3)] == [1, 2, 3]
    path = store.direct.url.database if store.direct else ""
    assert _rows(str(path)) == [(1,), (2,), (3,)]  # committed: another connection sees them
    threads, connections, in_transaction = zip(*seen, strict=True)
    assert all(name.startswith("store-writer") for name in threads)
    assert len(set(connections)) == 1  # the same connection every time
    assert all(in_transaction)  # inside BEGIN IMMEDIATE


async def test_work_that_raises_is_rolled_back_and_the_connection_goes_on(store: Store):
    def create(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE scratch (x INTEGER NOT NULL)")

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO scratch VALUES (7)")
        conn.execute("INSERT INTO scratch VALUES (NULL)")  # NOT NULL: the statement fails

    await store.run_sqlite3(create)
    with pytest.raises(sqlite3.IntegrityError):
        await store.run_sqlite3(insert_then_fail)

    class BoomError(Exception):
        pass

    def insert_then_raise(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO scratch VALUES (8)")
        raise BoomError

    with pytest.raises(BoomError):
        await store.run_sqlite3(insert_then_raise)
    await store.run_sqlite3(lambda conn: conn.execute("INSERT INTO scratch VALUES (9)"))
    path = store.direct.url.database if store.direct else ""
    assert _rows(str(path)) == [(9,)]  # neither failed transaction left a row


async def test_the_connection_has_the_gateways_pragmas_and_is_closed_with_the_store(
    tmp_path: Path,
):
    async with migrated_engine("sqlite", tmp_path) as engine:
        store = Store(engine, open_direct_engine(_url(engine)))
        kept: list[sqlite3.Connection] = []

        def pragmas(conn: sqlite3.Connection) -> tuple[object, ...]:
            kept.append(conn)
            return tuple(
                conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            )

        try:
            # WAL, NORMAL (1), foreign keys on, and the engines' busy timeout in ms
            assert await store.run_sqlite3(pragmas) == ("wal", 1, 1, 30000)
        finally:
            store.close()
        with pytest.raises(sqlite3.ProgrammingError):  # closed
            kept[0].execute("SELECT 1")


async def _create_scratch(store: Store) -> str:
    await store.run_sqlite3(lambda conn: conn.execute("CREATE TABLE scratch (x INTEGER NOT NULL)"))
    return str(store.direct.url.database if store.direct else "")


def _insert(value: int, seen: list[str] | None = None):
    def work(conn: sqlite3.Connection) -> int:
        if seen is not None:
            seen.append(threading.current_thread().name)
        conn.execute("INSERT INTO scratch VALUES (?)", (value,))
        return value

    return work


async def test_a_small_write_commits_in_the_loop_and_a_large_one_on_the_writer_thread(
    store: Store,
):
    path = await _create_scratch(store)
    seen: list[str] = []
    assert await store.run_sqlite3(_insert(1, seen), inline=True) == 1
    assert await store.run_sqlite3(_insert(2, seen)) == 2
    assert await store.run_sqlite3(_insert(3, seen), inline=True) == 3
    main = threading.current_thread().name
    assert seen[0] == seen[2] == main
    assert seen[1].startswith("store-writer")
    assert _rows(path) == [(1,), (2,), (3,)]  # committed: another connection sees them


async def test_a_small_write_that_raises_in_the_loop_is_rolled_back(store: Store):
    path = await _create_scratch(store)

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO scratch VALUES (7)")
        conn.execute("INSERT INTO scratch VALUES (NULL)")  # NOT NULL: the statement fails

    with pytest.raises(sqlite3.IntegrityError):
        await store.run_sqlite3(insert_then_fail, inline=True)
    assert await store.run_sqlite3(_insert(9), inline=True) == 9
    assert _rows(path) == [(9,)]


async def test_a_small_write_never_waits_in_the_loop_for_another_process(store: Store):
    """While another connection (another gateway process) holds the file's write lock, a small
    write does not wait in the loop: the writer thread waits for the lock while the loop goes
    on. The other connection lets go only once the loop has gone on ticking (or after 10 s):
    a write waiting in the loop would stop the ticks, then find the lock free and be done
    there. Once the lock is free, the next small write is in the loop again."""
    path = await _create_scratch(store)
    seen: list[str] = []
    ticks = 0
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def let_go_once_the_loop_ticks() -> None:
        deadline = time.monotonic() + 10
        while ticks < 20 and time.monotonic() < deadline:
            time.sleep(0.005)
        holder.execute("COMMIT")

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO scratch VALUES (1)")
    releaser = threading.Thread(target=let_go_once_the_loop_ticks)
    ticking = asyncio.ensure_future(tick())
    try:
        releaser.start()
        assert await asyncio.wait_for(store.run_sqlite3(_insert(2, seen), inline=True), 20) == 2
        assert await store.run_sqlite3(_insert(3, seen), inline=True) == 3
    finally:
        ticking.cancel()
        releaser.join()
        holder.close()
    assert seen[0].startswith("store-writer")  # not in the loop, which went on ticking
    assert seen[1] == threading.current_thread().name
    assert _rows(path) == [(1,), (2,), (3,)]


async def test_the_writer_thread_checkpoints_for_the_loops_writes(tmp_path: Path):
    """The loop's writer connection never checkpoints (that copies the log into the database
    file and syncs it); every ``checkpoint_every`` of its commits the writer thread does, so
    its rows reach the database file itself (read here with the log ignored)."""
    async with migrated_engine("sqlite", tmp_path) as engine:
        store = Store(engine, open_direct_engine(_url(engine)), checkpoint_every=3)
        try:
            path = await _create_scratch(store)
            await asyncio.to_thread(_checkpoint, path)  # the table is in the file
            for value in (1, 2):
                await store.run_sqlite3(_insert(value), inline=True)
            assert store.checkpoints == 0
            assert _file_rows(path) == []  # in the log only
            await store.run_sqlite3(_insert(3), inline=True)
            for _ in range(500):
                if store.checkpoints:
                    break
                await asyncio.sleep(0.01)
            assert store.checkpoints == 1
            assert _file_rows(path) == [(1,), (2,), (3,)]
        finally:
            store.close()


def _checkpoint(path: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _file_rows(path: str) -> list[tuple[int]]:
    """The rows in the database file itself, without the write-ahead log's."""
    uri = Path(path).absolute().as_uri() + "?immutable=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        return conn.execute("SELECT x FROM scratch ORDER BY x").fetchall()
