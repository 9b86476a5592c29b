"""The control side: every way a control call can end is an outcome, from one mapping table.

In process (``httpx.MockTransport``) for statuses, bodies and raised exceptions; over a real
socket with httpx-aiohttp, the gateway's transport, for a connection dropped after sending (which
it reports as ``httpx.ConnectTimeout``), a refused connection, a read timeout, a truncated body
and a cancelled call.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

import aiohttp
import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from connectors.base import AgencyEndpoint
from connectors.control import (
    MAX_ANSWER_BYTES,
    TRANSPORT_ERRORS,
    OutcomeRule,
    get_control_status,
    post_control,
)
from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    MalformedResponseError,
    RequestRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from gateway.domain.controls import ControlAction, ControlOutcome, ControlRequest, ControlStatus
from tests.connectors.transport_errors import aiohttp_client_errors, httpx_request_errors, instance

TOKEN = "tok-7f3a9c1e5b-secret"
ENDPOINT = AgencyEndpoint(base_url="http://bank.test/", token=TOKEN)
FREEZE = ControlRequest(
    request_id="ctl-01J9ZK8Q3V",
    action=ControlAction.FREEZE,
    case_number="(2026)苏0802执123号",
    ruling_number="(2026)苏0802执123号之一",
    notice_number="(2026)苏0802执123号协字第1号",
    asset_id="6222020200112233445",
    amount=Decimal("150000.00"),
    until=datetime.date(2027, 3, 31),
)

Answer = Callable[[httpx.Request], httpx.Response]


@dataclass
class Agency:
    """An in-process agency that records every request it gets."""

    answer: Answer
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def answering(status: int, body: object = None, **headers: str) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return answer


def raising(exc: BaseException, cause: BaseException | None = None) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        exc.__cause__ = cause
        raise exc

    return answer


def answer_body(status: str, **extra: str) -> dict[str, str]:
    return {"requestId": FREEZE.request_id, "status": status, **extra}


def problem(status: int, title: str) -> Answer:
    body = {"type": "about:blank", "title": title, "status": status}
    return answering(status, body, **{"Content-Type": "application/problem+json"})


async def send(
    answer: Answer, request: ControlRequest = FREEZE, *, follow_redirects: bool = False
) -> tuple[ControlOutcome, Agency]:
    agency = Agency(answer)
    transport = httpx.MockTransport(agency)
    async with httpx.AsyncClient(transport=transport, follow_redirects=follow_redirects) as client:
        outcome = await post_control(client, ENDPOINT, "bank", request)
    return outcome, agency


def assert_row(outcome: ControlOutcome, rule: OutcomeRule) -> None:
    assert outcome.status is rule.status
    assert outcome.may_have_been_sent is rule.may_have_been_sent
    assert rule.zh in outcome.message_zh
    assert rule.en in outcome.message_en
    assert outcome.settled is (rule.status is not ControlStatus.UNKNOWN)


# one scenario per row: a row added to the table without one fails test_every_row
ROWS: dict[OutcomeRule, Answer] = {
    OutcomeRule.APPLIED: answering(200, answer_body("applied", reference="CB-FRZ-0001")),
    OutcomeRule.REJECTED: problem(409, "requestId 已用于另一请求 / requestId reused"),
    OutcomeRule.CREDENTIALS: problem(401, "invalid token"),
    OutcomeRule.NOT_SENT: raising(httpx.ConnectError("refused")),
    OutcomeRule.TIMEOUT: raising(httpx.ReadTimeout("read timed out")),
    OutcomeRule.DROPPED: raising(httpx.ConnectTimeout(""), aiohttp.ServerDisconnectedError()),
    OutcomeRule.THROTTLED: problem(429, "too many requests"),
    OutcomeRule.SERVER_ERROR: problem(503, "maintenance"),
    OutcomeRule.MALFORMED: answering(200, b'{"requestId": "ctl-01J9ZK8Q3V", "status": "app'),
    OutcomeRule.UNEXPECTED_STATUS: answering(302, None, Location="http://elsewhere.test/"),
    OutcomeRule.TRANSPORT: raising(httpx.LocalProtocolError("illegal header")),
}


@pytest.mark.parametrize("rule", list(OutcomeRule), ids=lambda rule: rule.name)
async def test_every_row(rule):
    outcome, agency = await send(ROWS[rule])
    assert_row(outcome, rule)
    assert len(agency.requests) == 1  # never retried, whatever happened
    assert TOKEN not in f"{outcome.safe_message} {outcome.reference}"


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        (answering(200, answer_body("applied", reference="R-1")), OutcomeRule.APPLIED),
        (answering(201, answer_body("applied", reference="R-1")), OutcomeRule.APPLIED),
        (answering(200, answer_body("rejected", reason="账户已销户")), OutcomeRule.REJECTED),
        (problem(400, "bad request"), OutcomeRule.REJECTED),
        (problem(404, "no such asset"), OutcomeRule.REJECTED),
        (problem(409, "conflict"), OutcomeRule.REJECTED),
        (problem(422, "amount exceeds the balance"), OutcomeRule.REJECTED),
        (problem(403, "forbidden"), OutcomeRule.CREDENTIALS),
        (problem(401, "unauthorised"), OutcomeRule.CREDENTIALS),
        (problem(408, "request timeout"), OutcomeRule.THROTTLED),
        (answering(429, b"", **{"Retry-After": "3"}), OutcomeRule.THROTTLED),
        (problem(500, "internal"), OutcomeRule.SERVER_ERROR),
        (answering(502, b"<html>bad gateway</html>"), OutcomeRule.SERVER_ERROR),
        (problem(504, "gateway timeout"), OutcomeRule.SERVER_ERROR),
        (answering(204, b""), OutcomeRule.MALFORMED),
        (answering(200, b"<html>ok</html>"), OutcomeRule.MALFORMED),
        (answering(200, [answer_body("applied")]), OutcomeRule.MALFORMED),
        (answering(200, answer_body("pending")), OutcomeRule.MALFORMED),
        (answering(200, {"status": "applied"}), OutcomeRule.MALFORMED),
        (answering(200, answer_body("applied", requestId="ctl-other")), OutcomeRule.MALFORMED),
        (answering(200, b"[" * 50_000), OutcomeRule.MALFORMED),
        (answering(200, b" " * (MAX_ANSWER_BYTES + 1)), OutcomeRule.MALFORMED),
        (answering(200, b"not gzip", **{"Content-Encoding": "gzip"}), OutcomeRule.MALFORMED),
        (answering(307, None, Location="/v1/controls/again"), OutcomeRule.UNEXPECTED_STATUS),
        (answering(101, b""), OutcomeRule.UNEXPECTED_STATUS),
        (raising(httpx.ConnectTimeout("connect")), OutcomeRule.NOT_SENT),
        (raising(httpx.PoolTimeout("pool")), OutcomeRule.NOT_SENT),
        (raising(httpx.WriteTimeout("write")), OutcomeRule.TIMEOUT),
        (raising(httpx.ReadError("reset")), OutcomeRule.DROPPED),
        (raising(httpx.RemoteProtocolError("closed mid-body")), OutcomeRule.DROPPED),
        (raising(httpx.ReadError(""), aiohttp.ClientPayloadError("cut")), OutcomeRule.MALFORMED),
        (raising(httpx.ConnectTimeout(""), aiohttp.ClientOSError()), OutcomeRule.DROPPED),
        (raising(httpx.ConnectTimeout(""), aiohttp.ConnectionTimeoutError()), OutcomeRule.NOT_SENT),
        (raising(httpx.ReadTimeout(""), aiohttp.SocketTimeoutError()), OutcomeRule.TIMEOUT),
        (raising(ConnectionResetError("reset by peer")), OutcomeRule.DROPPED),
        (raising(ConnectionRefusedError("refused")), OutcomeRule.NOT_SENT),
        (raising(TimeoutError()), OutcomeRule.TIMEOUT),
        (raising(OSError("no buffer space")), OutcomeRule.TRANSPORT),
    ],
)
async def test_mapping(answer, rule):
    outcome, agency = await send(answer)
    assert_row(outcome, rule)
    assert len(agency.requests) == 1


async def test_applied_carries_the_agencys_reference_and_status():
    outcome, _ = await send(ROWS[OutcomeRule.APPLIED])
    assert outcome == ControlOutcome(
        status=ControlStatus.APPLIED,
        reference="CB-FRZ-0001",
        message_zh="bank 已执行",
        message_en="bank applied it",
        http_status=200,
        may_have_been_sent=True,
    )


async def test_a_transport_failure_has_no_http_status_and_a_safe_bilingual_message():
    outcome, _ = await send(ROWS[OutcomeRule.TIMEOUT])
    assert outcome.http_status is None
    assert outcome.safe_message == f"{outcome.message_zh} / {outcome.message_en}"
    assert "read timed out" not in (outcome.safe_message or "")  # the exception's own text stays


async def test_a_redirect_is_never_followed_even_by_a_client_that_follows_them():
    outcome, agency = await send(ROWS[OutcomeRule.UNEXPECTED_STATUS], follow_redirects=True)
    assert outcome.status is ControlStatus.UNKNOWN
    assert outcome.http_status == 302
    assert len(agency.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        problem(422, "x" * 500),
        answering(200, answer_body("rejected", reason="x" * 500)),
    ],
)
async def test_the_agencys_words_are_cut_short(answer):
    outcome, _ = await send(answer)
    assert outcome.status is ControlStatus.REJECTED
    assert "x" * 120 in outcome.message_en
    assert "x" * 121 not in outcome.message_en


@pytest.mark.parametrize(
    "answer",
    [
        problem(422, "x" * 105 + " 320802198503150018 closed"),
        answering(200, answer_body("rejected", reason="x" * 105 + " 320802198503150018 closed")),
    ],
)
async def test_an_id_number_across_the_cut_of_the_agencys_words_is_masked_before_it(answer):
    outcome, _ = await send(answer)
    assert "x" * 105 + " 320802********" in outcome.message_en
    assert re.search(r"\d{7}", outcome.message_en) is None, outcome.message_en


@pytest.mark.parametrize(
    "answer",
    [
        problem(400, f"bad header: Authorization: Bearer {TOKEN}"),
        problem(401, f"token {TOKEN} expired"),
        answering(200, answer_body("rejected", reason=f"caller {TOKEN} not allowed")),
        problem(503, f"upstream refused {TOKEN}"),
    ],
)
async def test_no_token_in_any_outcome_even_when_the_agency_echoes_it(answer):
    outcome, _ = await send(answer)
    assert TOKEN not in (outcome.safe_message or "")
    assert outcome.status is not ControlStatus.APPLIED


async def test_a_problem_title_that_is_not_a_string_is_left_out():
    outcome, _ = await send(answering(422, {"title": {"nested": True}}))
    assert outcome.message_en == "bank rejected it (HTTP 422)"


NOTHING = "无可冻结的余额 / nothing is available to freeze"  # as the mocks word a rejection


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (answering(200, answer_body("rejected", reason=NOTHING)), ("", "")),
        (problem(422, NOTHING), ("（HTTP 422）", " (HTTP 422)")),
        (
            problem(422, " 无可冻结的余额\n / \tnothing is available  to freeze "),
            ("（HTTP 422）", " (HTTP 422)"),
        ),
    ],
)
async def test_each_half_of_a_rejection_carries_the_agencys_words_in_its_own_language(answer, code):
    outcome, _ = await send(answer)
    assert outcome.message_zh == f"bank 拒绝执行{code[0]}：无可冻结的余额"
    assert outcome.message_en == f"bank rejected it{code[1]}: nothing is available to freeze"
    assert outcome.safe_message == f"{outcome.message_zh} / {outcome.message_en}"


@pytest.mark.parametrize(
    ("reason", "zh", "en"),
    [
        ("账户已销户", "账户已销户", "账户已销户"),  # one language: both halves
        ("account closed", "account closed", "account closed"),
        (" / account closed", "account closed", "account closed"),  # one half empty
        ("账户已销户 / ", "账户已销户", "账户已销户"),
        ("账户已销户 / account closed / see 6222/01", "账户已销户", "account closed / see 6222/01"),
    ],
)
async def test_words_in_one_language_go_in_both_halves(reason, zh, en):
    outcome, _ = await send(answering(200, answer_body("rejected", reason=reason)))
    assert (outcome.message_zh, outcome.message_en) == (
        f"bank 拒绝执行：{zh}",
        f"bank rejected it: {en}",
    )


async def test_each_half_of_the_agencys_words_is_cut_short_and_masked_on_its_own():
    reason = "冻" * 105 + " 320802198503150018 已销户 / " + "x" * 200
    outcome, _ = await send(answering(200, answer_body("rejected", reason=reason)))
    assert outcome.message_zh == "bank 拒绝执行：" + "冻" * 105 + " 320802********"
    assert outcome.message_en == "bank rejected it: " + "x" * 120


async def test_the_request_follows_the_contract():
    _, agency = await send(ROWS[OutcomeRule.APPLIED])
    (request,) = agency.requests
    assert request.method == "POST"
    assert str(request.url) == "http://bank.test/v1/controls"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Request-Id"] == FREEZE.request_id
    assert json.loads(request.content) == {
        "requestId": "ctl-01J9ZK8Q3V",
        "action": "freeze",
        "caseNumber": "(2026)苏0802执123号",
        "rulingNumber": "(2026)苏0802执123号之一",
        "noticeNumber": "(2026)苏0802执123号协字第1号",
        "assetId": "6222020200112233445",
        "amount": "150000.00",  # money as a decimal string, never a float
        "until": "2027-03-31",
    }


async def test_a_release_sends_no_amount_or_date():
    release = ControlRequest(
        request_id="ctl-02",
        action=ControlAction.RELEASE,
        case_number=FREEZE.case_number,
        ruling_number=FREEZE.ruling_number,
        notice_number=FREEZE.notice_number,
        asset_id=FREEZE.asset_id,
    )
    _, agency = await send(ROWS[OutcomeRule.SERVER_ERROR], release)
    body = json.loads(agency.requests[0].content)
    assert body["action"] == "release"
    assert "amount" not in body
    assert "until" not in body


async def test_cancellation_propagates():
    with pytest.raises(asyncio.CancelledError):
        await send(raising(asyncio.CancelledError()))


# ---- every transport exception class has its own row ------------------------------------------

TRANSPORT_CLASSES = httpx_request_errors() + aiohttp_client_errors()


def class_id(cls: type[BaseException]) -> str:
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


@pytest.mark.parametrize("cls", TRANSPORT_CLASSES, ids=class_id)
def test_every_transport_error_class_has_its_own_row(cls):
    assert cls in TRANSPORT_ERRORS, f"add a row for {class_id(cls)} to TRANSPORT_ERRORS"


@pytest.mark.parametrize("cls", TRANSPORT_CLASSES, ids=class_id)
async def test_every_transport_error_is_an_unknown_outcome(cls):
    outcome, agency = await send(raising(instance(cls)))
    assert_row(outcome, TRANSPORT_ERRORS[cls])
    assert outcome.status is ControlStatus.UNKNOWN
    assert len(agency.requests) == 1


@pytest.mark.parametrize("cls", aiohttp_client_errors(), ids=class_id)
async def test_httpx_aiohttps_cause_decides(cls):
    # httpx-aiohttp raises an httpx exception "from" the aiohttp one
    outcome, _ = await send(raising(httpx.ConnectTimeout(""), instance(cls)))
    assert_row(outcome, TRANSPORT_ERRORS[cls])


# ---- over a real socket, with the gateway's transport ---------------------------------------

Behaviour = Callable[[asyncio.StreamWriter, asyncio.Event], Awaitable[None]]


@dataclass
class RawAgency:
    url: str
    bodies: list[bytes]  # the request bodies it read in full
    received: asyncio.Event


@contextlib.asynccontextmanager
async def raw_agency(behaviour: Behaviour) -> AsyncIterator[RawAgency]:
    """A bare HTTP/1.1 server: reads each request in full, then does ``behaviour``."""
    bodies: list[bytes] = []
    received = asyncio.Event()
    stop = asyncio.Event()
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            bodies.append(await reader.readexactly(int(length[1]) if length else 0))
            received.set()
            await behaviour(writer, stop)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with server:
            yield RawAgency(f"http://127.0.0.1:{port}", bodies, received)
    finally:
        stop.set()
        await asyncio.gather(*handlers, return_exceptions=True)


async def hang_up(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """Close the connection without a word, after the whole request was read."""


async def stall(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    await stop.wait()


async def truncate(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n{"requestId": "ctl-')
    await writer.drain()


async def apply(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    body = json.dumps(answer_body("applied", reference="CB-FRZ-9")).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    writer.write(head.encode() + b"\r\n\r\n" + body)
    await writer.drain()


def aiohttp_client(read_timeout: float = 5.0) -> httpx.AsyncClient:
    timeout = httpx.Timeout(5.0, read=read_timeout)
    return httpx.AsyncClient(transport=AiohttpTransport(), timeout=timeout)


async def control_over_socket(url: str, read_timeout: float = 5.0) -> ControlOutcome:
    endpoint = AgencyEndpoint(base_url=url, token=TOKEN)
    async with aiohttp_client(read_timeout) as client:
        return await post_control(client, endpoint, "bank", FREEZE)


async def test_a_connection_dropped_after_sending_is_unknown_though_reported_as_connect_timeout():
    async with raw_agency(hang_up) as agency:
        async with aiohttp_client() as client:  # the quirk this guards against, as it is today
            with pytest.raises(httpx.ConnectTimeout) as caught:
                await client.post(agency.url + "/v1/controls", content=b"{}")
        assert isinstance(caught.value.__cause__, aiohttp.ServerDisconnectedError)
        outcome = await control_over_socket(agency.url)
    assert_row(outcome, OutcomeRule.DROPPED)
    assert json.loads(agency.bodies[-1])["requestId"] == FREEZE.request_id
    assert len(agency.bodies) == 2  # the quirk's probe, and the control: sent once


async def test_a_refused_connection_is_unknown_and_not_sent():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = await control_over_socket(f"http://127.0.0.1:{port}")
    assert_row(outcome, OutcomeRule.NOT_SENT)
    assert outcome.may_have_been_sent is False


async def test_a_read_timeout_is_unknown():
    async with raw_agency(stall) as agency:
        outcome = await control_over_socket(agency.url, read_timeout=0.2)
    assert_row(outcome, OutcomeRule.TIMEOUT)
    assert len(agency.bodies) == 1


async def test_a_truncated_answer_is_unknown():
    async with raw_agency(truncate) as agency:
        outcome = await control_over_socket(agency.url)
    assert_row(outcome, OutcomeRule.MALFORMED)


async def test_an_answer_over_the_socket_is_applied():
    async with raw_agency(apply) as agency:
        outcome = await control_over_socket(agency.url)
    assert outcome.status is ControlStatus.APPLIED
    assert outcome.reference == "CB-FRZ-9"


async def test_a_cancelled_call_is_cancelled_not_an_outcome():
    async with raw_agency(stall) as agency:
        call = asyncio.create_task(control_over_socket(agency.url))
        await asyncio.wait_for(agency.received.wait(), timeout=5)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call


# ---- GET /v1/controls/{requestId} ----------------------------------------------------------


async def status_of(answer: Answer, request_id: str = FREEZE.request_id):
    agency = Agency(answer)
    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:
        try:
            return await get_control_status(client, ENDPOINT, "bank", request_id)
        finally:
            assert len(agency.requests) == 1  # a status read is not retried here either
            request = agency.requests[0]
            assert request.method == "GET"
            assert request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_status_applied():
    outcome = await status_of(answering(200, answer_body("applied", reference="CB-FRZ-0001")))
    assert outcome is not None
    assert outcome.status is ControlStatus.APPLIED
    assert outcome.reference == "CB-FRZ-0001"


async def test_status_rejected():
    outcome = await status_of(answering(200, answer_body("rejected", reason="余额不足")))
    assert outcome is not None
    assert outcome.status is ControlStatus.REJECTED
    assert "余额不足" in outcome.message_zh


async def test_status_rejected_in_each_language():
    reason = "余额不足 / insufficient balance"
    outcome = await status_of(answering(200, answer_body("rejected", reason=reason)))
    assert outcome is not None
    assert (outcome.message_zh, outcome.message_en) == (
        "bank 拒绝执行：余额不足",
        "bank rejected it: insufficient balance",
    )


async def test_status_never_seen_is_none():
    assert await status_of(problem(404, "no such control")) is None


async def test_status_quotes_the_request_id_into_the_path():
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(404)

    assert await status_of(answer, "ctl/../x y") is None
    assert seen == ["/v1/controls/ctl%2F..%2Fx%20y"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (problem(500, "internal"), SourceUnavailableError),
        (problem(503, "maintenance"), SourceUnavailableError),
        (answering(429, b"", **{"Retry-After": "7"}), AgencyRateLimitedError),
        (problem(401, "invalid token"), AgencyAuthenticationError),
        (problem(400, "bad request id"), RequestRejectedError),
        (raising(httpx.ReadTimeout("slow")), SourceTimeoutError),
        (raising(httpx.ConnectError("refused")), SourceUnavailableError),
        (ROWS[OutcomeRule.DROPPED], SourceUnavailableError),
        (answering(200, answer_body("pending")), MalformedResponseError),
        (answering(200, answer_body("applied", requestId="other")), MalformedResponseError),
        (answering(200, b"x" * (MAX_ANSWER_BYTES + 1)), MalformedResponseError),
    ],
)
async def test_status_failures_raise_the_read_sides_errors(answer, error):
    with pytest.raises(error) as caught:
        await status_of(answer)
    assert TOKEN not in caught.value.safe_message


async def test_status_keeps_retry_after():
    with pytest.raises(AgencyRateLimitedError) as caught:
        await status_of(answering(429, b"", **{"Retry-After": "7"}))
    assert caught.value.retry_after == 7.0


async def test_status_cancellation_propagates():
    with pytest.raises(asyncio.CancelledError):
        await status_of(raising(asyncio.CancelledError()))
