"""``in_turns``: a large request's loop handed its items a slice at a time, the event loop's turn
between two slices; a small request's in one slice, without a turn."""

from __future__ import annotations

import asyncio

import pytest

from gateway.services.turns import in_turns


async def sliced_beside_another_task(items: list[int], every: int) -> list[object]:
    """What happened, in order: each slice, and each step of a task that was ready all along."""
    happened: list[object] = []

    async def other() -> None:
        while True:
            happened.append("other")
            await asyncio.sleep(0)

    task = asyncio.ensure_future(other())
    async for group in in_turns(items, every):
        happened.append(list(group))
    task.cancel()
    return happened


async def test_a_request_of_a_slice_or_less_gives_no_turn():
    assert await sliced_beside_another_task([1, 2, 3], every=3) == [[1, 2, 3]]
    assert await sliced_beside_another_task([], every=3) == []


async def test_a_larger_one_is_sliced_with_the_loop_turning_before_each_slice_but_the_first():
    happened = await sliced_beside_another_task(list(range(7)), every=3)
    assert happened == [[0, 1, 2], "other", [3, 4, 5], "other", [6]]


async def test_a_slice_must_hold_an_item():
    with pytest.raises(ValueError, match="at least 1"):
        [group async for group in in_turns([1], every=0)]
