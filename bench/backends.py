"""An inquiry's gateway CPU on each storage a court deploys, side by side:
``python -m bench.backends [--queries 300] [--rounds 8]``.

Three gateways of this checkout run at once against the same mock agencies (one process,
answering at once): on a SQLite file with the in-process cache (the defaults), on PostgreSQL
with the in-process cache, and on PostgreSQL with the record cache on Redis
(``bench/backend_settings.py``). Each round sends ``--queries`` full-profile inquiries
(``fresh: true``, one at a time, as figure (b) does) to each gateway in turn, the order reversed
every round, and reads each gateway's CPU (utime + stime) from ``/proc``
(``bench.paired_cpu.paired_rounds``). The figures are the medians of the rounds' own ratios to
the SQLite gateway's CPU in the same round, so that the machine's drift over minutes cancels out.

With ``fresh: true`` every inquiry writes its nine agencies' entries to the cache and reads
none: Redis's figure is the price of those writes (and of nothing else that differs). No
target: what a deployment pays for each choice, measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
from typing import Any

from bench.backend_settings import BACKENDS, STORAGE, backend_settings, missing
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS, write_raw
from bench.options import at_least
from bench.paired_cpu import Side, paired_rounds


async def measure(count: int, rounds: int, warmup: int) -> dict[str, Any]:
    async with contextlib.AsyncExitStack() as stack:
        sides = [
            Side(backend, None, await stack.enter_async_context(backend_settings(backend)))
            for backend in BACKENDS
        ]
        cpu = await paired_rounds(sides, count, rounds, warmup)
    return {"cpu": cpu, "queries": count, "rounds": rounds}


def ratios(cpu: dict[str, list[float]], side: str, base: str) -> list[float]:
    return [a / b for a, b in zip(cpu[side], cpu[base], strict=True)]


def figures(raw: dict[str, Any]) -> list[Figure]:
    cpu = raw["cpu"]
    found = []
    for side, base in (
        ("postgresql", "sqlite"),
        ("postgresql+redis", "sqlite"),
        ("postgresql+redis", "postgresql"),
    ):
        each = ratios(cpu, side, base)
        extra = [a - b for a, b in zip(cpu[side], cpu[base], strict=True)]
        found.append(
            Figure(
                f"{side}/{base}",
                f"gateway CPU per inquiry, {side} / {base}",
                statistics.median(each),
                "",
                None,
                detail=(
                    f"{statistics.median(cpu[side]):.2f} ms vs "
                    f"{statistics.median(cpu[base]):.2f} ms (median rounds), "
                    f"{statistics.median(extra):+.2f} ms per inquiry; the rounds' ratios: "
                    f"min {min(each):.3f}, max {max(each):.3f} over {len(each)} rounds"
                ),
            )
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.backends", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--queries", type=at_least(1), default=300, help="per gateway and round")
    parser.add_argument("--rounds", type=at_least(1), default=8)
    parser.add_argument("--warmup", type=at_least(0), default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    for backend in BACKENDS:
        if (why := missing(backend)) is not None:
            print(f"cannot measure on {backend}: {why}", file=sys.stderr)
            return 2
    load_start = os.getloadavg()
    raw = asyncio.run(measure(args.queries, args.rounds, args.warmup))
    load_end = os.getloadavg()
    found = figures(raw)
    print(table(found))
    if args.no_write:
        return 0
    rounds = "; ".join(
        f"{backend} " + ", ".join(f"{x:.2f}" for x in raw["cpu"][backend]) for backend in BACKENDS
    )
    setup = (
        "Three gateways of this checkout (`chakong serve`, each with its own keys and case) at "
        "once against the same mock agencies, answering at once: "
        + "; ".join(f"{backend}: {STORAGE[backend]}" for backend in BACKENDS)
        + f". {args.rounds} rounds of {args.queries} sequential full-profile inquiries "
        "(`fresh: true`, as figure (b): every inquiry writes its nine agencies' entries to the "
        "cache and reads none) to each, the order reversed every round; each gateway's CPU from "
        "`/proc`. Each figure is the median of the rounds' own ratios. See the module's "
        f"docstring. Rounds (ms per inquiry): {rounds}."
    )
    write_bench_section(
        name="backends",
        title="An inquiry's CPU on each storage (`bench/backends.py`)",
        command="python -m bench.backends",
        load=(load_start, load_end),
        setup=setup,
        figures=found,
        results=RESULTS,
    )
    write_raw("backends", raw)
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
