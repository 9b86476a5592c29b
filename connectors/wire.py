"""The read side's own HTTP/1.1 client: ``WireReads``, what ``chakong serve`` sends its
``POST /v1/inquiries`` with.

An inquiry makes nine calls, and on each the client was the largest part of the gateway's own
CPU: aiohttp's request and response objects, its timers, its tracing hooks and its stream
readers cost about twice what the call needs (``python -m bench.agency_calls``). This client
does only what an agency read needs, on asyncio's protocols (uvloop's in the server) and
httptools (the C parser uvicorn already uses):

* one ``write`` per request (head and body), the answer parsed as it arrives, chunked or not;
* keep-alive: a connection goes back to its origin's pool when the answer said it may; an idle
  connection is dropped after ``keepalive_s`` or when the agency closes it. A request on a
  reused connection that the agency had closed meanwhile (the answer ends before its first byte)
  is sent once more on a new connection, as other clients do;
* ``https`` through the default TLS context (the system's trust store), as aiohttp does;
* ``gzip`` and ``deflate`` answers decompressed; no answer larger than ``MAX_BODY_BYTES``, before
  or after decompression;
* no redirect followed, no cookie, no proxy (as the aiohttp session was configured);
* at most ``limit`` calls at once, all origins together, so at most that many connections in
  use; an origin keeps idle the most it had in use, and the expired ones are closed when a
  connection to it comes back;
* a connect timeout, and a read timeout: no byte of the answer for that long (a backstop: the
  fan-out's deadline, kept with ``asyncio.timeout`` around each call, is the real bound). One
  timer per request, moved on only when it fires: a byte that comes costs a clock reading;
* at most ``MAX_HEAD_BYTES`` of status line and headers.

It raises only ``ConnectorError`` subclasses (and ``CancelledError``), with the same classes
and messages as ``connectors.transport`` gives the aiohttp and httpx errors. A call cancelled
midway closes its connection: a half-read answer is never left for the next request.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import httptools

from connectors import client as client_module
from connectors.client import Answer, oversized
from connectors.errors import SourceTimeoutError
from connectors.transport import tls_failed, unavailable

_Origin = tuple[str, str, int]  # scheme, host, port
MAX_HEAD_BYTES = 64 * 1024
_now = time.monotonic  # the pool's clock, for idle connections


class _Headers(dict[str, str]):
    """An answer's headers, keyed in lower case; looked up without regard to case."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


class _DroppedError(Exception):
    """The connection ended before the answer did; ``fresh`` if no byte of it had come."""

    def __init__(self, fresh: bool) -> None:
        super().__init__()
        self.fresh = fresh


class _InvalidAnswerError(Exception):
    """The agency's bytes are not an HTTP/1.1 answer."""


class _OversizedError(Exception):
    """The answer's body passed ``MAX_BODY_BYTES`` while it was read."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection, parsing one answer at a time."""

    def __init__(self, read_timeout_s: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._read_timeout_s = read_timeout_s
        self._last_byte = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self._headers: dict[str, str] = {}
        self._head_size = 0
        self._parts: list[bytes] = []
        self._size = 0
        self._started = False
        self._headers_done = False
        self.complete = False
        self.keep_alive = False
        self.status = 0
        self.too_big = False
        self._framed = False  # a Content-Length or chunked: else the answer ends with the stream

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a stream transport (uvloop's are not subclasses of asyncio.Transport)
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the connection is unusable
            self.close()
            return
        self._started = True
        self._last_byte = self._loop.time()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._settle(_InvalidAnswerError())

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self._waiter is None:
            return
        if self._headers_done and not self._framed and not self.too_big:
            self.complete = True  # read until the stream's end, as HTTP/1.0 answers may be
            self._settle(None)
        else:
            self._settle(_DroppedError(fresh=not self._started))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value)
        if self._head_size > MAX_HEAD_BYTES:
            self._settle(_InvalidAnswerError())
            return
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        known = self._headers.get(key)
        self._headers[key] = text if known is None else f"{known}, {text}"

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self.status = self._parser.get_status_code()
        self._framed = "content-length" in self._headers or "transfer-encoding" in self._headers

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > client_module.MAX_BODY_BYTES:
            self.too_big = True
            self._settle(None)
            return
        self._parts.append(body)

    def on_message_complete(self) -> None:
        self.complete = True
        # the parser tells only now, while the message is its current one
        self.keep_alive = self._parser.should_keep_alive()
        self._settle(None)

    # the request
    def _check_silence(self) -> None:
        """The read timer fired: time out if no byte came for the whole timeout, else wait for
        the rest of it from the last byte."""
        ends = self._last_byte + self._read_timeout_s
        if self._loop.time() >= ends:
            self._settle(TimeoutError())
        else:
            self._timer = self._loop.call_at(ends, self._check_silence)

    def _settle(self, error: Exception | None) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)

    async def exchange(self, request: bytes) -> tuple[int, _Headers, bytes, bool]:
        """Send ``request``; (status, headers, body, whether the connection may be reused).

        Each exchange starts from the state ``_reset`` leaves and ends by resetting it, so a
        connection back in the pool holds no answer: its body (up to ``MAX_BODY_BYTES`` per
        connection) would otherwise stay in memory until the connection's next call."""
        transport = self.transport
        loop = self._loop
        self._waiter = waiter = loop.create_future()
        self._last_byte = loop.time()
        self._timer = loop.call_at(self._last_byte + self._read_timeout_s, self._check_silence)
        try:
            if transport is None or self.lost or transport.is_closing():
                raise _DroppedError(fresh=True)
            transport.write(request)
            await waiter
            if self.too_big:
                raise _OversizedError()
            reusable = self.complete and self._framed and self.keep_alive and not self.lost
            return self.status, _Headers(self._headers), b"".join(self._parts), reusable
        finally:  # nothing is awaited after the answer: no callback runs before this
            self._waiter = None
            self._timer.cancel()
            self._reset()

    def close(self) -> None:
        self.lost = True
        if self.transport is not None:
            self.transport.close()


def _decoded(body: bytes, encoding: str | None, cap: int) -> bytes | None:
    """The answer's body without its content coding, or ``None`` past ``cap`` bytes."""
    if not encoding or encoding == "identity":
        return body
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}
    if encoding not in wbits:
        raise _InvalidAnswerError()
    try:
        inflater = zlib.decompressobj(wbits[encoding])
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise _InvalidAnswerError() from exc
    return None if len(out) > cap else out


class WireReads:
    """Reads on the gateway's own HTTP/1.1 connections (``close()`` them when done)."""

    def __init__(
        self,
        *,
        limit: int = 200,
        keepalive_s: float = 5.0,
        connect_timeout_s: float = 30.0,
        read_timeout_s: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._slots = asyncio.Semaphore(limit)
        self._keepalive_s = keepalive_s
        self._connect_timeout_s = connect_timeout_s
        self._read_timeout_s = read_timeout_s
        self._ssl = ssl_context
        self._targets: dict[str, tuple[_Origin, bytes]] = {}
        self._closed = False

    def _target(self, url: str) -> tuple[_Origin, bytes]:
        """(the origin, the request line and Host header) of ``url``, parsed once."""
        known = self._targets.get(url)
        if known is not None:
            return known
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        default = 443 if scheme == "https" else 80
        port = parts.port or default
        host = parts.hostname
        shown = f"[{host}]" if ":" in host else host
        authority = shown if port == default else f"{shown}:{port}"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = f"POST {path} HTTP/1.1\r\nHost: {authority}\r\n".encode("ascii")
        known = self._targets[url] = ((scheme, host, port), head)
        return known

    async def post(self, agency: str, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        origin, head = self._target(url)
        lines = [head]
        for name, value in headers.items():
            line = f"{name}: {value}"
            if "\r" in line or "\n" in line:  # one header must not write another
                raise ValueError(f"a line break in the request header {name!r}")
            lines.append(f"{line}\r\n".encode("latin-1"))
        lines.append(b"Accept-Encoding: gzip, deflate\r\nContent-Length: %d\r\n\r\n" % len(body))
        lines.append(body)
        request = b"".join(lines)
        async with self._slots:
            try:
                return await self._send(agency, origin, request)
            except TimeoutError as exc:
                raise SourceTimeoutError(
                    f"{agency} 响应超时", f"{agency} did not answer in time"
                ) from exc

    async def _send(self, agency: str, origin: _Origin, request: bytes) -> Answer:
        for _ in range(2):
            connection, reused = self._take(origin)
            if connection is None:
                connection = await self._connect(agency, origin)
            try:
                status, headers, raw, reusable = await connection.exchange(request)
            except _DroppedError as exc:
                connection.close()
                if reused and exc.fresh:
                    continue  # the agency had closed the idle connection: once more, anew
                raise unavailable(agency, "连接中断", "the connection was dropped") from exc
            except _InvalidAnswerError as exc:
                connection.close()
                raise unavailable(agency, "通信失败", "transport failure (not HTTP/1.1)") from exc
            except _OversizedError as exc:
                connection.close()  # the rest of the answer is still coming
                raise oversized(agency) from exc
            except BaseException:  # cancelled, or no byte for the read timeout: half read
                connection.close()
                raise
            self._give_back(origin, connection, reusable)
            try:
                content = _decoded(
                    raw, headers.get("content-encoding"), client_module.MAX_BODY_BYTES
                )
            except _InvalidAnswerError as exc:
                raise unavailable(
                    agency, "通信失败", "transport failure (undecodable content coding)"
                ) from exc
            if content is None:
                raise oversized(agency)
            return Answer(status, content, headers)
        raise AssertionError("unreachable")  # pragma: no cover

    def _take(self, origin: _Origin) -> tuple[_Connection | None, bool]:
        idle = self._idle.get(origin)
        now = _now()
        while idle:
            connection = idle.pop()
            if not connection.lost and now - connection.idle_since < self._keepalive_s:
                return connection, True
            connection.close()
        return None, False

    def _give_back(self, origin: _Origin, connection: _Connection, reusable: bool) -> None:
        if not reusable or self._closed:
            connection.close()
            return
        now = connection.idle_since = _now()
        idle = self._idle.setdefault(origin, [])
        while idle and (idle[0].lost or now - idle[0].idle_since >= self._keepalive_s):
            idle.pop(0).close()  # the oldest first: those the agency closed or that expired
        idle.append(connection)

    async def _connect(self, agency: str, origin: _Origin) -> _Connection:
        scheme, host, port = origin
        context: ssl.SSLContext | None = None
        if scheme == "https":
            context = self._ssl = self._ssl or ssl.create_default_context()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._connect_timeout_s):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self._read_timeout_s),
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                )
        except TimeoutError as exc:
            raise SourceTimeoutError(
                f"{agency} 连接超时", f"{agency} did not accept the connection in time"
            ) from exc
        except ssl.SSLError as exc:
            raise tls_failed(agency) from exc
        except OSError as exc:
            raise unavailable(agency, "无法连接", "connection refused") from exc
        return connection

    async def close(self) -> None:
        """Close every idle connection; connections in use close when their call ends."""
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


__all__ = ["MAX_HEAD_BYTES", "WireReads"]
