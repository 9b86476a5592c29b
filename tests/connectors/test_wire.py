"""What the gateway's own HTTP/1.1 client (``connectors.wire``) does beyond one request and one
answer, which ``test_client.py`` checks for every way: keep-alive and the pool, a connection the
agency closed, a cancelled call, the connection limit, answers framed by the stream's end, TLS.

The server here is a raw socket server that records which connection each request came on."""

from __future__ import annotations

import asyncio
import ssl
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors.errors import MalformedResponseError, SourceUnavailableError
from connectors.wire import WireReads
from tests.certificates import self_signed
from tests.connectors.raw_http import read_request, response

BODY = b'{"requestId": "r1", "agency": "bank", "results": []}'

# (the connection's number, the request's number on it, the reader, the writer) -> keep going?
Script = Callable[[int, int, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


async def settles(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` holds within 5 s (the server sees a close a few loop turns later)."""
    for _ in range(500):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return False


async def keep_answering(
    _c: int, _n: int, _r: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    writer.write(response("200 OK", BODY))
    await writer.drain()
    return True


@dataclass
class Server:
    url: str = ""
    script: Script = keep_answering
    requests: list[tuple[int, bytes]] = field(default_factory=list)  # (connection, request)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            for count in range(1_000):
                self.requests.append((number, await read_request(reader)))
                if not await self.script(number, count, reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    listening = await asyncio.start_server(srv.serve, "127.0.0.1", 0)
    srv.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}/v1/inquiries"
    async with listening:
        yield srv


@pytest.fixture
async def wire() -> AsyncIterator[WireReads]:
    reads = WireReads(connect_timeout_s=2.0, read_timeout_s=2.0)
    yield reads
    await reads.close()


async def post(wire: WireReads, server: Server) -> bytes:
    got = await wire.post("bank", server.url, b'{"q": 1}', {"Content-Type": "application/json"})
    assert got.status_code == 200
    return got.content


async def test_the_request_is_sent_as_written(wire: WireReads, server: Server):
    await wire.post("bank", server.url + "?x=1", b'{"q": 1}', {"Authorization": "Bearer t"})
    head, _, body = server.requests[0][1].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    port = server.url.split(":")[2].split("/")[0]
    assert lines[0] == "POST /v1/inquiries?x=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}" in lines
    assert "Authorization: Bearer t" in lines
    assert "Content-Length: 8" in lines
    assert body == b'{"q": 1}'


async def test_calls_one_after_another_share_one_connection(wire: WireReads, server: Server):
    for _ in range(3):
        assert await post(wire, server) == BODY
    assert [number for number, _ in server.requests] == [1, 1, 1]


async def test_a_connection_the_agency_closed_while_idle_is_not_used(
    wire: WireReads, server: Server
):
    async def once(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(
            response("200 OK", BODY)
        )  # keep-alive by HTTP/1.1's default, then closed all the same
        await w.drain()
        return False

    server.script = once
    assert await post(wire, server) == BODY
    await asyncio.sleep(0.05)  # the close arrives while the connection is idle
    assert await post(wire, server) == BODY
    assert [number for number, _ in server.requests] == [1, 2]


async def test_a_reused_connection_dropped_before_answering_is_tried_once_more_anew(
    wire: WireReads, server: Server
):
    async def first_only(
        connection: int, count: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        if connection == 1 and count == 1:
            return False  # read the second request, then close without a byte of answer
        w.write(response("200 OK", BODY))
        await w.drain()
        return True

    server.script = first_only
    assert await post(wire, server) == BODY
    assert await post(wire, server) == BODY
    assert [number for number, _ in server.requests] == [1, 1, 2]


async def test_a_new_connection_dropped_before_answering_is_not_tried_again(
    wire: WireReads, server: Server
):
    async def drop(_c: int, _n: int, _r: asyncio.StreamReader, _w: asyncio.StreamWriter) -> bool:
        return False

    server.script = drop
    with pytest.raises(SourceUnavailableError, match="dropped"):
        await post(wire, server)
    assert len(server.requests) == 1


async def test_an_answer_that_says_close_closes_its_connection(wire: WireReads, server: Server):
    async def close(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(response("200 OK", BODY, "Connection: close"))
        await w.drain()
        return True  # the server would go on: the client must not

    server.script = close
    await post(wire, server)
    await post(wire, server)
    assert [number for number, _ in server.requests] == [1, 2]


async def test_an_answer_ended_by_the_stream_is_read_whole_and_not_reused(
    wire: WireReads, server: Server
):
    async def until_close(
        _c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + BODY)
        await w.drain()
        return False

    server.script = until_close
    assert await post(wire, server) == BODY
    assert await post(wire, server) == BODY
    assert [number for number, _ in server.requests] == [1, 2]


async def test_a_cancelled_call_closes_its_connection(wire: WireReads, server: Server):
    async def slow_then_quick(
        connection: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        whole = response("200 OK", BODY)
        if connection == 1:
            w.write(whole[:20])  # half an answer, then nothing
            await w.drain()
            await asyncio.sleep(5)
        w.write(whole)
        await w.drain()
        return True

    server.script = slow_then_quick
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await post(wire, server)
    # the next call does not read the rest of the first answer: it has a connection of its own
    assert await post(wire, server) == BODY
    assert [number for number, _ in server.requests] == [1, 2]


async def test_an_idle_connection_past_its_keep_alive_is_not_used(server: Server):
    wire = WireReads(keepalive_s=0.0)
    try:
        await post(wire, server)
        await post(wire, server)
    finally:
        await wire.close()
    assert [number for number, _ in server.requests] == [1, 2]


async def test_no_more_connections_than_the_limit(server: Server):
    async def slow(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.05)
        w.write(response("200 OK", BODY))
        await w.drain()
        return True

    server.script = slow
    wire = WireReads(limit=2)
    try:
        answers = await asyncio.gather(*(post(wire, server) for _ in range(6)))
    finally:
        await wire.close()
    assert answers == [BODY] * 6
    assert server.connections == 2
    assert server.most_open == 2


async def test_bytes_that_are_not_http_are_unavailable(wire: WireReads, server: Server):
    async def garbage(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(b"SMTP READY\r\n\r\n")
        await w.drain()
        return True

    server.script = garbage
    with pytest.raises(SourceUnavailableError, match="not HTTP"):
        await post(wire, server)


async def test_a_deflated_answer_is_inflated_and_an_unknown_coding_is_refused(
    wire: WireReads, server: Server
):
    coding = "deflate"

    async def coded(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        body = zlib.compress(BODY) if coding == "deflate" else BODY
        w.write(response("200 OK", body, f"Content-Encoding: {coding}"))
        await w.drain()
        return True

    server.script = coded
    assert await post(wire, server) == BODY
    coding = "br"
    with pytest.raises(SourceUnavailableError, match="content coding"):
        await post(wire, server)


async def test_a_compressed_answer_over_the_cap_once_inflated_is_malformed(
    wire: WireReads, server: Server, monkeypatch: pytest.MonkeyPatch
):
    from connectors import client

    monkeypatch.setattr(client, "MAX_BODY_BYTES", 1000)

    async def bomb(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(response("200 OK", zlib.compress(b" " * 100_000), "Content-Encoding: deflate"))
        await w.drain()
        return True

    server.script = bomb
    with pytest.raises(MalformedResponseError, match="oversized"):
        await post(wire, server)


async def test_https_checks_the_agency_certificate(tmp_path: Path):
    cert, key = self_signed(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    srv = Server()
    listening = await asyncio.start_server(srv.serve, "127.0.0.1", 0, ssl=server_side)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        srv.url = f"https://localhost:{port}/v1/inquiries"
        trusting = WireReads(ssl_context=ssl.create_default_context(cafile=str(cert)))
        untrusting = WireReads()  # the system's trust store does not know the certificate
        try:
            assert await post(trusting, srv) == BODY
            assert await post(trusting, srv) == BODY
            with pytest.raises(SourceUnavailableError, match="TLS handshake"):
                await post(untrusting, srv)
        finally:
            await trusting.close()
            await untrusting.close()
    assert [number for number, _ in srv.requests] == [1, 1]


async def test_the_read_timeout_is_a_silence_not_the_whole_answer(server: Server):
    async def drip(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        whole = response("200 OK", BODY)
        step = len(whole) // 8 + 1
        for start in range(0, len(whole), step):  # 8 parts 0.1 s apart: 0.7 s in all
            w.write(whole[start : start + step])
            await w.drain()
            await asyncio.sleep(0.1)
        return True

    server.script = drip
    wire = WireReads(read_timeout_s=0.4)
    try:
        assert await post(wire, server) == BODY
    finally:
        await wire.close()


async def test_endless_headers_are_not_http(wire: WireReads, server: Server):
    async def endless(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(2_000):
            w.write(b"X-Padding-%d: %s\r\n" % (i, b"x" * 100))
        await w.drain()
        return True

    server.script = endless
    with pytest.raises(SourceUnavailableError, match="not HTTP"):
        await post(wire, server)


async def test_expired_idle_connections_are_closed_when_one_comes_back(
    server: Server, monkeypatch: pytest.MonkeyPatch
):
    from connectors import wire as wire_module

    clock = [1000.0]
    monkeypatch.setattr(wire_module, "_now", lambda: clock[0])
    started = asyncio.Event()

    async def together(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        if not started.is_set():
            await asyncio.sleep(0.05)  # the first three calls overlap: three connections
        w.write(response("200 OK", BODY))
        await w.drain()
        return True

    server.script = together
    wire = WireReads(keepalive_s=10.0)
    try:
        await asyncio.gather(*(post(wire, server) for _ in range(3)))
        started.set()
        clock[0] += 6  # the last connection back is used again, the other two wait
        await post(wire, server)
        clock[0] += 6  # those two have waited 12 s: closed when the one in use comes back
        await post(wire, server)
        assert await settles(lambda: server.open_now == 1)
    finally:
        await wire.close()
    assert server.connections == 3
    assert [number for number, _ in server.requests][3:] == [3, 3]
    assert await settles(lambda: server.open_now == 0)  # the last closed with the pool


async def test_a_header_cannot_write_another(wire: WireReads, server: Server):
    with pytest.raises(ValueError, match="line break"):
        await wire.post("bank", server.url, b"{}", {"X-Request-Id": "r1\r\nX-Evil: 1"})
    assert server.requests == []


async def test_an_idle_connection_keeps_no_answer(wire: WireReads, server: Server):
    big = b"x" * (4 * 1024 * 1024)

    async def large(_c: int, _n: int, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(response("200 OK", big))
        await w.drain()
        return True

    server.script = large
    await post(wire, server)  # the connection opened, and the pool's own allocations made
    tracemalloc.start()
    try:
        content = await post(wire, server)  # on the same connection, back in the pool after it
        assert len(content) == len(big)
        del content
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the answer's bytes went with the caller's last reference: the idle connection holds none
    assert held < len(big) // 8
    assert [number for number, _ in server.requests] == [1, 1]
