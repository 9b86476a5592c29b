"""Read policies shared by every connector: circuit breaker, bounded retries, deadlines.

Writes (controls) never pass through here: a control is retried only by the reconciler, with
the same request id, after asking the agency what happened.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from connectors.errors import AgencyRateLimitedError, TransientError

T = TypeVar("T")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures, not a failure *rate*.

    Agencies see a few calls a minute, so a rate over a 100-call window would never trip.
    After ``reset_after_s`` open, one probe call is let through (half-open); its success closes
    the circuit, its failure opens it again for another ``reset_after_s``.
    """

    def __init__(
        self,
        failure_threshold: int,
        reset_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_after_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one probe at a time may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probing = False

    def release_probe(self) -> None:
        """The probe ended without a verdict (cancelled): let another one through."""
        self._probing = False


class _StopAtDeadline(stop_base):
    """Stop when the next attempt could not start, with time to spare, before the deadline."""

    def __init__(self, deadline: float, min_attempt_s: float) -> None:
        self.deadline = deadline
        self.min_attempt_s = min_attempt_s

    def __call__(self, state: RetryCallState) -> bool:
        now = asyncio.get_running_loop().time()
        return now + state.upcoming_sleep + self.min_attempt_s >= self.deadline


class _WaitRetryAfter(wait_base):
    """Jittered exponential backoff, or the agency's Retry-After when it gave one."""

    def __init__(self, base_s: float) -> None:
        self._backoff = wait_random_exponential(multiplier=base_s, max=2.0)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, AgencyRateLimitedError) and exc.retry_after is not None:
            return min(exc.retry_after, 5.0)
        return float(self._backoff(state))


def read_retrying(
    *, max_attempts: int, backoff_base_s: float, deadline: float, min_attempt_s: float = 0.05
) -> AsyncRetrying:
    """A fresh retrying controller for one read call (never share one across calls).

    Retries only ``TransientError``; ``CancelledError`` and every other error go straight out.
    Bounded by attempts and by the loop-time ``deadline``; re-raises the last error.
    """
    return AsyncRetrying(
        stop=stop_after_attempt(max_attempts) | _StopAtDeadline(deadline, min_attempt_s),
        wait=_WaitRetryAfter(backoff_base_s),
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    )


class LatencyTracker:
    """Recent successful call latencies of one source, for its hedging delay."""

    def __init__(self, window: int = 200, min_samples: int = 20) -> None:
        self._samples: deque[float] = deque(maxlen=window)
        self._min_samples = min_samples
        self._p95: float | None = None

    def record(self, seconds: float) -> None:
        self._samples.append(seconds)
        self._p95 = None

    def p95(self) -> float | None:
        """The 95th percentile of the window, or None until there are enough samples."""
        if len(self._samples) < self._min_samples:
            return None
        if self._p95 is None:
            ordered = sorted(self._samples)
            self._p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return self._p95


async def hedged(call: Callable[[], Awaitable[T]], delay: float | None) -> T:
    """Run ``call``; if it has not answered after ``delay`` seconds, run it once more and take
    whichever answers first. Only for reads, which are safe to send twice.

    An error of one call waits for the other; if both fail, the first error is raised.
    Cancelling ``hedged`` cancels both calls. ``delay`` None: no hedging, one call.
    """
    if delay is None:
        return await call()
    tasks: list[asyncio.Future[T]] = [asyncio.ensure_future(call())]
    try:
        done, _ = await asyncio.wait(tasks, timeout=delay)
        if not done:
            tasks.append(asyncio.ensure_future(call()))
        pending: set[asyncio.Future[T]] = set(tasks)
        errors: list[BaseException] = []
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                error = task.exception()
                if error is None:
                    return task.result()
                errors.append(error)
        raise errors[0]
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
