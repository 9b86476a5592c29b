"""``Store.run_sqlite3``: a transaction on the writer thread's own sqlite3 connection, kept open
between transactions, committed when the work returns and rolled back when it raises."""

from __future__ import annotations

import sqlite3
import threading
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
