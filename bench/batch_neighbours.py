"""Single inquiries while a 1,000-debtor batch runs: ``python -m bench.batch_neighbours``.

    python -m bench.batch_neighbours [--debtors 1000] [--rounds 5] [--no-write]

A process's requests share its event loop and its GIL, so what a judge sees of a batch another
caller sent to the same process: the ten mock agencies answer at once (a subprocess of their
own); ``chakong serve`` (SQLite in a temporary directory, its own keys,
``CHAKONG_MAX_BATCH_SUBJECTS`` raised to the batch) runs as one process, then with
``--workers 2``, then as one process with Python's thread switch interval
(``CHAKONG_SWITCH_INTERVAL_MS=0``: 5 ms, against the gateway's 1 ms; ``gateway.runtime`` says why
it matters). Each way, ``--rounds`` times: one ``debtors`` query of ``--debtors`` debtors
(``fresh: true``) and, from 50 ms after it was sent until its answer has arrived, the README's
single full-profile inquiry of the example debtor, one after another, each on a new connection
(a judge's browser opening one; which process accepts it is the kernel's choice). Beside it the
same single inquiries with no batch running. Figures, each way: the single inquiries' median,
90th percentile and highest latency during the batches, the batches in which one took half the
batch's time or more (accepted by the busy process, it waited for much of the batch), and the
batch's own time. No target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.batch import batch_settings
from bench.fanout import procs, queries
from bench.fanout.client import Client, encode, register_cases
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least

ALONE = 40  # single inquiries with no batch running, after as many warm-up ones
# how the gateway runs: figure keys, names, processes, settings beside the batch's
WAYS: tuple[tuple[str, str, int, dict[str, str]], ...] = (
    ("1", "1 process", 1, {}),
    ("2", "2 processes", 2, {}),
    (
        "1-python-switch",
        "1 process, Python's 5 ms thread switch interval",
        1,
        {"CHAKONG_SWITCH_INTERVAL_MS": "0"},
    ),
)
START_AFTER_S = 0.05  # the batch's request is on its way before the first single inquiry


def http_client(*, keep_alive: bool) -> httpx.AsyncClient:
    """Over aiohttp, connections kept (the batch's); or httpx's own transport keeping none, so
    that every request opens a new connection (aiohttp's pool would keep it whatever httpx's
    limits say)."""
    if keep_alive:
        return httpx.AsyncClient(transport=AiohttpTransport(), timeout=600)
    return httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_keepalive_connections=0))


async def singles_until(client: Client, body: bytes, done: asyncio.Event) -> list[float]:
    """Single inquiries one after another until ``done``: their latencies in seconds."""
    await asyncio.sleep(START_AFTER_S)
    latencies: list[float] = []
    while not done.is_set():
        start = time.perf_counter()
        await client.post(body)
        latencies.append(time.perf_counter() - start)
    return latencies


async def serve_rounds(gateway: procs.Gateway, debtors: int, rounds: int) -> dict[str, list[float]]:
    batch_body = encode(queries.BATCH_QUERY, queries.batch_variables(debtors))
    single_body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    out: dict[str, list[float]] = {"alone": [], "during": [], "batch": [], "slowest": []}
    async with http_client(keep_alive=True) as http, http_client(keep_alive=False) as fresh:
        await register_cases(http, gateway, debtors)
        batch = Client(http, gateway.url, gateway.judge_token)
        single = Client(fresh, gateway.url, gateway.judge_token)
        await batch.post(batch_body)  # warm-up, every worker's first batch alike or not
        for _ in range(ALONE):
            await single.post(single_body)
        for _ in range(ALONE):
            start = time.perf_counter()
            await single.post(single_body)
            out["alone"].append(time.perf_counter() - start)
        for index in range(rounds):
            done = asyncio.Event()
            singles = asyncio.ensure_future(singles_until(single, single_body, done))
            elapsed, _ = await batch.post(batch_body)
            done.set()
            latencies = await singles
            out["batch"].append(elapsed)
            out["during"].extend(latencies)
            out["slowest"].append(max(latencies))
            print(
                f"  round {index + 1}/{rounds}: the batch {elapsed:.2f} s; {len(latencies)} single "
                f"inquiries meanwhile, the slowest {max(latencies) * 1000:.0f} ms",
                flush=True,
            )
            await asyncio.sleep(0.3)  # the audit group and the access log settle
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=at_least(1), default=1000)
    parser.add_argument("--rounds", type=at_least(1), default=5)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    load_before = os.getloadavg()
    served: dict[str, dict[str, list[float]]] = {}
    for key, name, workers, extra in WAYS:
        command = procs.serve_command() + (["--workers", str(workers)] if workers > 1 else [])
        settings = batch_settings(args.debtors) | extra
        print(f"{name}: {args.rounds} batches of {args.debtors} debtors", flush=True)
        with (
            tempfile.TemporaryDirectory(prefix="chakong-neighbours-") as tmp,
            procs.mock_agencies(Path(tmp)) as mocks,
            procs.gateway(Path(tmp), mocks, command=command, settings=settings) as gateway,
        ):
            served[key] = asyncio.run(serve_rounds(gateway, args.debtors, args.rounds))
    load_after = os.getloadavg()
    figures: list[Figure] = []
    for key, name, _, _ in WAYS:
        out = served[key]
        during = out["during"]
        # the batches whose slowest single inquiry took half the batch's time or more
        held = sum(s >= b / 2 for s, b in zip(out["slowest"], out["batch"], strict=True))
        p90 = statistics.quantiles(during, n=10)[-1] if len(during) > 1 else during[0]
        figures += [
            Figure(
                f"during-p90-{key}",
                f"single inquiry during a batch, p90, {name} (ms)",
                p90 * 1000,
                "",
                None,
                "{:.0f}",
                f"batches in which one took half the batch's time or more: {held} of "
                f"{len(out['batch'])}",
            ),
            Figure(
                f"during-median-{key}",
                f"single inquiry during a batch, median, {name} (ms)",
                statistics.median(during) * 1000,
                "",
                None,
                "{:.0f}",
                f"{len(during)} inquiries over {len(out['batch'])} batches; with no batch "
                f"running: median {statistics.median(out['alone']) * 1000:.1f} ms",
            ),
            Figure(
                f"during-max-{key}",
                f"single inquiry during a batch, the slowest, {name} (ms)",
                max(during) * 1000,
                "",
                None,
                "{:.0f}",
                f"the batch itself: median {statistics.median(out['batch']):.2f} s",
            ),
        ]
    print(table(figures))
    if args.write:
        write_bench_section(
            name="batch-neighbours",
            title="Single inquiries while a batch runs (`bench/batch_neighbours.py`)",
            command=f"python -m bench.batch_neighbours --debtors {args.debtors} "
            f"--rounds {args.rounds}",
            load=(load_before, load_after),
            setup=(
                f"`chakong serve` as one process, then two (`--workers 2`), then one process "
                "with Python's thread switch interval (`CHAKONG_SWITCH_INTERVAL_MS=0`, 5 ms "
                "against the gateway's 1 ms), mocks answering at "
                f"once; {args.rounds} batches of {args.debtors} debtors each, and the single "
                "full-profile inquiry sent one after another on new connections while each ran "
                f"(and {ALONE} times with no batch). See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
