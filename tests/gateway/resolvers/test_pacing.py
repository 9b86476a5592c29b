"""``paced``: a long list handed to graphql-core a group at a time, the event loop's turn between
groups; the values and their order unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

from gateway.resolvers.pacing import paced


class _Turns:
    """Counts the event loop's turns: a task that goes round once per iteration."""

    def __init__(self) -> None:
        self.count = 0
        self._task = asyncio.ensure_future(self._go())

    async def _go(self) -> None:
        while True:
            await asyncio.sleep(0)
            self.count += 1

    def stop(self) -> None:
        self._task.cancel()


async def test_a_short_list_is_handed_over_as_it_is():
    items = list(range(5))
    assert paced(items, every=5) == items


async def test_a_long_list_is_released_a_group_at_a_time_with_the_loop_turning_between():
    turns = _Turns()
    seen: list[tuple[int, int]] = []

    async def complete(item: Awaitable[int]) -> int:
        value = await item
        seen.append((value, turns.count))  # graphql-core completes it here
        return value

    # as graphql-core does with a list of awaitables: a task for each, gathered
    items = cast("list[Awaitable[int]]", paced(list(range(10)), every=4))
    assert await asyncio.gather(*(complete(i) for i in items)) == list(range(10))
    turns.stop()
    groups = [[t for v, t in seen if v // 4 == g] for g in range(3)]
    assert [len(g) for g in groups] == [4, 4, 2]
    assert all(len(set(g)) == 1 for g in groups)  # a group in one turn
    # the loop turned between groups, so whatever else was ready ran in between
    assert groups[0][0] < groups[1][0] < groups[2][0]
    assert [v for v, _ in seen] == list(range(10))


async def test_an_item_cancelled_holds_back_neither_its_group_nor_the_next():
    items = cast("list[Awaitable[int]]", paced(list(range(6)), every=2))
    tasks: list[asyncio.Task[Any]] = [asyncio.ensure_future(i) for i in items]
    await asyncio.sleep(0)  # the first group is through; the others wait
    tasks[2].cancel()  # the first of the second group
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert done[:2] == [0, 1]
    assert isinstance(done[2], asyncio.CancelledError)
    assert done[3:] == [3, 4, 5]
