"""How the read side sends its ``POST /v1/inquiries``: one request, the answer read as bytes.

Two ways behind one small protocol, ``ReadClient``:

* ``AiohttpReads``: straight on an ``aiohttp.ClientSession``, what ``chakong serve`` uses (the
  session is the one under the gateway's httpx client, so both share one connection pool). An
  inquiry makes nine such calls; httpx's own request and response models cost about four times
  the CPU of aiohttp's on this path (``python -m bench.agency_calls``);
* ``HttpxReads``: through an ``httpx.AsyncClient``, what a connector gets when it is given only
  that (the tests' in-process ASGI transports, a caller's own client).

Both raise only ``ConnectorError`` subclasses (and ``CancelledError``), mapped in
``connectors.transport``; neither follows a redirect, and neither keeps more than
``MAX_BODY_BYTES`` of an answer. Controls do not come here: they keep httpx and their own
mapping of every failure to an outcome (``connectors.control``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx

from connectors.errors import MalformedResponseError
from connectors.transport import map_transport_errors

MAX_BODY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """An agency's answer, read: ``check_status`` reads the status, Retry-After and a problem's
    title from it; ``headers`` look names up without regard to case."""

    status_code: int
    content: bytes
    headers: Mapping[str, str]


class ReadClient(Protocol):
    async def post(
        self, agency: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> Answer: ...


async def read_capped(chunks: AsyncIterable[bytes], cap: int) -> bytes | None:
    """The body from its chunks as they come, or ``None`` as soon as it passes ``cap`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            return None
        parts.append(chunk)
    return b"".join(parts)


def oversized(agency: str) -> MalformedResponseError:
    return MalformedResponseError(f"{agency} 响应过大", f"{agency} sent an oversized answer")


class HttpxReads:
    """Reads through an httpx client."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, agency: str, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        with map_transport_errors(agency):
            async with self.client.stream(
                "POST", url, content=body, headers=headers, follow_redirects=False
            ) as response:
                content = await read_capped(response.aiter_bytes(), MAX_BODY_BYTES)
        if content is None:
            raise oversized(agency)
        return Answer(response.status_code, content, response.headers)


class AiohttpReads:
    """Reads straight on an aiohttp session (owned by whoever opened it)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def post(self, agency: str, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        with map_transport_errors(agency):
            async with self.session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                length = response.content_length
                content: bytes | None = None
                if length is None or "Content-Encoding" in response.headers:
                    # chunked or compressed: counted as it comes
                    content = await read_capped(response.content.iter_any(), MAX_BODY_BYTES)
                elif length <= MAX_BODY_BYTES:
                    content = await response.read()
        if content is None:
            raise oversized(agency)
        return Answer(response.status, content, response.headers)


def read_client(client: httpx.AsyncClient | aiohttp.ClientSession | ReadClient) -> ReadClient:
    """The ``ReadClient`` over what a connector was given."""
    if isinstance(client, httpx.AsyncClient):
        return HttpxReads(client)
    if isinstance(client, aiohttp.ClientSession):
        return AiohttpReads(client)
    return client
