"""A mock agency: the reference server of the agency contract, with faults on demand.

``create_mock_app(agency, token=...)`` returns a Starlette app serving::

    POST /v1/inquiries       the contract (bearer token): one result per subject, in order
    GET  /openapi.json       the committed contract document, connectors/<agency>/openapi.json
    GET  /healthz            liveness, no token
    GET  /_mock/stats        {"inquiries": n, "subjects": n, "controlFaults": {kind: n}}
    POST /_mock/reset        zero the stats, restart the fault draws   (bearer token)
                             and empty the ledger
    GET  /_mock/faults       the FaultConfig                           (bearer token)
    PUT  /_mock/faults       replace the FaultConfig                   (bearer token)

and, for an agency that applies controls, ``POST /v1/controls``, ``GET /v1/controls/{id}`` and
the ledger's harness endpoints (``mocks.controls``).

The same control is in process: ``app.state.mock`` is the ``MockState`` (``.stats``,
``.faults``, ``.control_faults``, ``.ledger``). Order of handling an inquiry: token (401),
``X-Mock-Fault`` header (400), body (413, 400), then it counts in the stats, then faults
(``mocks.faults``), then the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pydantic
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mocks.documents import contract_bytes
from mocks.faults import (
    HEADER,
    ControlFaultConfig,
    FaultConfig,
    FaultHeaderError,
    FaultKind,
    FaultPlan,
    MalformedKind,
    draw,
    parse_fault_header,
)
from mocks.ledger import Ledger
from mocks.problems import UNAUTHORIZED, problem_response, validation_detail
from mocks.registry import MockSpec, mock_spec
from mocks.wire import InquiryRequest, JSONObject, SubjectRef

if TYPE_CHECKING:
    from mocks.controls import Lag

MAX_SUBJECTS = 1000
MAX_BODY_BYTES = 1024 * 1024
MAX_HARNESS_BYTES = 64 * 1024  # a PUT to /_mock/...: settings of a few hundred bytes
POLL_S = 0.05  # how often a hanging or delayed request looks for a departed client


@dataclass
class MockStats:
    inquiries: int = 0  # /v1/inquiries calls answered or faulted (not 400/401/413)
    subjects: int = 0  # subjects in those calls
    # control faults injected, by kind (``mocks.faults.ControlFault``): status lags are counted
    # when a control they delay is applied
    control_faults: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "inquiries": self.inquiries,
            "subjects": self.subjects,
            "controlFaults": dict(sorted(self.control_faults.items())),
        }


@dataclass(eq=False)
class MockState:
    """One mock's mutable state; tests may read ``stats`` and replace ``faults``."""

    spec: MockSpec
    token: str = field(repr=False)
    faults: FaultConfig
    fault_seed: int | None = None
    control_faults: ControlFaultConfig = field(default_factory=ControlFaultConfig)
    stats: MockStats = field(default_factory=MockStats)
    stopping: bool = False  # set before the server stops: hung requests then end at once
    rng: random.Random = field(init=False, repr=False)
    control_rng: random.Random = field(init=False, repr=False)  # control faults' own stream
    ledger: Ledger = field(init=False, repr=False)
    lags: dict[str, Lag] = field(init=False, repr=False)  # status lookups still answering 404

    def __post_init__(self) -> None:
        self.records = functools.lru_cache(maxsize=8192)(self._records)
        self.ledger = Ledger(self.spec.agency)
        self.reset()

    def reset(self) -> None:
        """Zero the stats, restart both fault streams, empty the ledger (the date stays)."""
        self.stats = MockStats()
        self.rng = random.Random(self.fault_seed)
        seed = None if self.fault_seed is None else f"controls:{self.fault_seed}"
        self.control_rng = random.Random(seed)
        self.ledger = Ledger(self.spec.agency, today=self.ledger.fixed_today)
        self.lags = {}
        self.records.cache_clear()  # the ledger learns its assets from the answers again

    def _records(self, subject: SubjectRef) -> JSONObject | None:
        records = self.spec.records_for(subject)
        if records is not None and self.spec.assets_for is not None:
            self.ledger.register(self.spec.assets_for(records))
        return records

    @functools.cached_property
    def openapi(self) -> bytes:
        """The agency's committed contract document, served as it is in the repository."""
        return contract_bytes(self.spec.agency)


def create_mock_app(
    agency: str,
    *,
    token: str,
    faults: FaultConfig | None = None,
    fault_seed: int | None = None,
    control_faults: ControlFaultConfig | None = None,
) -> Starlette:
    """The mock of ``agency`` ("police", ...); ``UnknownMockError`` if there is none."""
    from mocks.controls import CONTROL_ROUTES, HARNESS_ROUTES  # it builds on this module

    if not token:
        raise ValueError("a mock needs a non-empty token")
    spec = mock_spec(agency)
    state = MockState(
        spec, token, faults or FaultConfig(), fault_seed, control_faults or ControlFaultConfig()
    )
    controls = [*CONTROL_ROUTES, *HARNESS_ROUTES] if spec.controls else []
    app = Starlette(
        routes=[
            *controls,
            Route("/v1/inquiries", _inquiries, methods=["POST"]),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/healthz", _healthz, methods=["GET"]),
            Route("/_mock/stats", _stats, methods=["GET"]),
            Route("/_mock/reset", _reset, methods=["POST"]),
            Route("/_mock/faults", _faults, methods=["GET", "PUT"]),
        ],
        exception_handlers={HTTPException: _http_problem, Exception: _server_problem},
    )
    app.state.mock = state
    return app


def state_of(request: Request) -> MockState:
    state = request.app.state.mock
    if not isinstance(state, MockState):
        raise TypeError("app.state.mock must be a MockState")
    return state


# --- the contract -----------------------------------------------------------------------


async def _inquiries(request: Request) -> Response:
    arrived = asyncio.get_running_loop().time()
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    try:
        forced = parse_fault_header(request.headers[HEADER]) if HEADER in request.headers else None
    except FaultHeaderError as exc:
        title = ("故障注入头无效", "Invalid X-Mock-Fault header")
        return problem_response(400, "bad-fault-header", title, (exc.message_zh, exc.message_en))
    inquiry = await _read_inquiry(request)
    if isinstance(inquiry, Response):
        return inquiry
    state.stats.inquiries += 1
    state.stats.subjects += len(inquiry.subjects)
    plan = forced if forced is not None else draw(state.faults, state.rng)
    headers = {"X-Request-Id": header_safe(inquiry.request_id)}
    answers = plan.fault is None or plan.fault in (FaultKind.RESET, FaultKind.MALFORMED)
    answer = JSONResponse(_answer(state, inquiry), headers=headers) if answers else None
    # the latency is the agency's response time: the work above is part of it, not added to it
    spent = asyncio.get_running_loop().time() - arrived
    if plan.delay_s > spent and not await pause(request, state, plan.delay_s - spent):
        return gone()
    if plan.fault is None or plan.fault in (FaultKind.RESET, FaultKind.MALFORMED):
        rendered = answer or JSONResponse(_answer(state, inquiry), headers=headers)
        return rendered if plan.fault is None else _broken(plan, rendered, inquiry)
    if plan.fault is FaultKind.HANG:
        await pause(request, state, math.inf)  # until the client gives up
        return gone()
    status, slug, title = _SIMULATED[plan.fault]
    if status == 429:
        headers["Retry-After"] = "1"
    detail = ("模拟的故障，请稍后重试", "a simulated fault; try again later")
    return problem_response(status, slug, title, detail, headers=headers)


_SIMULATED = {
    FaultKind.ERROR: (500, "server-error", ("内部错误（模拟）", "Internal error (simulated)")),
    FaultKind.UNAVAILABLE: (503, "unavailable", ("服务不可用（模拟）", "Unavailable (simulated)")),
    FaultKind.RATE_LIMIT: (429, "rate-limited", ("请求过多（模拟）", "Too many (simulated)")),
}


def _answer(state: MockState, inquiry: InquiryRequest) -> dict[str, Any]:
    results = []
    for subject in inquiry.subjects:
        records = state.records(subject)
        results.append(
            {
                "kind": subject.kind,
                "id": subject.id,
                "status": "not_found" if records is None else "found",
                "records": records,
            }
        )
    return {
        "requestId": inquiry.request_id,
        "agency": state.spec.agency,
        "results": results,
    }


async def read_body(request: Request, limit: int) -> bytes | Response:
    """The body, or a 413 problem once it passes ``limit`` bytes: read no further, whatever the
    client says it sends."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isascii() and declared.isdigit() and int(declared) > limit
    body = bytearray()
    if not too_large:
        async with contextlib.aclosing(request.stream()) as chunks:
            async for chunk in chunks:
                body += chunk
                if too_large := len(body) > limit:
                    break
    if too_large:
        return _too_large(f"请求体超过 {limit} 字节", f"the body exceeds {limit} bytes")
    return bytes(body)


async def _read_inquiry(request: Request) -> InquiryRequest | Response:
    body = await read_body(request, MAX_BODY_BYTES)
    if isinstance(body, Response):
        return body
    try:
        return InquiryRequest.model_validate_json(body)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(e["type"] == "too_long" and e["loc"] == ("subjects",) for e in errors):
            return _too_large(
                f"一次最多查询 {MAX_SUBJECTS} 个主体",
                f"at most {MAX_SUBJECTS} subjects per request",
            )
        title = ("请求不符合接口约定", "The request breaks the agency contract")
        return invalid("invalid-request", title, exc)


def invalid(slug: str, title: tuple[str, str], exc: pydantic.ValidationError) -> Response:
    """A 400 listing where the JSON is wrong and why, in both languages (``validation_detail``);
    never the input itself."""
    return problem_response(400, slug, title, validation_detail(exc))


def _too_large(zh: str, en: str) -> Response:
    return problem_response(413, "too-large", ("请求过大", "Content too large"), (zh, en))


async def pause(request: Request, state: MockState, seconds: float) -> bool:
    """Sleep ``seconds``; False as soon as the client has gone or the mock is stopping.

    uvicorn tells an app neither that its server is stopping nor (without a read) that the
    client left, so the pause polls: a hung request must not keep a server from shutting down.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(left, POLL_S))
        if state.stopping or await request.is_disconnected():
            return False
    return True


def gone() -> Response:
    """What a paused handler returns when its client left (nobody reads it) or the mock stops."""
    title = ("服务正在停止", "The mock is stopping")
    detail = ("模拟服务正在关闭", "the mock agency is shutting down")
    return problem_response(503, "stopping", title, detail, headers={"Connection": "close"})


def _broken(plan: FaultPlan, answer: JSONResponse, inquiry: InquiryRequest) -> Response:
    headers = {"X-Request-Id": header_safe(inquiry.request_id)}
    if plan.fault is FaultKind.RESET:
        return ResetResponse(bytes(answer.body), headers=headers, media_type="application/json")
    if plan.malformed is MalformedKind.SHAPE:  # valid JSON in a shape the contract does not know
        shape = {"code": "0000", "message": "查询成功", "data": {"list": [], "total": 0}}
        return JSONResponse(shape, headers=headers)
    if plan.malformed is MalformedKind.TRUNCATED:  # a complete HTTP message, half a document
        # cut on a character boundary: still UTF-8, just not a whole JSON document
        body = bytes(answer.body)
        half = body[: len(body) // 2].decode(errors="ignore").encode()
        return Response(half, headers=headers, media_type="application/json")
    page = "<html><body><h1>系统繁忙，请稍后再试</h1><p>System busy</p></body></html>"
    return Response(page.encode(), headers=headers, media_type="application/json")


class ResetResponse(Response):
    """Status line, headers (with the full Content-Length) and half the body, then nothing.

    Returning without finishing the response makes uvicorn close the connection, so a client on
    a real socket sees a truncated response (httpx: ``RemoteProtocolError``; through aiohttp:
    ``ClientPayloadError``). In process, httpx's ``ASGITransport`` fails its own assertion.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})


def header_safe(value: str) -> str:
    """The request id as a header value: as is when it is visible ASCII, else percent-encoded."""
    if all(" " < c <= "~" for c in value):
        return value
    return quote(value, safe="")


# --- auth, documents, admin -------------------------------------------------------------


def check_token(request: Request, state: MockState) -> Response | None:
    """None if the bearer token is right, else a 401 that says nothing about what was sent."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    given = credentials.strip() if scheme.lower() == "bearer" else ""
    if given and hmac.compare_digest(given.encode(), state.token.encode()):
        return None
    challenge = f'Bearer realm="{state.spec.agency}"'
    if given:
        challenge += ', error="invalid_token"'
    title, detail = UNAUTHORIZED
    return problem_response(
        401, "unauthorized", title, detail, headers={"WWW-Authenticate": challenge}
    )


async def _openapi(request: Request) -> Response:
    return Response(state_of(request).openapi, media_type="application/json")


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "agency": state_of(request).spec.agency})


async def _stats(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    return JSONResponse(state.stats.as_json())


async def _reset(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    state.reset()
    return JSONResponse(state.stats.as_json())


async def _faults(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    if request.method == "PUT":
        body = await read_body(request, MAX_HARNESS_BYTES)
        if isinstance(body, Response):
            return body
        try:
            state.faults = FaultConfig.model_validate_json(body)
        except pydantic.ValidationError as exc:
            title = ("故障配置无效", "Invalid fault configuration")
            return invalid("invalid-faults", title, exc)
    return JSONResponse(state.faults.model_dump(mode="json"))


async def _http_problem(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = exc.headers if isinstance(exc, HTTPException) else None
    titles = {404: ("未找到", "Not found"), 405: ("方法不允许", "Method not allowed")}
    title = titles.get(status, ("请求错误", "Request error"))
    detail = ("本服务不提供该路径或方法", "this mock does not serve that path or method")
    return problem_response(status, f"http-{status}", title, detail, headers=headers)


async def _server_problem(request: Request, exc: Exception) -> Response:
    return problem_response(
        500, "internal", ("内部错误", "Internal error"), ("模拟服务出错", "the mock failed")
    )
