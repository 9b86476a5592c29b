"""``chakong serve`` with timing wrappers: ``python -m bench.fanout.gwtime OUT.json``.

Before the server starts, a few of the gateway's methods are wrapped (the classes' attributes
are replaced in this process only; no gateway file changes) so that every call records its wall
time and the process's CPU time (all threads: the store's reader and writer threads too) while
it ran:

- ``request``: the whole HTTP request to ``/graphql`` after routing (``AuthMiddleware``: token,
  rate limit, GraphQL parse / validate / execute, response);
- ``case_lookup``: ``CaseRegister.get_for_subjects``, the case's judges and the parties asked
  about, read before the fan-out (on a SQLite file, for a single inquiry, in the event loop on
  the store's own sqlite3 connection);
- ``fanout``: ``FanOut.inquire``, the agency calls;
- ``audit_append``: ``AuditWriter.append``, from queueing the inquiry's entry to its group's
  commit (on a SQLite file on the store's writer thread), after the fan-out;
- ``token_verify``: ``TokenService.verify`` (a token verified once is then looked up).

With requests sent one at a time, the CPU time of a stage is the stage's own (little else runs).
The samples, in ms, are written as JSON to OUT.json when the server stops (SIGTERM).
"""

from __future__ import annotations

import functools
import json
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar

from starlette.types import Receive, Scope, Send

from gateway.auth.tokens import TokenService
from gateway.cli import main
from gateway.http.middleware import AuthMiddleware
from gateway.services.audit_writer import AuditWriter
from gateway.services.cases import CaseRegister
from gateway.services.fanout import FanOut

P = ParamSpec("P")
T = TypeVar("T")

# stage -> [(wall ms, process CPU ms), ...]
SAMPLES: dict[str, list[tuple[float, float]]] = {}


def _record(stage: str, wall0: float, cpu0: float) -> None:
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    SAMPLES.setdefault(stage, []).append((wall * 1000, cpu * 1000))


def timed_async(
    stage: str, fn: Callable[P, Coroutine[Any, Any, T]]
) -> Callable[P, Coroutine[Any, Any, T]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            return await fn(*args, **kwargs)
        finally:
            _record(stage, wall0, cpu0)

    return wrapper


def timed(stage: str, fn: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _record(stage, wall0, cpu0)

    return wrapper


Asgi = Callable[[AuthMiddleware, Scope, Receive, Send], Coroutine[Any, Any, None]]


def _timed_request(fn: Asgi) -> Asgi:
    @functools.wraps(fn)
    async def wrapper(self: AuthMiddleware, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await fn(self, scope, receive, send)
            return
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            await fn(self, scope, receive, send)
        finally:
            _record("request", wall0, cpu0)

    return wrapper


def install() -> None:
    """Wrap the stages' methods (in this process)."""
    AuthMiddleware.__call__ = _timed_request(AuthMiddleware.__call__)  # type: ignore[method-assign,assignment]
    CaseRegister.get_for_subjects = timed_async(  # type: ignore[method-assign]
        "case_lookup", CaseRegister.get_for_subjects
    )
    FanOut.inquire = timed_async("fanout", FanOut.inquire)  # type: ignore[method-assign]
    AuditWriter.append = timed_async("audit_append", AuditWriter.append)  # type: ignore[method-assign]
    TokenService.verify = timed("token_verify", TokenService.verify)  # type: ignore[method-assign]


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run(out: str) -> int:
    install()
    # uvicorn shuts down on SIGTERM, then re-raises it with the previous handler in place: this
    # one turns it into SystemExit, so the samples are written instead of the process dying
    signal.signal(signal.SIGTERM, _exit)
    try:
        return main(["serve"])
    finally:
        Path(out).write_text(json.dumps(SAMPLES))


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1]))
