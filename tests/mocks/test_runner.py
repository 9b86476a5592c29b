"""Real sockets: hang and reset as a client sees them, bounded shutdown, several servers."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from mocks.faults import FaultConfig
from mocks.registry import MOCK_AGENCIES
from mocks.runner import AppServer, MockServers
from mocks.server import create_mock_app
from mocks.synthetic import Tier
from tests.mocks.helpers import AUTH, TOKEN, inquiry, subject

DID_NOT_HANG_S = 10.0  # generous: only there to fail a test that would otherwise hang


async def test_app_server_serves_any_asgi_app_on_an_ephemeral_port() -> None:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("你好")

    server = AppServer(Starlette(routes=[Route("/", hello)]))
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    async with server:
        assert server.port > 0
        assert server.running
        assert server.url == f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient() as client:
            assert (await client.get(server.url)).text == "你好"
        with pytest.raises(RuntimeError, match="already started"):
            await server.start()
    assert not server.running
    await server.stop()  # stopping twice is harmless


async def test_a_failing_startup_is_an_error_not_an_exit() -> None:
    @contextlib.asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise OSError("the database is not there")
        yield

    async with AppServer(Starlette()) as bystander:  # another server in the same loop
        server = AppServer(Starlette(lifespan=broken))
        with pytest.raises(RuntimeError, match="failed to start"):
            await server.start()
        assert not server.running
        async with httpx.AsyncClient() as client:
            assert (await client.get(bystander.url)).status_code == 404


async def test_servers_leave_the_signal_handlers_alone() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    async with MockServers(["police", "land"], token=TOKEN):
        assert {sig: signal.getsignal(sig) for sig in before} == before
    assert {sig: signal.getsignal(sig) for sig in before} == before


@pytest.mark.parametrize("how", ["header", "config"])
async def test_hang_never_answers_and_lets_the_server_stop(how: str) -> None:
    faults = FaultConfig(hang_rate=1.0) if how == "config" else None
    headers = {**AUTH, "X-Mock-Fault": "hang"} if how == "header" else AUTH
    app = create_mock_app("bank", token=TOKEN, faults=faults)
    # a long shutdown grace: stop() is quick only if the hanging request saw its client leave
    server = AppServer(app, shutdown_timeout=30)
    await server.start()
    try:
        async with httpx.AsyncClient(timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(server.url + "/v1/inquiries", json=inquiry(), headers=headers)
    finally:
        started = time.monotonic()
        await server.stop()
    assert time.monotonic() - started < DID_NOT_HANG_S
    assert app.state.mock.stats.inquiries == 1


async def test_hang_with_asyncio_timeout_on_the_caller_side() -> None:
    async with (
        AppServer(create_mock_app("land", token=TOKEN)) as server,
        httpx.AsyncClient(timeout=DID_NOT_HANG_S) as client,
    ):
        headers = {**AUTH, "X-Mock-Fault": "hang"}
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await client.post(server.url + "/v1/inquiries", json=inquiry(), headers=headers)


async def test_stop_is_bounded_while_a_client_waits_on_a_hung_request() -> None:
    server = AppServer(create_mock_app("land", token=TOKEN), shutdown_timeout=0.5)
    await server.start()
    async with httpx.AsyncClient(timeout=DID_NOT_HANG_S) as client:
        headers = {**AUTH, "X-Mock-Fault": "hang"}
        waiting = asyncio.create_task(
            client.post(server.url + "/v1/inquiries", json=inquiry(), headers=headers)
        )
        await asyncio.sleep(0.2)  # the request has reached the mock
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < DID_NOT_HANG_S
        # the waiting client is answered or cut off, but not left hanging
        async with asyncio.timeout(DID_NOT_HANG_S):
            try:
                response = await waiting
            except httpx.TransportError:
                pass
            else:
                assert response.status_code >= 500


async def test_stop_lets_a_request_in_flight_finish_its_answer_then_refuses_new_ones() -> None:
    """The server stops at once when told (no tick to wait for), but gracefully: a request
    already running gets its whole answer, and the app's lifespan shutdown runs after it."""
    arrived, release = asyncio.Event(), asyncio.Event()
    shut_down: list[str] = []

    async def slow(request: Request) -> PlainTextResponse:
        arrived.set()
        await release.wait()
        return PlainTextResponse("答复 / answer")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        shut_down.append("after the answer" if release.is_set() else "before the answer")

    server = AppServer(Starlette(routes=[Route("/", slow)], lifespan=lifespan))
    await server.start()
    url = server.url
    async with httpx.AsyncClient(timeout=DID_NOT_HANG_S) as client:
        answer = asyncio.create_task(client.get(url))
        await arrived.wait()
        stopping = asyncio.create_task(server.stop())
        await asyncio.sleep(0.05)
        assert not stopping.done()  # waiting for the request in flight
        release.set()
        async with asyncio.timeout(DID_NOT_HANG_S):
            response = await answer
            await stopping
        assert (response.status_code, response.text) == (200, "答复 / answer")
        assert shut_down == ["after the answer"]
        assert not server.running
        with pytest.raises(httpx.ConnectError):
            await client.get(url)


@pytest.mark.parametrize("how", ["header", "config"])
async def test_reset_drops_the_connection_mid_answer(how: str) -> None:
    faults = FaultConfig(reset_rate=1.0) if how == "config" else None
    headers = {**AUTH, "X-Mock-Fault": "reset"} if how == "header" else AUTH
    app = create_mock_app("police", token=TOKEN, faults=faults)
    async with AppServer(app) as server, httpx.AsyncClient(timeout=5) as client:
        url = server.url + "/v1/inquiries"
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
            await client.post(url, json=inquiry(), headers=headers)
        # the server lives on: the next request, on a new connection, is answered
        app.state.mock.faults = FaultConfig()
        assert (await client.post(url, json=inquiry(), headers=AUTH)).status_code == 200
    assert app.state.mock.stats.inquiries == 2


async def test_reset_through_the_gateways_aiohttp_transport_is_a_read_error() -> None:
    app = create_mock_app("police", token=TOKEN)
    async with (
        AppServer(app) as server,
        httpx.AsyncClient(transport=AiohttpTransport(), timeout=5) as client,
    ):
        headers = {**AUTH, "X-Mock-Fault": "reset"}
        with pytest.raises(httpx.ReadError):
            await client.post(server.url + "/v1/inquiries", json=inquiry(), headers=headers)
        assert (
            await client.post(server.url + "/v1/inquiries", json=inquiry(), headers=AUTH)
        ).status_code == 200


async def test_one_agency_down_does_not_affect_the_others() -> None:
    registered = list(MOCK_AGENCIES)
    down, slow = registered[0], registered[-1]
    tokens = {agency: f"{TOKEN}-{agency}" for agency in registered}
    async with MockServers(token=tokens, faults={slow: FaultConfig(latency_ms=1)}) as mocks:
        assert set(mocks.urls) == set(registered)  # by default, every registered agency
        assert len(set(mocks.urls.values())) == len(registered)
        for agency in registered:
            expected = FaultConfig(latency_ms=1) if agency is slow else FaultConfig()
            assert mocks.apps[agency].state.mock.faults == expected
        down_url = mocks.urls[down]
        await mocks.stop(down)
        async with httpx.AsyncClient(timeout=5) as client:
            with pytest.raises(httpx.ConnectError):
                await client.post(down_url + "/v1/inquiries", json=inquiry())
            for agency in registered[1:]:
                kind = sorted(MOCK_AGENCIES[agency].subject_kinds)[0]
                body = inquiry(subject(kind, Tier.RICH))
                auth = {"Authorization": f"Bearer {tokens[agency]}"}
                url = mocks.urls[agency] + "/v1/inquiries"
                response = await client.post(url, json=body, headers=auth)
                assert response.status_code == 200
                assert response.json()["agency"] == agency
                assert response.json()["results"][0]["status"] == "found"
                # each mock keeps its own token
                other = tokens[down]
                refused = await client.post(
                    url, json=body, headers={"Authorization": f"Bearer {other}"}
                )
                assert refused.status_code == 401


async def test_stopping_a_mock_ends_its_hung_requests_with_a_503() -> None:
    async with MockServers(["bank"], token=TOKEN) as mocks:
        url = mocks.urls["bank"] + "/v1/inquiries"
        async with httpx.AsyncClient(timeout=DID_NOT_HANG_S) as client:
            headers = {**AUTH, "X-Mock-Fault": "hang"}
            waiting = asyncio.create_task(client.post(url, json=inquiry(), headers=headers))
            await asyncio.sleep(0.2)  # the request has reached the mock
            await mocks.stop("bank")
            response = await waiting
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_mock_servers_seed_each_agency_differently_and_reproducibly() -> None:
    def seeds(seed: int | None) -> list[int | None]:
        mocks = MockServers(token=TOKEN, fault_seed=seed)
        return [mocks.apps[agency].state.mock.fault_seed for agency in mocks.agencies]

    assert len(seeds(1)) == len(MOCK_AGENCIES)
    assert seeds(1) == seeds(1)
    assert len(set(seeds(1))) == len(MOCK_AGENCIES)
    assert seeds(1) != seeds(2)
    assert seeds(None) == [None] * len(MOCK_AGENCIES)


def test_mock_servers_refuse_an_agency_named_twice() -> None:
    with pytest.raises(ValueError, match=r"duplicate agency: bank$") as refused:
        MockServers(["bank", "police", "Bank"], token=TOKEN)
    assert "单位重复" in str(refused.value)
