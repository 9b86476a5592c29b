"""What waking from idle costs on this machine: ``python -m bench.wakeup``.

    python -m bench.wakeup [--rounds 3] [--no-write]

Figure (b) (``bench.fanout``) sets the gateway's CPU per inquiry, one inquiry after another,
against strawberry executing the same query back to back in a loop. Within an inquiry the gateway
waits: for the request, for the nine agencies' answers, for its audit group's commit. Each wait
puts the process to sleep (about seven times per inquiry at zero mock latency), and the work that
follows starts on a CPU that has been idle. The baseline's loop never sleeps. This benchmark
measures, with no gateway and no network, what that costs on the machine it runs on:

1. **a wake-up alone**: the process CPU (``time.process_time``) per wake-up of a thread that does
   nothing but ``time.sleep(p)``, and of an asyncio task on uvloop (the server's event loop) doing
   nothing but ``await asyncio.sleep(p)``, for p of 1, 10 and 100 ms;
2. **the same work after idle**: strawberry executing figure (b)'s query over the in-memory profile
   (``bench.fanout.baseline``: the same schema, extensions, caches and garbage-collector settings),
   its own CPU (``baseline.run_baseline`` of one execution, the idle gap not counted), back to
   back and after an idle gap (``await asyncio.sleep`` on uvloop) of 1, 5, 20 and 200 ms before
   each execution. Each gap's median execution over the back-to-back median is the figure:
   1.00 where idling costs nothing. The gaps take turns within each of ``--rounds`` rounds.

No figure has a target: they describe the machine, beside the figures that depend on it. On the
two-core virtual machines of December 2026, figure (b) in CPU time ranged from 2.4 to 3.1 with the
machine while the same comparison in instructions (``bench.instructions``) stayed at 1.53 to 1.57.
Part of that difference is waking: at zero mock latency an inquiry's seven or so wake-ups cost
tens of µs each, and with the agencies at 200 ms the inquiry's work follows a long idle gap and
takes about twice the CPU (``bench.fanout.profile --part stages``). The rest is how fast the
gateway's larger body of code runs one request at a time: under load, where the process seldom
sleeps, its CPU per request falls to 1.5 to 1.9 times strawberry's (``bench.throughput``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable

import uvloop

from bench.fanout import baseline, queries
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least

PERIODS_S = (0.001, 0.01, 0.1)
WAKE_SPAN_S = 1.5  # how long each wake-up measurement sleeps in all
GAPS_MS = (0, 1, 5, 20, 200)  # 0: back to back
EXECUTIONS = {0: 60, 1: 60, 5: 60, 20: 40, 200: 10}  # per gap and round


def thread_wakeup_us(period_s: float) -> float:
    """Process CPU per wake-up of a thread that only sleeps ``period_s``."""
    count = max(1, round(WAKE_SPAN_S / period_s))
    start = time.process_time()
    for _ in range(count):
        time.sleep(period_s)
    return (time.process_time() - start) / count * 1e6


def loop_wakeup_us(period_s: float) -> float:
    """Process CPU per wake-up of a uvloop task that only sleeps ``period_s``."""
    count = max(1, round(WAKE_SPAN_S / period_s))

    async def ticker() -> float:
        start = time.process_time()
        for _ in range(count):
            await asyncio.sleep(period_s)
        return (time.process_time() - start) / count * 1e6

    return uvloop.run(ticker())


async def executions_after_gaps(rounds: int) -> dict[int, list[float]]:
    """Each execution's own CPU in ms, by the idle gap (ms) before it; the gaps take turns."""
    profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
    baseline.tune_gc_like_the_gateway()
    schema = baseline.baseline_schema(gateway_extensions=True, plain_fields=True)
    variables = queries.profile_variables()

    async def execute() -> float:
        run = await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, 1)
        return run.cpu_s * 1000

    await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, 20)  # warm-up
    spent: dict[int, list[float]] = {gap: [] for gap in GAPS_MS}
    for index in range(rounds):
        for gap in GAPS_MS:
            for _ in range(EXECUTIONS[gap]):
                if gap:
                    await asyncio.sleep(gap / 1000)
                spent[gap].append(await execute())
        print(
            f"  round {index + 1}/{rounds}: "
            + ", ".join(
                f"{gap} ms {statistics.median(spent[gap][-EXECUTIONS[gap] :]):.2f} ms"
                for gap in GAPS_MS
            ),
            flush=True,
        )
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=at_least(1), default=3)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    load_before = os.getloadavg()
    wakeups: list[tuple[str, float, float]] = []
    measures: tuple[tuple[str, Callable[[float], float]], ...] = (
        ("time.sleep", thread_wakeup_us),
        ("uvloop sleep", loop_wakeup_us),
    )
    for name, measure in measures:
        for period in PERIODS_S:
            wakeups.append((name, period, measure(period)))
            print(f"  {name} {period * 1000:g} ms: {wakeups[-1][2]:.0f} us CPU per wake-up")
    spent = uvloop.run(executions_after_gaps(args.rounds))
    load_after = os.getloadavg()
    back_to_back = statistics.median(spent[0])
    figures: list[Figure] = [
        Figure(
            f"wakeup-{name.split()[0]}-{period * 1000:g}",
            f"process CPU per wake-up, {name} of {period * 1000:g} ms (µs)",
            cost,
            "",
            None,
            "{:.0f}",
            "a thread that only sleeps"
            if name == "time.sleep"
            else "a uvloop task that only sleeps (the server's event loop)",
        )
        for name, period, cost in wakeups
    ]
    for gap in GAPS_MS[1:]:
        median = statistics.median(spent[gap])
        figures.append(
            Figure(
                f"after-{gap}",
                f"strawberry's execution after {gap} ms idle / back to back",
                median / back_to_back,
                "",
                None,
                "{:.2f}",
                f"median {median:.2f} ms vs {back_to_back:.2f} ms of the execution's own CPU, "
                f"{len(spent[gap])} executions",
            )
        )
    print(table(figures))
    if args.write:
        write_bench_section(
            name="wakeup",
            title="What waking from idle costs (`bench/wakeup.py`)",
            command=f"python -m bench.wakeup --rounds {args.rounds}",
            load=(load_before, load_after),
            setup=(
                "No gateway: a thread and a uvloop task that only sleep (process CPU per "
                "wake-up), and strawberry executing figure (b)'s query over the in-memory "
                "profile, back to back and after an idle gap before each execution (the "
                f"execution's own CPU; {args.rounds} rounds, the gaps taking turns). No "
                "targets: the figures describe the machine. See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
