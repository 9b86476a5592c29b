"""The gateway on its production storage: PostgreSQL and Redis, where they are running."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mocks.runner import MockServers
from tests.conftest import gateway_settings, run_gateway


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.postgres
@pytest.mark.redis
async def test_gateway_is_ready_on_postgresql_and_redis(mocks: MockServers, tmp_path: Path):
    if not reachable(5432):
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432 (.ci/run starts it)")
    if not reachable(6379):
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    settings = gateway_settings(
        mocks,
        tmp_path,
        database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        cache_url="redis://127.0.0.1:6379/0",
    )
    async with run_gateway(settings) as gw:
        ready = (await gw.client.get("/readyz")).json()
        assert ready["checks"] == {"database": "ok", "cache": "ok"}


async def test_readiness_reports_a_database_that_is_down(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(
        mocks, tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db"
    )
    async with run_gateway(settings) as gw:
        response = await gw.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
