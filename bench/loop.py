"""The event loop a benchmark measures on: uvloop where it is installed, as the gateway runs
(``chakong serve``: uvicorn picks it up; the CLI's ``_run``), else asyncio's own. A benchmark
that times the gateway's code in its own process counts the loop's CPU too, so it runs that
code on the loop the gateway would."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


def run(main: Coroutine[Any, Any, _T]) -> _T:
    try:
        import uvloop
    except ImportError:  # not on Windows
        return asyncio.run(main)
    return uvloop.run(main)
