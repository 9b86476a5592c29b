"""A batch's answer completed a few debtors at a time, the event loop free in between.

graphql-core completes a list of plain values in one stretch: for a 1,000-debtor batch about a
second of Python in which the process answers nothing else, a judge's single inquiry included
(``python -m bench.batch_neighbours``). A list field may also resolve to awaitables, each item
completed once it is resolved (graphql-core gathers them as tasks); ``paced`` hands the items
over that way, ``PACE_EVERY`` at a time: the first group at once, each next one when the group
before it has begun, one turn of the event loop later. Between two groups the loop polls its
sockets and runs whatever else is ready, so another request waits for a group (about 5 ms),
not for the whole completion. The answer, its errors and its order are unchanged: each item
resolves to the same value, and graphql-core completes it as it would have.

The work before the completion is sliced too where it loops over the batch's subjects: the
agencies' results made into profiles, their status counted for the log, the audit's records,
the profiles converted for the schema (``gateway.services.turns``, 50 a slice). What is left in
long stretches is each agency's answer validated into records (tens of milliseconds, several
in one turn when the agencies answer together) and graphql-core starting a task for each
debtor the completion hands over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar, cast

_T = TypeVar("_T")

# debtors a turn of the event loop: a full profile takes about half a millisecond to complete
# (0.45 s for 1,000 in `bench.batch`'s floor; about 1 ms until plain fields were completed in
# one step, gateway/schema/plain_fields.py), so another request waits about 5 ms for a group
# (when a group took about 25 ms, a judge's inquiry during a 1,000-debtor batch took a median of
# 234 ms; at about 10 ms, 94 ms, at the same cost to the batch: `bench.batch_neighbours`)
PACE_EVERY = 10


def paced(items: Sequence[_T], every: int = PACE_EVERY) -> list[_T]:
    """``items`` as they are when there are ``every`` or fewer; otherwise an awaitable for
    each, released ``every`` at a time, one turn of the event loop apart. Typed as a list of
    ``_T`` for the resolver's signature (strawberry builds the schema from it): graphql-core
    completes an awaitable item as the value it resolves to."""
    if len(items) <= every:
        return list(items)
    loop = asyncio.get_running_loop()
    # an event per group: each waiting item has a future of its own, so one item cancelled
    # (graphql-core cancels the rest when one fails) cancels no other
    gates = [asyncio.Event() for _ in range((len(items) + every - 1) // every)]
    gates[0].set()
    # whether a group has had its first item through (which opens the next group): the first
    # to run, not a given one, so that one item cancelled holds no group back
    begun = [False] * len(gates)

    async def released(index: int, value: _T) -> _T:
        group = index // every
        await gates[group].wait()
        if not begun[group]:
            begun[group] = True
            if group + 1 < len(gates):
                # the next group once the loop has had its turn: a callback for the next
                # iteration, which wakes the next group's items for the one after it
                loop.call_soon(gates[group + 1].set)
        return value

    awaitables: list[Awaitable[_T]] = [released(i, value) for i, value in enumerate(items)]
    return cast("list[_T]", awaitables)


__all__ = ["PACE_EVERY", "paced"]
