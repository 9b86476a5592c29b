"""Fixtures for the HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.gateway.http.helpers import JUDGE, asgi_client, make_view


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A judge's client: the rules of the protocol, past authentication."""
    async with asgi_client(make_view(JUDGE)) as c:
        yield c
