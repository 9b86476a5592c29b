"""The read retry controller: bounded by attempts and deadline, never retrying cancellation."""

from __future__ import annotations

import asyncio

import pytest

from connectors.errors import RateLimitedError, RequestRejectedError, SourceUnavailableError
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
        raise RateLimitedError("x", "x", retry_after=3.0)  # waiting 3 s would pass the deadline

    with pytest.raises(RateLimitedError):
        await run(limited, deadline_in=1.0)
    assert calls == [1]


async def test_retry_after_is_honoured_within_the_deadline():
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def once(call: int) -> None:
        if call == 1:
            raise RateLimitedError("x", "x", retry_after=0.3)

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

    from connectors.http import _retry_after

    assert _retry_after("2") == 2.0
    assert _retry_after("-5") == 0.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    seconds = _retry_after(email.utils.format_datetime(later, usegmt=True))
    assert seconds is not None
    assert 25 <= seconds <= 31
