"""A large request's work done in slices, the event loop given a turn between two.

A process's requests share one event loop: while a 1,000-debtor batch makes its agencies'
answers into profiles, or its profiles into the schema's objects, no other request of the
process moves. Each of those steps is a loop over the batch's subjects, tens to hundreds of
milliseconds of Python in one stretch, and a judge's single inquiry that arrives then waits for
all of it (``python -m bench.batch_neighbours``). ``in_turns`` hands such a loop its items a
slice at a time and, between two slices, lets the event loop poll its sockets and run whatever
else is ready. A request of ``TURN`` items or fewer is one slice: it never waits a turn.

The batch's answer is unchanged: the same work on the same items in the same order. Its own
time grows by what the other requests do in the turns it gives them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

_T = TypeVar("_T")

# items a slice: a profile's conversion takes 0.1 to 0.25 ms, so a slice is a stretch of about
# 5 to 12 ms; the completion's own slices (``gateway.resolvers.pacing``) are about 5 ms
TURN = 50


async def in_turns(items: Sequence[_T], every: int = TURN) -> AsyncIterator[Sequence[_T]]:
    """``items`` in slices of ``every``, the event loop given one turn before each slice but
    the first."""
    if every < 1:
        raise ValueError(f"every must be at least 1, not {every}")
    for start in range(0, len(items), every):
        if start:
            await asyncio.sleep(0)
        yield items[start : start + every]


__all__ = ["TURN", "in_turns"]
