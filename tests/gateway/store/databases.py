"""Scratch databases for the storage tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL tests get a database of their own (``chakong_test_<random>``, created through the
``postgres`` maintenance database and dropped afterwards), so parallel runs never share tables.
They are skipped, with the reason, when nothing listens on 127.0.0.1:5432. A test that wants the
schema at head gets a copy of a template this process migrated once (``CREATE DATABASE ...
TEMPLATE``, about as fast as an empty database, where migrating each one took as long again);
``drop_template`` removes the template at the end of the session.
"""

from __future__ import annotations

import asyncio
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


def _pg_url(name: str) -> str:
    return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"


PG_MAINTENANCE = _pg_url("postgres")

# parametrise a fixture with these: the PostgreSQL case carries the ``postgres`` marker
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.asynccontextmanager
async def scratch_database(
    backend: str, tmp_path: Path, *, migrated: bool = False
) -> AsyncIterator[str]:
    """The URL of a database of ``backend``, removed afterwards: empty, or with the schema at
    head when ``migrated``."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'chakong.db'}"
        if migrated:
            await _migrate(url)
        yield url
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not running at {PG_HOST}:{PG_PORT} (.ci/run starts it)")
    name = f"chakong_test_{uuid.uuid4().hex[:16]}"
    template = f' TEMPLATE "{await _migrated_template()}"' if migrated else ""
    await _maintenance(f'CREATE DATABASE "{name}"{template}')
    try:
        yield _pg_url(name)
    finally:
        await _drop(name)


_template: str | None = None  # this process's migrated template database, once made


async def _migrated_template() -> str:
    """A PostgreSQL database with the schema at head, made once per process; nothing stays
    connected to it, as a template needs."""
    global _template
    if _template is None:
        name = f"chakong_template_{uuid.uuid4().hex[:16]}"
        await _maintenance(f'CREATE DATABASE "{name}"')
        try:
            await _migrate(_pg_url(name))
        except BaseException:
            await _drop(name)
            raise
        _template = name
    return _template


async def _migrate(url: str) -> None:
    """The schema at head in the database at ``url``, its engine disposed of afterwards."""
    engine = open_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def drop_template() -> None:
    """Remove the template ``scratch_database`` made, if it made one (at the session's end)."""
    global _template
    if _template is not None:
        name, _template = _template, None
        asyncio.run(_drop(name))


async def _drop(name: str) -> None:
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
    async with scratch_database(backend, tmp_path, migrated=True) as url:
        engine = open_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()
