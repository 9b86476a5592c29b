"""Who the client is: X-Forwarded-For believed only from the operator's proxies, so rotating it
does not buy a caller a fresh rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from gateway.app import create_app
from gateway.http.clients import TrustedProxies
from gateway.settings import Settings

ME = {"query": "{ me { role } }"}


def scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    return {
        "type": "http",
        "client": None if peer is None else (peer, 5000),
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("proxies", "request_scope", "client"),
    [
        # no proxy trusted: the header is the client's own words
        ([], scope("203.0.113.9", "198.51.100.1"), "203.0.113.9"),
        ([], scope(None, "198.51.100.1"), "unknown"),
        # a peer that is not one of the proxies
        (["10.0.0.0/8"], scope("203.0.113.9", "198.51.100.1"), "203.0.113.9"),
        # through a proxy: the address it received the request from
        (["10.0.0.5"], scope("10.0.0.5", "198.51.100.1"), "198.51.100.1"),
        # what the client wrote to the left of it is ignored: the rightmost untrusted address
        (["10.0.0.5"], scope("10.0.0.5", "1.2.3.4, 198.51.100.1"), "198.51.100.1"),
        (["10.0.0.0/8"], scope("10.0.0.5", "1.2.3.4", "198.51.100.1, 10.0.0.7"), "198.51.100.1"),
        # ports and IPv6 brackets are not part of the address
        (["10.0.0.5"], scope("10.0.0.5", "198.51.100.1:4711"), "198.51.100.1"),
        (["::1"], scope("::1", "[2001:db8::1]:4711"), "2001:db8::1"),
        # proxies all the way: the first hop is the client
        (["10.0.0.0/8"], scope("10.0.0.5", "10.0.0.9, 10.0.0.7"), "10.0.0.9"),
        # a proxy that forwarded nothing is the client
        (["10.0.0.5"], scope("10.0.0.5"), "10.0.0.5"),
    ],
)
def test_the_client_address(proxies: list[str], request_scope: dict[str, Any], client: str):
    assert TrustedProxies(proxies).client(request_scope) == client


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch):
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("CHAKONG_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16,::1")
    assert Settings().trusted_proxies == ["10.0.0.5", "10.1.0.0/16", "::1"]
    monkeypatch.setenv("CHAKONG_TRUSTED_PROXIES", '["10.0.0.5/32"]')
    assert Settings().trusted_proxies == ["10.0.0.5"]
    monkeypatch.setenv("CHAKONG_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValidationError, match="not an IP address or network"):
        Settings()


@asynccontextmanager
async def gateway(tmp_path: Path, peer: str, **settings: Any) -> AsyncIterator[Callable[..., Any]]:
    """The whole gateway in process, every request arriving from ``peer``; tight rate limits."""
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
            demo=True,
            limits={"rate_per_minute": 1, "rate_burst": 3},
            **settings,
        )
    )
    transport = httpx.ASGITransport(app=app, client=(peer, 5000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gateway") as client,
    ):

        async def post(forwarded: str, token: str | None = None, path: str = "/graphql") -> int:
            headers = {"X-Forwarded-For": forwarded}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if path == "/report":
                return (await client.get(path, headers=headers)).status_code
            return (await client.post(path, json=ME, headers=headers)).status_code

        yield post


@pytest.mark.parametrize("token", [None, "forged.token.value"])
async def test_rotating_x_forwarded_for_from_an_untrusted_peer_is_one_caller(tmp_path, token):
    async with gateway(tmp_path, "127.0.0.1") as post:
        statuses = [await post(f"198.51.100.{i}", token) for i in range(10)]
    first = 200 if token is None else 401
    assert statuses == [first] * 3 + [429] * 7


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(tmp_path):
    async with gateway(tmp_path, "10.0.0.5", trusted_proxies=["10.0.0.0/24"]) as post:
        distinct = [await post(f"198.51.100.{i}, 10.0.0.7") for i in range(10)]
        # one client, whatever it writes in front of its proxy's entry
        rotated = [await post(f"192.0.2.{i}, 203.0.113.9") for i in range(5)]
    assert distinct == [200] * 10
    assert rotated == [200] * 3 + [429] * 2


async def test_the_report_believes_the_trusted_proxy_too(tmp_path):
    async with gateway(tmp_path, "10.0.0.5", trusted_proxies=["10.0.0.0/24"]) as post:
        # anonymous: refused, yet each refusal counts against its own client's bucket only
        distinct = [await post(f"198.51.100.{i}", path="/report") for i in range(10)]
    assert 429 not in distinct
    assert set(distinct) == {distinct[0]}
