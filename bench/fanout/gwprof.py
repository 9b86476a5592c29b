"""``chakong serve`` under cProfile: ``python -m bench.fanout.gwprof OUT.prof``.

The profile (the event loop's thread; wall time, so waiting shows as ``select.epoll.poll``) is
written to OUT.prof when the server stops (SIGTERM).
"""

from __future__ import annotations

import cProfile
import signal
import sys
from types import FrameType

from gateway.cli import main


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run(out: str) -> int:
    # cProfile sees the event loop's Python frames only on asyncio's own loop: hide uvloop, so
    # uvicorn's "auto" loop falls back to asyncio (the shares change little; the totals do)
    sys.modules["uvloop"] = None  # type: ignore[assignment]
    # uvicorn shuts down on SIGTERM, then re-raises it with the previous handler in place: this
    # one turns it into SystemExit, so the profile is written instead of the process dying
    signal.signal(signal.SIGTERM, _exit)
    profiler = cProfile.Profile()
    try:
        result = profiler.runcall(main, ["serve"])
    finally:
        profiler.dump_stats(out)
    return result


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1]))
