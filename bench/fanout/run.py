"""The fan-out benchmark; ``python -m bench.fanout --help`` for its options.

Processes: the mock agencies (``bench.fanout.mockproc``) and the gateway (``chakong serve``)
each run in a subprocess; the load client (httpx over aiohttp) and the in-memory baseline run
here. Every query asks with ``fresh: true``, so the cache never hides the work.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from bench.fanout import procs
from bench.fanout.figures import figures
from bench.fanout.measure import Config, measure
from bench.fanout.report import git_revision, machine, steal_percent, steal_warning, table
from bench.fanout.results import record
from bench.options import at_least, milliseconds


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    defaults = Config()
    parser.add_argument("--warmup", type=at_least(0), default=defaults.warmup)
    parser.add_argument("--cpu-queries", type=at_least(1), default=defaults.cpu_queries)
    parser.add_argument("--rounds", type=at_least(1), default=defaults.rounds)
    parser.add_argument("--latency-queries", type=at_least(1), default=defaults.latency_queries)
    parser.add_argument("--latency-runs", type=at_least(1), default=defaults.latency_runs)
    parser.add_argument("--latency-ms", type=milliseconds, default=defaults.latency_ms)
    parser.add_argument("--floor-queries", type=at_least(1), default=defaults.floor_queries)
    parser.add_argument("--leads-queries", type=at_least(1), default=defaults.leads_queries)
    parser.add_argument("--batch-size", type=at_least(1), default=defaults.batch_size)
    parser.add_argument("--batch-runs", type=at_least(1), default=defaults.batch_runs)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md and out/ alone"
    )
    args = parser.parse_args(argv)
    config = Config(
        warmup=args.warmup,
        cpu_queries=args.cpu_queries,
        rounds=args.rounds,
        latency_queries=args.latency_queries,
        latency_runs=args.latency_runs,
        latency_ms=args.latency_ms,
        floor_queries=args.floor_queries,
        leads_queries=args.leads_queries,
        batch_size=args.batch_size,
        batch_runs=args.batch_runs,
    )
    # SIGTERM unwinds like Ctrl-C, so the subprocesses are stopped on the way out
    signal.signal(signal.SIGTERM, _terminated)
    started = time.perf_counter()
    load_before = os.getloadavg()
    info = machine()
    with (
        tempfile.TemporaryDirectory(prefix="chakong-bench-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
        procs.gateway(Path(tmp), mocks) as gateway,
    ):
        raw = asyncio.run(measure(config, mocks, gateway))
        raw["gateway_command"] = gateway.command
    raw["date"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw["git"] = git_revision()
    raw["duration_s"] = time.perf_counter() - started
    raw["load_before"], raw["load_after"] = list(load_before), list(os.getloadavg())
    raw["steal_percent"] = steal_percent()
    figs = figures(config, raw)
    print()
    print(table(figs))
    print(f"\n{raw['duration_s']:.0f} s in all")
    warning = steal_warning(raw["steal_percent"])
    if warning:
        print(warning, file=sys.stderr)
    if not args.no_write:
        record(config, raw, figs, info)
    return 0 if all(f.passed is not False for f in figs) else 1


if __name__ == "__main__":
    sys.exit(main())
