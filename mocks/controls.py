"""The control side of a mock agency: ``POST /v1/controls`` and ``GET /v1/controls/{requestId}``
over the mock's ``Ledger`` (``mocks.ledger``), with control faults on demand
(``mocks.faults.ControlFaultConfig``, or one request's ``X-Mock-Fault``), and the harness's
ledger inspection::

    POST /v1/controls              the contract: 200 applied|rejected, 409 another body, 400
    GET  /v1/controls/{requestId}  the first answer, or 404 (also while a lookup lags)
    GET  /_mock/ledger             Ledger.snapshot(): every control, deliveries, applications
    PUT  /_mock/clock              {"today": "YYYY-MM-DD" | null}: the mock's date
    GET  /_mock/control-faults     the ControlFaultConfig
    PUT  /_mock/control-faults     replace it

Order of handling a control: token (401), ``X-Mock-Fault`` (400), body (413, 400), an action
the agency does not apply (400), then the fault plan: a timeout hangs without applying; a late
control waits and then applies whether or not the client is still there; everything else
applies at once (a duplicate applies twice, which idempotency makes once), then answers, or
loses the answer (half of it, then the connection closes), or answers 500.
"""

from __future__ import annotations

import asyncio
import datetime
import math
from dataclasses import dataclass

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mocks.faults import (
    HEADER,
    ControlFault,
    ControlFaultConfig,
    ControlPlan,
    FaultHeaderError,
    draw_control,
    parse_control_fault_header,
)
from mocks.ledger import ControlConflictError
from mocks.problems import problem_response
from mocks.server import (
    MAX_HARNESS_BYTES,
    MockState,
    ResetResponse,
    check_token,
    gone,
    header_safe,
    invalid,
    pause,
    read_body,
    state_of,
)
from mocks.wire import ControlBody

MAX_CONTROL_BYTES = 64 * 1024


@dataclass(slots=True)
class Lag:
    """A status lookup that answers 404 for a while after the control was applied."""

    lookups: int
    until: float  # the event loop's time


async def create_control(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    try:
        forced = (
            parse_control_fault_header(request.headers[HEADER], state.control_faults)
            if HEADER in request.headers
            else None
        )
    except FaultHeaderError as exc:
        title = ("故障注入头无效", "Invalid X-Mock-Fault header")
        return problem_response(400, "bad-fault-header", title, (exc.message_zh, exc.message_en))
    body = await _read_body(request, state)
    if isinstance(body, Response):
        return body
    plan = forced or draw_control(state.control_faults, state.control_rng)
    if plan.fault is not None:
        _count(state, plan.fault.value)
    if state.control_faults.latency_ms and not await _sleep(
        state, state.control_faults.latency_ms / 1000
    ):
        return gone()
    if plan.fault is ControlFault.TIMEOUT:
        await pause(request, state, math.inf)  # until the client gives up; never applied
        return gone()
    if plan.fault is ControlFault.LATE and not await _sleep(state, plan.late_s):
        return gone()
    try:
        answer, replayed = state.ledger.control(body)
        if plan.fault is ControlFault.DUPLICATE:  # the network delivered it a second time
            answer, replayed = state.ledger.control(body)
    except ControlConflictError:
        return problem_response(
            409,
            "request-id-conflict",
            ("requestId 冲突", "requestId conflict"),
            (
                "该 requestId 已用于内容不同的查控请求",
                "this requestId was used for a control with another body",
            ),
        )
    if not replayed and answer["status"] == "applied":
        _start_lag(state, body.request_id, plan)
    headers = {"X-Request-Id": header_safe(body.request_id)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    rendered = JSONResponse(answer, headers=headers)
    if plan.fault is ControlFault.LOST:
        return ResetResponse(bytes(rendered.body), headers=headers, media_type="application/json")
    if plan.fault is ControlFault.ERROR_AFTER:
        title = ("内部错误（模拟）", "Internal error (simulated)")
        detail = ("模拟的故障，结果未知", "a simulated fault; the outcome is unknown")
        return problem_response(500, "server-error", title, detail, headers=headers)
    return rendered


async def control_status(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    request_id: str = request.path_params["request_id"]
    answer = state.ledger.status(request_id)
    if answer is None or _lagging(state, request_id):
        return problem_response(
            404,
            "unknown-control",
            ("未找到", "Not found"),
            ("未收到过该 requestId 的查控请求", "no control with this requestId was received"),
        )
    return JSONResponse(answer, headers={"X-Request-Id": header_safe(request_id)})


async def ledger_snapshot(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    return JSONResponse(state.ledger.snapshot())


class _Clock(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    today: datetime.date | None


async def clock(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    body = await read_body(request, MAX_HARNESS_BYTES)
    if isinstance(body, Response):
        return body
    try:
        state.ledger.fixed_today = _Clock.model_validate_json(body).today
    except pydantic.ValidationError as exc:
        return invalid("invalid-clock", ("日期无效", "Invalid date"), exc)
    return JSONResponse({"today": state.ledger.today.isoformat()})


async def control_faults(request: Request) -> Response:
    state = state_of(request)
    if (denied := check_token(request, state)) is not None:
        return denied
    if request.method == "PUT":
        body = await read_body(request, MAX_HARNESS_BYTES)
        if isinstance(body, Response):
            return body
        try:
            state.control_faults = ControlFaultConfig.model_validate_json(body)
        except pydantic.ValidationError as exc:
            title = ("故障配置无效", "Invalid fault configuration")
            return invalid("invalid-faults", title, exc)
    return JSONResponse(state.control_faults.model_dump(mode="json"))


CONTROL_ROUTES = (
    Route("/v1/controls", create_control, methods=["POST"]),
    Route("/v1/controls/{request_id}", control_status, methods=["GET"]),
)
HARNESS_ROUTES = (
    Route("/_mock/ledger", ledger_snapshot, methods=["GET"]),
    Route("/_mock/clock", clock, methods=["PUT"]),
    Route("/_mock/control-faults", control_faults, methods=["GET", "PUT"]),
)


async def _read_body(request: Request, state: MockState) -> ControlBody | Response:
    raw = await read_body(request, MAX_CONTROL_BYTES)
    if isinstance(raw, Response):
        return raw
    try:
        body = ControlBody.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        return invalid(
            "invalid-request", ("请求不符合接口约定", "The request breaks the contract"), exc
        )
    if body.action not in state.spec.controls:
        actions = ", ".join(sorted(state.spec.controls))
        return problem_response(
            400,
            "unsupported-action",
            ("不支持的查控动作", "Unsupported control action"),
            (f"本机构接受：{actions}", f"this agency applies: {actions}"),
        )
    return body


async def _sleep(state: MockState, seconds: float) -> bool:
    """Sleep whether or not the client is still there; False if the mock is stopping."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(left, 0.05))
        if state.stopping:
            return False
    return True


def _count(state: MockState, kind: str) -> None:
    faults = state.stats.control_faults
    faults[kind] = faults.get(kind, 0) + 1


def _start_lag(state: MockState, request_id: str, plan: ControlPlan) -> None:
    if plan.lag_lookups or plan.lag_s:
        _count(state, "status-lag")
        until = asyncio.get_running_loop().time() + plan.lag_s
        state.lags[request_id] = Lag(plan.lag_lookups, until)


def _lagging(state: MockState, request_id: str) -> bool:
    lag = state.lags.get(request_id)
    if lag is None:
        return False
    if lag.lookups > 0 or asyncio.get_running_loop().time() < lag.until:
        lag.lookups -= 1
        return True
    del state.lags[request_id]
    return False
