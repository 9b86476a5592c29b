"""The control side of the agency contract: one control, one call, one outcome.

``POST /v1/controls`` takes ``{requestId, action, caseNumber, rulingNumber, noticeNumber, assetId,
amount?, until?}`` and answers ``{requestId, status: applied|rejected, reference?, reason?,
appliedAmount?, queuePosition?}``; the agency is idempotent on ``requestId``.
``GET /v1/controls/{requestId}`` answers the same document for an earlier control, or 404 when
the agency never saw it.

``post_control`` returns a ``ControlOutcome`` for everything the network can do; only
``CancelledError`` goes through, to the caller, which then records UNKNOWN itself (a deadline
kept with ``asyncio.timeout`` around the call is such a cancellation; the HTTP client's own
timeouts are outcomes). It makes exactly one request: it never retries, never hedges and never
follows a redirect, because a control sent twice could freeze or deduct twice. Whatever it cannot
tell is ``UNKNOWN``, for the reconciler to settle with ``get_control_status`` (see
``gateway.domain.controls``).

What happened on the wire and the outcome it means are declared once, below: ``OutcomeRule``
(the rows), ``STATUS_RULES`` and ``STATUS_CLASS_RULES`` (HTTP statuses) and ``TRANSPORT_ERRORS``
(exceptions).

A refused connection is UNKNOWN too, not REJECTED, though nothing was sent. "Not sent" is
inferred from the transport's exception classes, and httpx-aiohttp already reports a connection
dropped *after* sending as ``httpx.ConnectTimeout``; a wrong inference towards REJECTED could
lead a judge to issue the control again under a new id, while UNKNOWN costs one status lookup.
The outcome's ``may_have_been_sent`` keeps the inference for people to read.

``get_control_status`` is a read: it is safe to repeat, so it raises the read side's
``ConnectorError`` subclasses for failures and leaves retrying to the reconciler.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

import aiohttp
import httpx
import pydantic
from pydantic import Field

from connectors.client import read_capped
from connectors.envelope import ContractModel
from connectors.errors import MalformedResponseError
from connectors.transport import (
    agency_halves,
    check_status,
    map_transport_errors,
    problem_title,
)
from gateway.domain.controls import ControlAction, ControlOutcome, ControlRequest, ControlStatus

if TYPE_CHECKING:
    from connectors.base import AgencyEndpoint

MAX_ANSWER_BYTES = 64 * 1024  # a control answer is a few hundred bytes


class ControlBody(ContractModel):
    """``POST /v1/controls`` request body."""

    request_id: str = Field(min_length=1, max_length=64)
    action: ControlAction
    case_number: str = Field(min_length=1, max_length=64)
    ruling_number: str = Field(min_length=1, max_length=64)
    notice_number: str = Field(min_length=1, max_length=64)
    asset_id: str = Field(min_length=1, max_length=64)
    amount: Decimal | None = None  # a decimal string on the wire: money is never a float
    until: datetime.date | None = None


class ControlAnswer(ContractModel):
    """The answer of ``POST /v1/controls`` and ``GET /v1/controls/{requestId}``."""

    request_id: str
    status: Literal["applied", "rejected"]
    reference: str | None = Field(default=None, max_length=128)
    reason: str | None = None
    # what the agency actually froze, deducted or released: a freeze beyond the available
    # balance freezes what is available (a decimal string on the wire)
    applied_amount: Decimal | None = None
    # a seizure behind another one (轮候查封): 1 is next in line; absent when in effect
    queue_position: int | None = Field(default=None, ge=1)


class OutcomeRule(enum.Enum):
    """The rows of the mapping table: what happened, and the outcome it means."""

    # status, may the request have been sent, message (zh, en)
    APPLIED = (ControlStatus.APPLIED, True, "已执行", "applied it")
    REJECTED = (ControlStatus.REJECTED, True, "拒绝执行", "rejected it")
    CREDENTIALS = (
        ControlStatus.REJECTED,
        True,
        "拒绝了网关的凭据，未执行，请检查配置",
        "refused the gateway's credentials; not applied, check the configuration",
    )
    NOT_SENT = (
        ControlStatus.UNKNOWN,
        False,
        "无法建立连接（拒绝、超时、证书或地址无效），请求未发出，待核实",
        "could not be reached (refused, timed out, certificate or invalid address); "
        "the request was not sent, to be reconciled",
    )
    TIMEOUT = (
        ControlStatus.UNKNOWN,
        True,
        "未在时限内答复，结果未知，待核实",
        "did not answer in time; the outcome is unknown, to be reconciled",
    )
    DROPPED = (
        ControlStatus.UNKNOWN,
        True,
        "连接在请求发出后中断，结果未知，待核实",
        "dropped the connection after the request was sent; the outcome is unknown, "
        "to be reconciled",
    )
    THROTTLED = (
        ControlStatus.UNKNOWN,
        True,
        "限流或未收完请求，结果未知，待核实",
        "is rate limiting or did not take the whole request; the outcome is unknown, "
        "to be reconciled",
    )
    SERVER_ERROR = (
        ControlStatus.UNKNOWN,
        True,
        "服务端错误，结果未知，待核实",
        "had a server error; the outcome is unknown, to be reconciled",
    )
    MALFORMED = (
        ControlStatus.UNKNOWN,
        True,
        "答复残缺或不符合接口约定，结果未知，待核实",
        "sent a truncated answer or one outside the agency contract; the outcome is unknown, "
        "to be reconciled",
    )
    UNEXPECTED_STATUS = (
        ControlStatus.UNKNOWN,
        True,
        "答复了意外的状态，结果未知，待核实",
        "answered with an unexpected status; the outcome is unknown, to be reconciled",
    )
    TRANSPORT = (
        ControlStatus.UNKNOWN,
        True,
        "通信失败，结果未知，待核实",
        "could not be talked to; the outcome is unknown, to be reconciled",
    )

    def __init__(self, status: ControlStatus, sent: bool, zh: str, en: str) -> None:
        self.status = status
        self.may_have_been_sent = sent
        self.zh = zh
        self.en = en

    def outcome(
        self,
        agency: str,
        *,
        http_status: int | None = None,
        detail: str | tuple[str, str] = "",
        reference: str | None = None,
        applied_amount: Decimal | None = None,
        queue_position: int | None = None,
    ) -> ControlOutcome:
        """The outcome this row means; ``detail`` (the agency's words, or the gateway's) follows
        the row's words: one text in both halves, or (Chinese, English), each in its own half."""
        shown = http_status is not None and not 200 <= http_status < 300
        code = f"（HTTP {http_status}）" if shown else ""
        code_en = f" (HTTP {http_status})" if shown else ""
        detail_zh, detail_en = (detail, detail) if isinstance(detail, str) else detail
        said = f"：{detail_zh}" if detail_zh else ""
        said_en = f": {detail_en}" if detail_en else ""
        return ControlOutcome(
            status=self.status,
            reference=reference,
            message_zh=f"{agency} {self.zh}{code}{said}",
            message_en=f"{agency} {self.en}{code_en}{said_en}",
            http_status=http_status,
            may_have_been_sent=self.may_have_been_sent,
            applied_amount=applied_amount,
            queue_position=queue_position,
        )


# by exact status first, then by class (status // 100); a 2xx is read from its body
STATUS_RULES: Mapping[int, OutcomeRule] = {
    401: OutcomeRule.CREDENTIALS,
    403: OutcomeRule.CREDENTIALS,
    408: OutcomeRule.THROTTLED,  # the agency gave up reading the request
    429: OutcomeRule.THROTTLED,
}
STATUS_CLASS_RULES: Mapping[int, OutcomeRule] = {
    4: OutcomeRule.REJECTED,  # 400, 404, 409 (requestId reused for another body), 422, ...
    5: OutcomeRule.SERVER_ERROR,
}

# Every exception class of httpx and aiohttp has its own row (a test checks that a new one
# gets one); the nearest class in an exception's MRO decides. httpx-aiohttp raises httpx
# exceptions with the aiohttp one as ``__cause__``, which decides instead (it reports a dropped
# connection as ``httpx.ConnectTimeout``).
TRANSPORT_ERRORS: Mapping[type[BaseException], OutcomeRule] = {
    # httpx, with httpcore underneath
    httpx.ConnectError: OutcomeRule.NOT_SENT,
    httpx.ConnectTimeout: OutcomeRule.NOT_SENT,
    httpx.PoolTimeout: OutcomeRule.NOT_SENT,
    httpx.ProxyError: OutcomeRule.NOT_SENT,
    httpx.UnsupportedProtocol: OutcomeRule.NOT_SENT,
    httpx.ReadTimeout: OutcomeRule.TIMEOUT,
    httpx.WriteTimeout: OutcomeRule.TIMEOUT,
    httpx.TimeoutException: OutcomeRule.TIMEOUT,
    httpx.ReadError: OutcomeRule.DROPPED,
    httpx.WriteError: OutcomeRule.DROPPED,
    httpx.CloseError: OutcomeRule.DROPPED,
    httpx.NetworkError: OutcomeRule.DROPPED,
    httpx.RemoteProtocolError: OutcomeRule.DROPPED,  # closed without (all of) an answer
    httpx.LocalProtocolError: OutcomeRule.TRANSPORT,
    httpx.ProtocolError: OutcomeRule.TRANSPORT,
    httpx.DecodingError: OutcomeRule.MALFORMED,
    httpx.TooManyRedirects: OutcomeRule.UNEXPECTED_STATUS,
    httpx.TransportError: OutcomeRule.TRANSPORT,
    httpx.RequestError: OutcomeRule.TRANSPORT,
    # aiohttp, as httpx-aiohttp's cause (or raised as is, when it has no httpx counterpart)
    aiohttp.ClientConnectorError: OutcomeRule.NOT_SENT,
    aiohttp.ClientConnectorDNSError: OutcomeRule.NOT_SENT,
    aiohttp.ClientProxyConnectionError: OutcomeRule.NOT_SENT,
    aiohttp.ClientSSLError: OutcomeRule.NOT_SENT,
    aiohttp.ClientConnectorSSLError: OutcomeRule.NOT_SENT,
    aiohttp.ClientConnectorCertificateError: OutcomeRule.NOT_SENT,
    aiohttp.ClientHttpProxyError: OutcomeRule.NOT_SENT,  # the proxy refused to connect
    aiohttp.ConnectionTimeoutError: OutcomeRule.NOT_SENT,
    aiohttp.ServerFingerprintMismatch: OutcomeRule.NOT_SENT,
    aiohttp.InvalidURL: OutcomeRule.NOT_SENT,
    aiohttp.InvalidUrlClientError: OutcomeRule.NOT_SENT,
    aiohttp.NonHttpUrlClientError: OutcomeRule.NOT_SENT,
    aiohttp.SocketTimeoutError: OutcomeRule.TIMEOUT,
    aiohttp.ServerTimeoutError: OutcomeRule.TIMEOUT,
    aiohttp.ServerDisconnectedError: OutcomeRule.DROPPED,
    aiohttp.ServerConnectionError: OutcomeRule.DROPPED,
    aiohttp.ClientConnectionResetError: OutcomeRule.DROPPED,
    aiohttp.ClientOSError: OutcomeRule.DROPPED,
    aiohttp.ClientConnectionError: OutcomeRule.DROPPED,
    aiohttp.UploadAbortedError: OutcomeRule.DROPPED,
    aiohttp.ClientPayloadError: OutcomeRule.MALFORMED,  # truncated or badly framed body
    aiohttp.ContentTypeError: OutcomeRule.MALFORMED,
    aiohttp.TooManyRedirects: OutcomeRule.UNEXPECTED_STATUS,
    aiohttp.RedirectClientError: OutcomeRule.UNEXPECTED_STATUS,
    aiohttp.InvalidUrlRedirectClientError: OutcomeRule.UNEXPECTED_STATUS,
    aiohttp.NonHttpUrlRedirectClientError: OutcomeRule.UNEXPECTED_STATUS,
    aiohttp.WSServerHandshakeError: OutcomeRule.TRANSPORT,
    aiohttp.ClientResponseError: OutcomeRule.TRANSPORT,
    aiohttp.ClientError: OutcomeRule.TRANSPORT,
    # what another transport may let through
    ConnectionRefusedError: OutcomeRule.NOT_SENT,
    ConnectionError: OutcomeRule.DROPPED,
    TimeoutError: OutcomeRule.TIMEOUT,
    OSError: OutcomeRule.TRANSPORT,
}

_CAUGHT = tuple(TRANSPORT_ERRORS)  # CancelledError is not among them: it must propagate


def transport_rule(exc: BaseException) -> OutcomeRule:
    """The row for a transport exception (its aiohttp cause decides when there is one)."""
    cause = exc.__cause__
    candidates = (cause, exc) if isinstance(cause, aiohttp.ClientError) else (exc,)
    for candidate in candidates:
        for cls in type(candidate).__mro__:
            if cls in TRANSPORT_ERRORS:
                return TRANSPORT_ERRORS[cls]
    return OutcomeRule.TRANSPORT


def status_rule(status: int) -> OutcomeRule:
    """The row for an HTTP status other than 2xx (1xx and 3xx are UNEXPECTED_STATUS)."""
    rule = STATUS_RULES.get(status) or STATUS_CLASS_RULES.get(status // 100)
    return rule or OutcomeRule.UNEXPECTED_STATUS


def control_body(request: ControlRequest) -> bytes:
    body = ControlBody.model_validate(request, from_attributes=True)
    return body.model_dump_json(by_alias=True, exclude_none=True).encode()


async def post_control(
    client: httpx.AsyncClient, endpoint: AgencyEndpoint, agency: str, request: ControlRequest
) -> ControlOutcome:
    """Send one control, once; every failure on the way is an outcome (see the module docstring).

    A request that breaks the contract's own limits (an empty ruling number, a request id over
    64 characters) raises ``pydantic.ValidationError`` before anything is sent: the controls
    service validates what it persists.
    """
    url = endpoint.base_url.rstrip("/") + "/v1/controls"
    headers = _headers(endpoint, request.request_id) | {"Content-Type": "application/json"}
    body = control_body(request)
    try:
        answered = await _exchange(client, "POST", url, headers, body)
    except _CAUGHT as exc:
        return transport_rule(exc).outcome(agency)
    status, content = answered.status_code, answered.content
    if not 200 <= status < 300:
        rule = status_rule(status)
        title = problem_title(content) if rule is OutcomeRule.REJECTED else None
        return rule.outcome(agency, http_status=status, detail=_agency_words(title, endpoint))
    answer = _parse_answer(content, request.request_id)
    if answer is None:
        return OutcomeRule.MALFORMED.outcome(agency, http_status=status)
    return _answer_outcome(agency, endpoint, answer, status)


async def get_control_status(
    client: httpx.AsyncClient, endpoint: AgencyEndpoint, agency: str, request_id: str
) -> ControlOutcome | None:
    """What the agency says of an earlier control; ``None`` when it never saw it (404).

    Raises the read side's ``ConnectorError`` subclasses (timeouts, 5xx, 429, 401/403, a
    malformed answer); it is safe to ask again, and the caller decides when.
    """
    url = endpoint.base_url.rstrip("/") + "/v1/controls/" + quote(request_id, safe="")
    with map_transport_errors(agency):
        answered = await _exchange(client, "GET", url, _headers(endpoint, request_id))
    if answered.status_code == 404:
        return None
    check_status(agency, answered)
    answer = _parse_answer(answered.content, request_id)
    if answer is None:
        raise MalformedResponseError(
            f"{agency} 的控制结果答复不符合接口约定",
            f"{agency} answered the control status outside the agency contract",
        )
    return _answer_outcome(agency, endpoint, answer, answered.status_code)


def _headers(endpoint: AgencyEndpoint, request_id: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {endpoint.token}",
        "Accept": "application/json, application/problem+json",
        "X-Request-Id": request_id,
    }


async def _exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: Mapping[str, str],
    content: bytes | None = None,
) -> httpx.Response:
    """One request, no redirect followed, at most ``MAX_ANSWER_BYTES`` of the answer read.

    The answer comes back read, with an empty body when it was too large (which no contract
    answer is), so ``check_status`` can read a problem title and Retry-After from it.
    """
    async with client.stream(
        method, url, content=content, headers=headers, follow_redirects=False
    ) as response:
        content = await read_capped(response.aiter_bytes(), MAX_ANSWER_BYTES)
        return _answered(response, content or b"")


def _answered(streamed: httpx.Response, content: bytes) -> httpx.Response:
    # a fresh response holding the decoded body, so without the streamed one's Content-Encoding
    headers = {k: v for k, v in streamed.headers.items() if k.lower() == "retry-after"}
    return httpx.Response(
        streamed.status_code, headers=headers, content=content, request=streamed.request
    )


def _parse_answer(content: bytes, request_id: str) -> ControlAnswer | None:
    """The answer, or None when it breaks the contract or answers another request."""
    try:
        answer = ControlAnswer.model_validate_json(content)
    except pydantic.ValidationError:
        return None
    return answer if answer.request_id == request_id else None


def _answer_outcome(
    agency: str, endpoint: AgencyEndpoint, answer: ControlAnswer, status: int
) -> ControlOutcome:
    if answer.status == "applied":
        return OutcomeRule.APPLIED.outcome(
            agency,
            http_status=status,
            reference=answer.reference or None,
            applied_amount=answer.applied_amount,
            queue_position=answer.queue_position,
        )
    detail = _agency_words(answer.reason, endpoint)
    return OutcomeRule.REJECTED.outcome(agency, http_status=status, detail=detail)


def _agency_words(text: str | None, endpoint: AgencyEndpoint) -> tuple[str, str]:
    """The agency's own words, (Chinese, English), safe to show: the gateway's token masked, one
    line, each half cut short (an ID number in it masked before the cut, so that none is left
    cut short and unrecognised).

    The contract's ``reason`` and a problem's ``title`` are "中文 / English": the text before the
    first " / " is the Chinese half, the rest the English one, as ``gateway.services.report``
    splits a description. Words in one language only (no " / ", or one half empty) go in both
    halves, as written."""
    if not text:
        return "", ""
    if endpoint.token:
        text = text.replace(endpoint.token, "***")
    return agency_halves(text)


__all__ = [
    "STATUS_RULES",
    "TRANSPORT_ERRORS",
    "ControlAnswer",
    "ControlBody",
    "OutcomeRule",
    "control_body",
    "get_control_status",
    "post_control",
    "status_rule",
    "transport_rule",
]
