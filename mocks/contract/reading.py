"""How the kit reads an endpoint's answers: as the gateway does, and never without end.

* ``send``: one request, its whole answer within ``REQUEST_DEADLINE_S`` (httpx's own
  timeout is per read, so a service that drips a byte a second would hold a check for ever), at
  most the gateway's cap read (``MAX_BODY_BYTES`` for inquiries and documents,
  ``MAX_ANSWER_BYTES`` for controls): a longer answer fails the check as soon as it passes the
  cap, as the gateway refuses it.
* ``decode``: JSON as the gateway's connectors read it (pydantic's parser): UTF-8 without a byte
  order mark, no ``NaN`` or ``Infinity``, at most a few hundred levels deep. A body that is not
  UTF-8 (GBK, UTF-16) fails saying so, apart from one that is UTF-8 but not JSON.
* ``safe``: text for a check's detail, whatever the service sent: control characters (an ESC
  that clears the terminal, a carriage return that overwrites the line) and the bidirectional
  controls shown as U+FFFD or a space, cut short.
"""

from __future__ import annotations

import asyncio
import codecs
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic_core

from connectors.client import MAX_BODY_BYTES, read_capped
from connectors.control import MAX_ANSWER_BYTES
from gateway.domain.inputs import printable
from gateway.domain.subjects import mask_ids_in_words
from mocks.contract.verdict import CheckFailedError

REQUEST_DEADLINE_S = 15.0  # one request, its whole answer read
MAX_DETAIL = 400  # characters of a check's detail, in both languages

__all__ = ["MAX_ANSWER_BYTES", "MAX_BODY_BYTES", "REQUEST_DEADLINE_S", "Reply", "decode", "safe"]


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer, read whole (``content`` already decompressed, as httpx gives it)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    content: bytes | None = None,
    cap: int = MAX_BODY_BYTES,
    deadline_s: float = REQUEST_DEADLINE_S,
) -> Reply:
    """One request and its whole answer, or ``CheckFailedError`` past the deadline or the cap."""
    try:
        async with (
            asyncio.timeout(deadline_s),
            client.stream(
                method, url, content=content, headers=headers, follow_redirects=False
            ) as response,
        ):
            body = await read_capped(response.aiter_bytes(), cap)
    except TimeoutError:
        raise CheckFailedError(
            f"{deadline_s:g} 秒内未收到完整答复（本工具对单个请求的时限）",
            f"no complete answer within {deadline_s:g} s (the kit's limit for one request)",
        ) from None
    if body is None:
        raise CheckFailedError(
            f"HTTP {response.status_code}：答复超过 {cap} 字节，网关最多读取这么多",
            f"HTTP {response.status_code}: the answer passed {cap} bytes, the most the gateway "
            "reads of it",
        )
    return Reply(response.status_code, response.headers, body)


def decode(content: bytes) -> Any:
    """The JSON value of a body, read as the gateway reads it; ``CheckFailedError`` if it cannot."""
    if content.startswith(codecs.BOM_UTF8):
        raise CheckFailedError(
            "响应体以 UTF-8 字节顺序标记（BOM）开头，网关不接受",
            "the body starts with a UTF-8 byte order mark, which the gateway refuses",
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in content[:4]:
        raise CheckFailedError(
            "响应体不是 UTF-8（UTF-16？）：网关只读 UTF-8",
            "the body is not UTF-8 (UTF-16?): the gateway reads UTF-8 only",
        )
    try:  # before the parser, which calls a GBK body's first Chinese character "not JSON"
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckFailedError(
            f"响应体不是 UTF-8（第 {exc.start} 字节无效；GBK？）：接口约定要求 UTF-8 的 JSON",
            f"the body is not UTF-8 (an invalid byte at offset {exc.start}; GBK?): the contract "
            "requires UTF-8 JSON",
        ) from None
    try:
        return pydantic_core.from_json(content, allow_inf_nan=False)
    except (ValueError, RecursionError) as exc:
        raise CheckFailedError(
            "响应体不是网关可读的 JSON", f"the body is not JSON as the gateway reads it: {exc}"
        ) from None


def safe(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` fit to print: one line, no control or bidirectional character, an ID number
    masked (``mask_ids_in_words``: the example subjects are synthetic, but a detail may quote a
    service's answer about a real one), cut to ``limit``."""
    one_line = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    shown = mask_ids_in_words(one_line)
    return printable(shown, limit) + ("…" if len(shown) > limit else "")
