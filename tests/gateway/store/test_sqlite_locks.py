"""A cancelled request never leaves SQLite's write lock behind.

A request cancelled between a statement's execution and the fetch of its rows makes the driver
close a connection whose statement is unfinished; Python's ``close()`` then leaves a "zombie"
that keeps its transaction, write lock included, until the garbage collector finds the statement.
The next writer (the gateway after a restart in the same process, or ``chakong reconcile`` beside
it) then failed with "database is locked". The engine's connections roll back before they close.
"""

from __future__ import annotations

import asyncio
import gc
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.store import SQLiteConnection, open_engine
from gateway.store.unit import Store


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "locks.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
    setup.executemany("INSERT INTO counter VALUES (?, 0)", [(1,), (2,), (3,)])
    setup.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, v INTEGER)")
    setup.commit()
    setup.close()
    return path


@pytest.fixture
def no_collector() -> Iterator[None]:
    """The collector off, so that a leaked lock is not freed by chance before it is looked for."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def another_writer_can_write(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.mark.parametrize("factory", [sqlite3.Connection, SQLiteConnection])
def test_closing_with_an_unfinished_statement(
    database: Path, no_collector: None, factory: type[sqlite3.Connection]
):
    connection: sqlite3.Connection = sqlite3.connect(database, factory=factory)
    connection.execute("UPDATE counter SET n = n + 1")
    unfinished = connection.execute("SELECT n FROM counter")
    unfinished.fetchone()
    connection.close()
    # Python's own connection is the counter-example: the lock outlives close()
    assert another_writer_can_write(database) is (factory is SQLiteConnection)
    del unfinished


async def test_units_cancelled_mid_write_leave_no_lock(database: Path, no_collector: None):
    async def write(store: Store, i: int) -> None:
        while True:
            async with store.begin() as unit:
                run = unit.connection.execute
                await run(sa.text("UPDATE counter SET n = n + 1 WHERE id = :id"), {"id": i % 3 + 1})
                await run(sa.text("SELECT n FROM counter"))
                await run(sa.text("INSERT INTO entries (v) VALUES (:v)"), {"v": i})
                await run(sa.text("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n"))

    rng = random.Random(7)
    for trial in range(12):
        engine = open_engine(f"sqlite+aiosqlite:///{database}")
        store = Store(engine)
        writers = [asyncio.ensure_future(write(store, i)) for i in range(20)]
        await asyncio.sleep(rng.uniform(0.01, 0.08))
        for writer in writers:
            writer.cancel()
        await asyncio.gather(*writers, return_exceptions=True)
        await engine.dispose()
        # stop at the first leak: the next trial's writers would wait out the busy timeout
        assert another_writer_can_write(database), f"locked after trial {trial}"
