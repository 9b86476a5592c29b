"""The interpreter's own settings for a long-running gateway process, and its event loop.

A request allocates tens of thousands of short-lived objects (agency answers, GraphQL results,
their dictionaries); with Python's defaults the young generation is collected every 700
allocations, and every so often a full collection walks the whole heap, start-up modules and
schema included. ``chakong serve`` calls ``tune_gc`` once the application is built, before the
server starts (never the tests' process, which builds many applications):

- ``gc.freeze()`` moves everything allocated so far (the imported modules, the schema, the
  settings) to a permanent generation that collections no longer traverse;
- the young generation's threshold is raised (``gc_young_threshold``), so the short-lived
  objects of a request are mostly freed by reference counting before a collection sees them.

Reference cycles are still collected, only less often; ``bench/gc.py`` records CPU and peak
memory against Python's defaults.

``tune_threads`` shortens the interval after which a thread waiting for the GIL gets it
(``switch_interval_ms``, 1 ms against Python's 5). The event loop's thread holds the GIL for
about a second while it completes a batch's answer; meanwhile the store's writer thread writes
the batch's audit group, and after every statement (sqlite3 lets the GIL go while SQLite works)
it waits a whole interval to have the GIL back. With Python's 5 ms, that group took about half
a second (timing lines added for the measurement), and a judge's inquiry whose entry was queued
behind it waited as long (``python -m bench.batch_neighbours``, which runs one process both
ways). A thread that is alone is not affected: the interval only matters when another is
waiting.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def run_event_loop(main: Coroutine[Any, Any, _T]) -> _T:
    """Run ``main`` on uvloop where it is installed (as uvicorn does for ``chakong serve``), else
    on asyncio's own loop: the CLI's commands, and the benchmarks that time the gateway's code in
    their own process (the loop's CPU counts in them)."""
    try:
        import uvloop
    except ImportError:  # not on Windows
        return asyncio.run(main)
    return uvloop.run(main)


def tune_gc(*, freeze: bool, young_threshold: int) -> None:
    """Freeze the start-up heap and set the young generation's threshold (0: leave it)."""
    if freeze:
        gc.collect()
        gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
    log.debug(
        "garbage collector: %d objects frozen, thresholds %s",
        gc.get_freeze_count(),
        gc.get_threshold(),
    )


def tune_threads(*, switch_interval_ms: float) -> None:
    """Set the interpreter's thread switch interval (0: leave Python's)."""
    if switch_interval_ms > 0:
        sys.setswitchinterval(switch_interval_ms / 1000)
    log.debug("thread switch interval: %g ms", sys.getswitchinterval() * 1000)
