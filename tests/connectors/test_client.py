"""The three ways a read is sent (``connectors.wire``, the gateway's own; ``connectors.client``:
straight on aiohttp, through httpx), against a raw socket server that does what an agency's
server might: answer too much, redirect, drop the connection, never answer, compress. Every way
must give the same ``Answer`` or the same ``ConnectorError``."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from connectors import client as client_module
from connectors.client import AiohttpReads, HttpxReads, ReadClient
from connectors.errors import (
    MalformedResponseError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from connectors.wire import WireReads
from tests.connectors.raw_http import read_request, response

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
BODY = json.dumps({"requestId": "r1", "agency": "bank", "results": []}).encode()


class Server:
    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.handler: Handler | None = None
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            self.requests.append(await read_request(reader))
            assert self.handler is not None
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    listening = await asyncio.start_server(srv._serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    srv.url = f"http://127.0.0.1:{port}/v1/inquiries"
    async with listening:
        yield srv
        listening.close()


@pytest.fixture(params=["wire", "aiohttp", "httpx"])
async def reads(request: pytest.FixtureRequest) -> AsyncIterator[ReadClient]:
    # a short read timeout on each, so "never answers" is quick
    if request.param == "wire":
        wire = WireReads(connect_timeout_s=2.0, read_timeout_s=0.3)
        yield wire
        await wire.close()
    elif request.param == "aiohttp":
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=2.0, sock_read=0.3)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            yield AiohttpReads(session)
    else:
        async with httpx.AsyncClient(
            transport=AiohttpTransport(), timeout=httpx.Timeout(2.0, read=0.3)
        ) as client:
            yield HttpxReads(client)


async def post(reads: ReadClient, server: Server) -> client_module.Answer:
    return await reads.post("bank", server.url, b'{"q": 1}', {"Content-Type": "application/json"})


async def test_an_answer_is_read_whole_with_its_headers(reads: ReadClient, server: Server):
    async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response("429 Too Many Requests", BODY, "Retry-After: 3"))
        await writer.drain()

    server.handler = answer
    got = await post(reads, server)
    assert (got.status_code, got.content) == (429, BODY)
    assert got.headers.get("retry-after") == "3"  # names without regard to case
    assert server.requests[0].endswith(b'{"q": 1}')


async def test_a_compressed_answer_is_decompressed(reads: ReadClient, server: Server):
    async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response("200 OK", gzip.compress(BODY), "Content-Encoding: gzip"))
        await writer.drain()

    server.handler = answer
    assert (await post(reads, server)).content == BODY


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_an_oversized_answer_is_malformed(
    reads: ReadClient, server: Server, monkeypatch: pytest.MonkeyPatch, framing: str
):
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 1000)
    big = b"x" * 5000

    async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if framing == "length":
            writer.write(response("200 OK", big))
        else:
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunks = b"".join(
                b"%x\r\n%s\r\n" % (500, big[i : i + 500]) for i in range(0, 5000, 500)
            )
            writer.write(head + chunks + b"0\r\n\r\n")
        await writer.drain()

    server.handler = answer
    with pytest.raises(MalformedResponseError, match="oversized"):
        await post(reads, server)


async def test_a_redirect_is_not_followed(reads: ReadClient, server: Server):
    async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response("307 Temporary Redirect", b"", f"Location: {server.url}?again=1"))
        await writer.drain()

    server.handler = answer
    got = await post(reads, server)
    assert got.status_code == 307
    assert len(server.requests) == 1
    from connectors.transport import check_status

    # the agency's address has moved: not a refusal of this request, a URL to set right
    with pytest.raises(MalformedResponseError, match=r"redirect.*HTTP 307"):
        check_status("bank", got)


async def test_a_connection_dropped_after_the_request_is_unavailable(
    reads: ReadClient, server: Server
):
    async def drop(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server.handler = drop
    with pytest.raises(SourceUnavailableError):
        await post(reads, server)


async def test_an_answer_cut_short_is_unavailable(reads: ReadClient, server: Server):
    async def cut(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        whole = response("200 OK", BODY)
        writer.write(whole[: len(whole) - 10])
        await writer.drain()

    server.handler = cut
    with pytest.raises(SourceUnavailableError):
        await post(reads, server)


async def test_an_agency_that_never_answers_is_a_timeout(reads: ReadClient, server: Server):
    async def hang(reader: asyncio.StreamReader, _w: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes

    server.handler = hang
    with pytest.raises(SourceTimeoutError):
        await asyncio.wait_for(post(reads, server), 10)


async def test_a_refused_connection_is_unavailable(reads: ReadClient):
    listening = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    with pytest.raises(SourceUnavailableError):
        await reads.post("bank", f"http://127.0.0.1:{port}/v1/inquiries", b"{}", {})
