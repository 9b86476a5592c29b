"""Scratch databases for the storage tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL tests get a database of their own (``chakong_test_<random>``, created through the
``postgres`` maintenance database and dropped afterwards), so parallel runs never share tables.
They are skipped, with the reason, when nothing listens on 127.0.0.1:5432.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.store import configure_sqlite
from gateway.store.migrate import upgrade

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_MAINTENANCE = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"

# parametrise a fixture with these: the PostgreSQL case carries the ``postgres`` marker
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.asynccontextmanager
async def scratch_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'chakong.db'}"
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not running at {PG_HOST}:{PG_PORT} (.ci/run starts it)")
    name = f"chakong_test_{uuid.uuid4().hex[:16]}"
    await _maintenance(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        await _maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _maintenance(statement: str) -> None:
    # CREATE / DROP DATABASE cannot run in a transaction
    admin = create_async_engine(PG_MAINTENANCE, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await admin.dispose()


def open_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    configure_sqlite(engine)
    return engine


@contextlib.asynccontextmanager
async def migrated_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a scratch database of ``backend`` with the schema at head."""
    async with scratch_database(backend, tmp_path) as url:
        engine = open_engine(url)
        try:
            await upgrade(engine)
            yield engine
        finally:
            await engine.dispose()
