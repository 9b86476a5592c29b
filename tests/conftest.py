"""Shared fixtures: the mock agencies and the gateway, as real HTTP servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from gateway.app import create_app
from gateway.settings import AgencySettings, Settings
from mocks.runner import AppServer, MockServers

MOCK_TOKEN = "test-token-0f3c9a7e51"


@pytest.fixture
async def mocks() -> AsyncIterator[MockServers]:
    async with MockServers(token=MOCK_TOKEN) as servers:
        yield servers


def gateway_settings(mocks: MockServers, tmp_path: Path, **overrides: Any) -> Settings:
    agencies = {
        agency: AgencySettings(
            url=url,
            token=SecretStr(MOCK_TOKEN),
            attempt_timeout_s=1.0,
            backoff_base_s=0.001,
            breaker_failures=50,
        )
        for agency, url in mocks.urls.items()
    }
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "agencies": agencies,
    }
    values.update(overrides)
    return Settings(**values)


class Gateway:
    """A running gateway and a client for it."""

    def __init__(self, server: AppServer, client: httpx.AsyncClient) -> None:
        self.server = server
        self.client = client

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def gateway(mocks: MockServers, tmp_path: Path) -> AsyncIterator[Gateway]:
    async with run_gateway(gateway_settings(mocks, tmp_path)) as gw:
        yield gw


class run_gateway:  # noqa: N801 - used like a function: `async with run_gateway(settings)`
    def __init__(self, settings: Settings) -> None:
        self.server = AppServer(create_app(settings))

    async def __aenter__(self) -> Gateway:
        await self.server.start()
        self.client = httpx.AsyncClient(base_url=self.server.url, timeout=30)
        return Gateway(self.server, self.client)

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.server.stop()
