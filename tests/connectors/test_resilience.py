"""The read retry controller: bounded by attempts and deadline, never retrying cancellation."""

from __future__ import annotations

import asyncio

import pytest

from connectors.errors import AgencyRateLimitedError, RequestRejectedError, SourceUnavailableError
from connectors.resilience import read_retrying


async def run(behaviour, *, max_attempts=5, deadline_in=5.0, base=0.001) -> int:
    loop = asyncio.get_running_loop()
    calls = 0
    async for attempt in read_retrying(
        max_attempts=max_attempts, backoff_base_s=base, deadline=loop.time() + deadline_in
    ):
        with attempt:
            calls += 1
            await behaviour(calls)
    return calls


async def test_transient_errors_are_retried_until_success():
    async def flaky(call: int) -> None:
        if call < 3:
            raise SourceUnavailableError("x", "x")

    assert await run(flaky) == 3


async def test_attempts_are_bounded_and_the_last_error_is_raised():
    calls = []

    async def down(call: int) -> None:
        calls.append(call)
        raise SourceUnavailableError("x", f"failure {call}")

    with pytest.raises(SourceUnavailableError, match="failure 4"):
        await run(down, max_attempts=4)
    assert calls == [1, 2, 3, 4]


async def test_other_errors_and_cancellation_are_never_retried():
    calls = []

    async def rejected(call: int) -> None:
        calls.append(call)
        raise RequestRejectedError("x", "x")

    with pytest.raises(RequestRejectedError):
        await run(rejected)
    assert calls == [1]

    async def cancelled(call: int) -> None:
        calls.append(call)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await run(cancelled)
    assert calls == [1, 1]


async def test_no_retry_that_would_start_after_the_deadline():
    calls = []

    async def limited(call: int) -> None:
        calls.append(call)
        raise AgencyRateLimitedError(
            "x", "x", retry_after=3.0
        )  # waiting 3 s would pass the deadline

    with pytest.raises(AgencyRateLimitedError):
        await run(limited, deadline_in=1.0)
    assert calls == [1]


async def test_retry_after_is_honoured_within_the_deadline():
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def once(call: int) -> None:
        if call == 1:
            raise AgencyRateLimitedError("x", "x", retry_after=0.3)

    assert await run(once) == 2
    assert loop.time() - started >= 0.3


async def test_a_controller_per_call_keeps_attempt_counts_apart_under_concurrency():
    async def fail_twice(call: int) -> None:
        await asyncio.sleep(0.01)
        if call < 3:
            raise SourceUnavailableError("x", "x")

    counts = await asyncio.gather(*(run(fail_twice, max_attempts=3) for _ in range(10)))
    assert counts == [3] * 10


def test_retry_after_in_both_forms():
    import datetime
    import email.utils

    from connectors.transport import _retry_after

    assert _retry_after("2") == 2.0
    assert _retry_after("-5") == 0.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    seconds = _retry_after(email.utils.format_datetime(later, usegmt=True))
    assert seconds is not None
    assert 25 <= seconds <= 31


def test_latency_tracker_p95_needs_enough_samples():
    from connectors.resilience import LatencyTracker

    tracker = LatencyTracker(window=100, min_samples=20)
    for i in range(19):
        tracker.record(i / 1000)
    assert tracker.p95() is None
    for i in range(19, 100):
        tracker.record(i / 1000)
    assert tracker.p95() == pytest.approx(0.095)
    for _ in range(100):  # the window slides: old samples leave
        tracker.record(0.5)
    assert tracker.p95() == 0.5


async def test_hedged_takes_the_first_answer_and_cancels_the_other():
    from connectors.resilience import hedged

    started: list[int] = []
    cancelled: list[int] = []

    async def call() -> int:
        n = len(started) + 1
        started.append(n)
        try:
            await asyncio.sleep(5 if n == 1 else 0.01)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        return n

    assert await asyncio.wait_for(hedged(call, 0.05), timeout=2) == 2
    await asyncio.sleep(0)
    assert started == [1, 2]
    assert cancelled == [1]


async def test_hedged_sends_once_when_the_first_answer_is_quick_or_hedging_is_off():
    from connectors.resilience import hedged

    calls = []

    async def call() -> str:
        calls.append(1)
        return "ok"

    assert await hedged(call, 0.5) == "ok"
    assert await hedged(call, None) == "ok"
    assert len(calls) == 2


async def test_hedged_waits_for_the_twin_when_one_call_fails_and_raises_if_both_do():
    from connectors.resilience import hedged

    outcomes = iter([0.1, 0.2])

    async def first_fails() -> str:
        delay = next(outcomes)
        await asyncio.sleep(delay)
        if delay == 0.1:
            raise SourceUnavailableError("x", "first failed")
        return "second"

    assert await hedged(first_fails, 0.05) == "second"

    async def always_fails() -> str:
        await asyncio.sleep(0.1)
        raise SourceUnavailableError("x", "failed")

    with pytest.raises(SourceUnavailableError):
        await hedged(always_fails, 0.05)
