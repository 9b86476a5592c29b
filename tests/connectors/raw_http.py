"""HTTP/1.1 by hand, for the raw socket servers of the clients' tests: a request read whole, an
answer written with its length."""

from __future__ import annotations

import asyncio


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request, head and body (by its Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return head + await reader.readexactly(length)


def response(status: str, body: bytes, *headers: str) -> bytes:
    """An answer with ``status`` ("200 OK"), its Content-Length and ``headers``."""
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers, "", ""]
    return "\r\n".join(lines).encode() + body
