"""Shared HTTP handling for connectors: one call, one place where failures are mapped."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import functools
from collections.abc import Iterator, Mapping
from typing import Any

import aiohttp
import httpx
import pydantic

from connectors.base import AgencyEndpoint, Connector, Inquiry
from connectors.envelope import InquiryRequest, InquiryResponse, SubjectRef
from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    ConnectorError,
    MalformedResponseError,
    RequestRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from gateway.domain.records import AgencyRecords

MAX_BODY_BYTES = 32 * 1024 * 1024


@contextlib.contextmanager
def map_transport_errors(agency: str) -> Iterator[None]:
    """Turn every transport exception into a ``ConnectorError`` (``raise ... from exc``).

    httpx-aiohttp reports a dropped connection (aiohttp's ``ServerDisconnectedError``) as
    ``httpx.ConnectTimeout``; the aiohttp cause tells it apart from a real timeout.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        cause = exc.__cause__
        if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
            cause, aiohttp.ServerTimeoutError | TimeoutError
        ):
            raise _unavailable(agency, "连接中断", "the connection was dropped") from exc
        raise SourceTimeoutError(f"{agency} 响应超时", f"{agency} did not answer in time") from exc
    except (
        httpx.ConnectError,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.WriteError,
    ) as exc:
        raise _unavailable(agency, "无法连接或连接中断", "connection refused or dropped") from exc
    except httpx.HTTPError as exc:
        raise _unavailable(agency, "通信失败", f"transport failure ({type(exc).__name__})") from exc
    except aiohttp.ClientError as exc:  # anything the transport did not map
        raise _unavailable(agency, "通信失败", f"transport failure ({type(exc).__name__})") from exc


def inquiry_body(inquiry: Inquiry) -> bytes:
    request = InquiryRequest(
        request_id=inquiry.request_id,
        case_number=inquiry.case_number.canonical,
        court=inquiry.court,
        subjects=[SubjectRef(kind=s.kind.value, id=s.id, name=s.name) for s in inquiry.subjects],
    )
    return request.model_dump_json(by_alias=True, exclude_none=True).encode()


async def post_inquiry(
    client: httpx.AsyncClient,
    endpoint: AgencyEndpoint,
    agency: str,
    inquiry: Inquiry,
    response: pydantic.TypeAdapter[InquiryResponse[Any]],
) -> Mapping[str, AgencyRecords | None]:
    """POST the inquiry and validate the answer against the contract, straight into the
    agency's records."""
    url = endpoint.base_url.rstrip("/") + "/v1/inquiries"
    headers = {
        "Authorization": f"Bearer {endpoint.token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Request-Id": inquiry.request_id,
    }
    with map_transport_errors(agency):
        answer = await client.post(url, content=inquiry_body(inquiry), headers=headers)
    check_status(agency, answer)
    if len(answer.content) > MAX_BODY_BYTES:
        raise MalformedResponseError(f"{agency} 响应过大", f"{agency} sent an oversized answer")
    try:
        parsed = response.validate_json(answer.content)
    except pydantic.ValidationError as exc:
        raise _malformed(agency, f"{exc.error_count()} contract violation(s)") from exc
    answers: dict[str, AgencyRecords | None] = {}
    for result in parsed.results:
        key = f"{result.kind}:{result.id}"
        if result.status == "found":
            if result.records is None:
                raise _malformed(agency, "a found subject without records")
            answers[key] = result.records
        else:
            answers[key] = None
    missing = [s for s in inquiry.subjects if s.key not in answers]
    if missing:
        raise _malformed(agency, f"no result for {len(missing)} subject(s)")
    return answers


def check_status(agency: str, response: httpx.Response) -> None:
    """Raise the ``ConnectorError`` that an HTTP error status means."""
    status = response.status_code
    if status < 300:
        return
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
        raise _unavailable(agency, f"服务端错误（HTTP {status}）", f"server error (HTTP {status})")
    title = _problem_title(response)
    raise RequestRejectedError(
        f"{agency} 拒绝了请求（HTTP {status}）{title}",
        f"{agency} rejected the request (HTTP {status}){title}",
    )


def _problem_title(response: httpx.Response) -> str:
    """The problem document's title, cut short: it is the agency's own words, shown to a judge."""
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        title = response.json().get("title")
        if isinstance(title, str) and title:
            return f": {title[:120]}"
    return ""


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


def _unavailable(agency: str, zh: str, en: str) -> SourceUnavailableError:
    return SourceUnavailableError(f"{agency} 不可用：{zh}", f"{agency} is unavailable: {en}")


def _malformed(agency: str, detail: str) -> MalformedResponseError:
    return MalformedResponseError(
        f"{agency} 的响应不符合接口约定（{detail}）",
        f"{agency} answered outside the agency contract ({detail})",
    )


class HttpConnector(Connector):
    """The connector of every agency that speaks the agency contract as it is written."""

    def __init__(self, spec: Any, endpoint: AgencyEndpoint, client: httpx.AsyncClient) -> None:
        super().__init__(spec, endpoint, client)
        self._response = response_adapter(spec.records)

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]:
        return await post_inquiry(self.client, self.endpoint, self.agency, inquiry, self._response)


@functools.cache
def response_adapter(records: type[Any]) -> pydantic.TypeAdapter[InquiryResponse[Any]]:
    """The validator of an agency's answer, built once per record type."""
    return pydantic.TypeAdapter(InquiryResponse[records])  # type: ignore[valid-type]


__all__ = [
    "ConnectorError",
    "HttpConnector",
    "check_status",
    "map_transport_errors",
    "post_inquiry",
    "response_adapter",
]
