"""Faults on demand: configured rates per mock, or one request's ``X-Mock-Fault`` header.

A ``FaultConfig`` holds a fixed latency, a long-tailed extra latency and the share of
requests that get each fault. Each request draws one ``FaultPlan`` from the mock's own
``random.Random(fault_seed)`` (three draws per request whatever the config, so the stream of
outcomes for a seed is reproducible), unless the request carries ``X-Mock-Fault``, which then
decides alone::

    X-Mock-Fault: latency=200; error
    X-Mock-Fault: malformed=truncated
    X-Mock-Fault: none

Faults, and what a client sees:

    error        500 problem+json
    unavailable  503 problem+json
    rate-limit   429 problem+json with ``Retry-After: 1``
    hang         no answer until the client goes away
    reset        the status line, headers and half the body, then the connection is closed
                 (over a real socket: a truncated response; httpx raises RemoteProtocolError)
    malformed    200 with a body that breaks the contract: ``json`` (not JSON at all),
                 ``shape`` (valid JSON of another shape), ``truncated`` (JSON cut short)
"""

from __future__ import annotations

import enum
import math
import random
import statistics
from dataclasses import dataclass
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.domain.reasons import bilingual_error

MAX_LATENCY_MS = 600_000.0
MAX_LAG_LOOKUPS = 1000
TAIL_SIGMA = math.log(10) / statistics.NormalDist().inv_cdf(0.99)  # p99 = 10 x median
TAIL_CAP = 100.0  # the tail never adds more than 100 x tail_ms
HEADER = "X-Mock-Fault"

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Milliseconds = Annotated[float, Field(ge=0.0, le=MAX_LATENCY_MS)]


class FaultKind(enum.StrEnum):
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    RATE_LIMIT = "rate-limit"
    HANG = "hang"
    RESET = "reset"
    MALFORMED = "malformed"


class MalformedKind(enum.StrEnum):
    NOT_JSON = "json"
    SHAPE = "shape"
    TRUNCATED = "truncated"


class FaultConfig(BaseModel):
    """The faults of one mock; rates are shares of requests and add up to at most 1."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    latency_ms: Milliseconds = 0.0
    tail_ms: Milliseconds = 0.0  # median of a lognormal extra latency whose p99 is ~10x
    error_rate: Rate = 0.0
    unavailable_rate: Rate = 0.0
    rate_limit_rate: Rate = 0.0
    hang_rate: Rate = 0.0
    reset_rate: Rate = 0.0
    malformed_rate: Rate = 0.0

    @model_validator(mode="after")
    def _rates_add_up(self) -> Self:
        if sum(rate for _, rate in self.rates()) > 1.0 + 1e-9:
            raise bilingual_error("各故障比例之和超过 1", "the fault rates add up to more than 1")
        return self

    def rates(self) -> tuple[tuple[FaultKind, float], ...]:
        return (
            (FaultKind.ERROR, self.error_rate),
            (FaultKind.UNAVAILABLE, self.unavailable_rate),
            (FaultKind.RATE_LIMIT, self.rate_limit_rate),
            (FaultKind.HANG, self.hang_rate),
            (FaultKind.RESET, self.reset_rate),
            (FaultKind.MALFORMED, self.malformed_rate),
        )


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What happens to one request: a delay, then at most one fault."""

    delay_s: float = 0.0
    fault: FaultKind | None = None
    malformed: MalformedKind | None = None  # set when fault is MALFORMED


def draw(config: FaultConfig, rng: random.Random) -> FaultPlan:
    """The plan for the next request, from the mock's random stream."""
    tail_u, fault_u, kind_u = rng.random(), rng.random(), rng.random()
    delay_ms = config.latency_ms
    if config.tail_ms > 0:
        z = statistics.NormalDist().inv_cdf(min(max(tail_u, 1e-12), 1 - 1e-12))
        delay_ms += min(config.tail_ms * math.exp(TAIL_SIGMA * z), config.tail_ms * TAIL_CAP)
    edge = 0.0
    for kind, rate in config.rates():
        edge += rate
        if fault_u < edge:
            malformed = None
            if kind is FaultKind.MALFORMED:
                malformed = list(MalformedKind)[min(int(kind_u * 3), 2)]
            return FaultPlan(delay_ms / 1000, kind, malformed)
    return FaultPlan(delay_ms / 1000)


class FaultHeaderError(ValueError):
    """An ``X-Mock-Fault`` header the mock cannot follow; ``message_zh``/``message_en``."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


_ALIASES = {"rate_limit": FaultKind.RATE_LIMIT, "ratelimit": FaultKind.RATE_LIMIT}


def parse_fault_header(value: str) -> FaultPlan:
    """Parse ``X-Mock-Fault`` (``latency=200; error``); raises ``FaultHeaderError``.

    Error texts quote at most a short, printable token of the header, which holds no secret.
    """
    if len(value) > 200:
        raise FaultHeaderError("X-Mock-Fault 过长", "X-Mock-Fault is too long")
    delay_s = 0.0
    fault: FaultKind | None = None
    malformed: MalformedKind | None = None
    for raw in value.split(";"):
        item = raw.strip().lower()
        if not item or item == "none":
            continue
        name, _, argument = (part.strip() for part in item.partition("="))
        shown = "".join(c for c in name[:24] if c.isprintable())
        if name == "latency":
            delay_s = _milliseconds(name, argument) / 1000
            continue
        kind = _ALIASES.get(name) or next((k for k in FaultKind if k.value == name), None)
        if kind is None:
            raise FaultHeaderError(
                f"X-Mock-Fault 中有未知的故障“{shown}”",
                f"X-Mock-Fault names an unknown fault '{shown}'; known: latency=<ms>, "
                + ", ".join(k.value for k in FaultKind),
            )
        if fault is not None:
            raise FaultHeaderError(
                "X-Mock-Fault 只能指定一种故障", "X-Mock-Fault may name one fault only"
            )
        if kind is FaultKind.MALFORMED:
            malformed = _malformed_kind(argument)
        elif argument:
            raise FaultHeaderError(
                f"故障“{shown}”不带参数", f"the fault '{shown}' takes no argument"
            )
        fault = kind
    return FaultPlan(delay_s, fault, malformed)


def _milliseconds(name: str, argument: str) -> float:
    """``name=<ms>``'s milliseconds; ``FaultHeaderError`` (naming ``name``) when out of range."""
    try:
        value = float(argument)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_LATENCY_MS:  # also false for nan
        raise FaultHeaderError(
            f"{name} 应为非负的毫秒数，最大 {MAX_LATENCY_MS:.0f}",
            f"{name} must be a non-negative number of milliseconds, at most {MAX_LATENCY_MS:.0f}",
        )
    return value


def _lookups(argument: str) -> int:
    """``status-lag=<n>``'s lookups; ``FaultHeaderError`` outside 0..``MAX_LAG_LOOKUPS``."""
    if argument.isascii() and argument.isdigit() and int(argument) <= MAX_LAG_LOOKUPS:
        return int(argument)
    raise FaultHeaderError(
        f"status-lag 应为 0 到 {MAX_LAG_LOOKUPS} 之间的整数（查询次数）",
        f"status-lag must be a whole number of lookups from 0 to {MAX_LAG_LOOKUPS}",
    )


def _malformed_kind(argument: str) -> MalformedKind:
    if not argument:
        return MalformedKind.NOT_JSON
    for kind in MalformedKind:
        if kind.value == argument:
            return kind
    raise FaultHeaderError(
        "malformed 的取值应为 json、shape 或 truncated",
        "malformed must be one of json, shape, truncated",
    )


# --- faults of controls ------------------------------------------------------------------


class ControlFault(enum.StrEnum):
    """What can go wrong around ``POST /v1/controls``, the moment it matters: before or after
    the ledger changes."""

    TIMEOUT = "timeout"  # no answer until the client leaves; never applied
    LOST = "lost"  # applied, then half an answer and the connection closed
    ERROR_AFTER = "error-after"  # applied, then 500
    DUPLICATE = "duplicate"  # delivered twice inside the mock; applied once, answered once
    LATE = "late"  # applied after ``late_ms`` whether or not the client still waits


class ControlFaultConfig(BaseModel):
    """The control faults of one mock: shares of ``POST /v1/controls`` (adding up to at most 1),
    and the share of applied controls whose status lookup lags (drawn apart from the rest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    latency_ms: Milliseconds = 0.0  # on every control answered
    timeout_rate: Rate = 0.0
    lost_rate: Rate = 0.0
    error_after_rate: Rate = 0.0
    duplicate_rate: Rate = 0.0
    late_rate: Rate = 0.0
    late_ms: Milliseconds = 3000.0
    status_lag_rate: Rate = 0.0
    # a lagging GET /v1/controls/{requestId} answers 404 for this many lookups and this long
    status_lag_lookups: Annotated[int, Field(ge=0, le=MAX_LAG_LOOKUPS)] = 2
    status_lag_ms: Milliseconds = 0.0

    @model_validator(mode="after")
    def _rates_add_up(self) -> Self:
        if sum(rate for _, rate in self.rates()) > 1.0 + 1e-9:
            raise bilingual_error(
                "各控制故障比例之和超过 1", "the control fault rates add up to more than 1"
            )
        return self

    def rates(self) -> tuple[tuple[ControlFault, float], ...]:
        return (
            (ControlFault.TIMEOUT, self.timeout_rate),
            (ControlFault.LOST, self.lost_rate),
            (ControlFault.ERROR_AFTER, self.error_after_rate),
            (ControlFault.DUPLICATE, self.duplicate_rate),
            (ControlFault.LATE, self.late_rate),
        )


@dataclass(frozen=True, slots=True)
class ControlPlan:
    """What happens to one control: at most one fault, and whether its status lookup lags."""

    fault: ControlFault | None = None
    late_s: float = 0.0
    lag_lookups: int = 0  # 404 for this many lookups ...
    lag_s: float = 0.0  # ... and for this long after it was applied


def draw_control(config: ControlFaultConfig, rng: random.Random) -> ControlPlan:
    """The plan for the next control: two draws per control whatever the config."""
    fault_u, lag_u = rng.random(), rng.random()
    fault = None
    edge = 0.0
    for kind, rate in config.rates():
        edge += rate
        if fault_u < edge:
            fault = kind
            break
    lags = lag_u < config.status_lag_rate
    return ControlPlan(
        fault,
        config.late_ms / 1000,
        config.status_lag_lookups if lags else 0,
        config.status_lag_ms / 1000 if lags else 0.0,
    )


def parse_control_fault_header(value: str, config: ControlFaultConfig) -> ControlPlan:
    """``X-Mock-Fault`` on a control: one of ``timeout``, ``lost``, ``error-after``,
    ``duplicate``, ``late[=ms]``, ``status-lag[=lookups]`` or ``none``; ``FaultHeaderError``
    otherwise. Lengths the header leaves out come from ``config``."""
    item = value.strip().lower()
    name, _, argument = (part.strip() for part in item.partition("="))
    late_s = config.late_ms / 1000
    if len(value) > 200 or ";" in item:
        raise FaultHeaderError(
            "控制请求的 X-Mock-Fault 只能指定一种故障", "X-Mock-Fault on a control names one fault"
        )
    if name in ("", "none"):
        return ControlPlan(late_s=late_s)
    if name == "status-lag":
        lookups = _lookups(argument) if argument else config.status_lag_lookups
        return ControlPlan(late_s=late_s, lag_lookups=lookups)
    kind = next((k for k in ControlFault if k.value == name), None)
    if kind is None:
        shown = "".join(c for c in name[:24] if c.isprintable())
        raise FaultHeaderError(
            f"X-Mock-Fault 中有未知的控制故障“{shown}”",
            f"X-Mock-Fault names an unknown control fault '{shown}'; known: none, status-lag, "
            + ", ".join(k.value for k in ControlFault),
        )
    if kind is ControlFault.LATE and argument:
        late_s = _milliseconds(name, argument) / 1000
    return ControlPlan(kind, late_s)
