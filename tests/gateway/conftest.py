"""Fixtures of the gateway's tests: scratch databases, `chakong` processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.gateway.processes import Process
from tests.gateway.store.databases import BACKENDS, migrated_engine


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated scratch database, on SQLite and on PostgreSQL (skipped where it is down)."""
    async with migrated_engine(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """`chakong` processes a test starts; killed at its end if still running."""
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()
