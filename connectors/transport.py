"""Transport failures and HTTP statuses of an agency's answer, mapped to ``ConnectorError`` in
one place, with ``raise ... from exc``: the read side (``connectors.http``) and the control side
(``connectors.control``) share it."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import json
from collections.abc import Iterator, Mapping
from typing import Protocol

import aiohttp
import httpx

from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    MalformedResponseError,
    RequestRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from gateway.domain.inputs import printable
from gateway.domain.subjects import mask_ids_in_prose


@contextlib.contextmanager
def map_transport_errors(agency: str) -> Iterator[None]:
    """Turn every transport exception into a ``ConnectorError`` (``raise ... from exc``).

    httpx-aiohttp reports a dropped connection (aiohttp's ``ServerDisconnectedError``) as
    ``httpx.ConnectTimeout``; the aiohttp cause tells it apart from a real timeout. Raw aiohttp
    (``connectors.client.AiohttpReads``) raises its own classes: its timeouts are
    ``ServerTimeoutError`` or, for a total timeout, ``TimeoutError``. A deadline kept with
    ``asyncio.timeout`` around a call cancels it instead, which passes through.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        cause = exc.__cause__
        if isinstance(cause, aiohttp.ClientSSLError):  # reported as a timeout too
            raise tls_failed(agency) from exc
        if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
            cause, aiohttp.ServerTimeoutError | TimeoutError
        ):
            raise unavailable(agency, "连接中断", "the connection was dropped") from exc
        raise SourceTimeoutError(f"{agency} 响应超时", f"{agency} did not answer in time") from exc
    except (
        httpx.ConnectError,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.WriteError,
    ) as exc:
        raise unavailable(agency, "无法连接或连接中断", "connection refused or dropped") from exc
    except httpx.HTTPError as exc:
        raise unavailable(agency, "通信失败", f"transport failure ({type(exc).__name__})") from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise SourceTimeoutError(f"{agency} 响应超时", f"{agency} did not answer in time") from exc
    except aiohttp.ClientSSLError as exc:
        raise tls_failed(agency) from exc
    except aiohttp.ClientConnectorError as exc:
        raise unavailable(agency, "无法连接", "connection refused") from exc
    except aiohttp.ClientConnectionError as exc:
        raise unavailable(agency, "连接中断", "the connection was dropped") from exc
    except aiohttp.ClientError as exc:  # anything the transport did not map
        raise unavailable(agency, "通信失败", f"transport failure ({type(exc).__name__})") from exc


class Answered(Protocol):
    """What ``check_status`` reads of an answer: an ``httpx.Response`` or a
    ``connectors.client.Answer``."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


def check_status(agency: str, response: Answered) -> None:
    """Raise the ``ConnectorError`` that an HTTP error status means."""
    status = response.status_code
    if status < 300:
        return
    if status < 400:  # no connector follows a redirect: the agency's address has moved
        raise MalformedResponseError(
            f"{agency} 返回了重定向（HTTP {status}），网关不跟随重定向：请检查该单位的地址配置",
            f"{agency} answered with a redirect (HTTP {status}), which the gateway does not "
            "follow: check the agency's URL",
        )
    if status in (401, 403):
        raise AgencyAuthenticationError(
            f"{agency} 拒绝了网关的凭据（HTTP {status}），请检查配置",
            f"{agency} refused the gateway's credentials (HTTP {status}); check the configuration",
        )
    if status == 429:
        raise AgencyRateLimitedError(
            f"{agency} 限流（HTTP 429）",
            f"{agency} is rate limiting (HTTP 429)",
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise unavailable(agency, f"服务端错误（HTTP {status}）", f"server error (HTTP {status})")
    title = problem_title(response.content)
    title_zh, title_en = agency_halves(title) if title else ("", "")
    raise RequestRejectedError(
        f"{agency} 拒绝了请求（HTTP {status}）" + (f"：{title_zh}" if title_zh else ""),
        f"{agency} rejected the request (HTTP {status})" + (f": {title_en}" if title_en else ""),
    )


MAX_AGENCY_TEXT = 120  # characters of the agency's own words shown to a judge


def problem_title(content: bytes) -> str | None:
    """The ``title`` of an RFC 9457 problem document, the agency's own words; None when the body
    is not such a document or its title is not a string. Both sides read it here."""
    try:
        problem = json.loads(content)
    except (ValueError, TypeError, RecursionError):
        return None
    title = problem.get("title") if isinstance(problem, dict) else None
    return title if isinstance(title, str) else None


def agency_halves(text: str) -> tuple[str, str]:
    """An agency's own words, shown to a judge, as (Chinese, English): one line, each half cut
    short (``shown_words``). The contract's texts are "中文 / English": the text before the first
    " / " is the Chinese half, the rest the English one, as ``gateway.services.report`` splits a
    description; words in one language only (no " / ", or one half empty) go in both halves."""
    # one line, padded so that an empty half (" / English", "中文 / ") is still split off
    zh, _, en = f" {' '.join(text.split())} ".partition(" / ")
    zh, en = zh.strip(), en.strip()
    zh, en = (zh or en), (en or zh)
    return shown_words(zh), shown_words(en)


# an ID number starting before the cut ends within this many characters after it, however it
# is spaced (18 digits, a space between each two)
_ID_SPAN = 36


def shown_words(text: str) -> str:
    """An agency's words cut to ``MAX_AGENCY_TEXT`` characters, safe to show and to log: every ID
    number masked before the cut (so that none is left cut short and unrecognised), glued to
    other letters or spaced as a person writes it too (``mask_ids_in_prose``, length kept), and
    control and bidirectional characters shown as U+FFFD (``printable``): the agency is not
    trusted to write only text."""
    masked = mask_ids_in_prose(text[: MAX_AGENCY_TEXT + _ID_SPAN])
    return printable(masked, MAX_AGENCY_TEXT)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from either of its forms (RFC 9110): seconds or an HTTP date."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())
    return None


def unavailable(agency: str, zh: str, en: str) -> SourceUnavailableError:
    return SourceUnavailableError(f"{agency} 不可用：{zh}", f"{agency} is unavailable: {en}")


def tls_failed(agency: str) -> SourceUnavailableError:
    """The agency's TLS handshake failed: most often a certificate the machine does not trust
    (its CA is not in the machine's store or ``SSL_CERT_FILE``), or one for another host."""
    return unavailable(agency, "TLS 握手失败", "the TLS handshake failed (certificate or protocol)")


def malformed(agency: str, detail_zh: str, detail_en: str) -> MalformedResponseError:
    return MalformedResponseError(
        f"{agency} 的响应不符合接口约定（{detail_zh}）",
        f"{agency} answered outside the agency contract ({detail_en})",
    )
