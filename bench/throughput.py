"""Throughput: requests a second and CPU per request, ``python -m bench.throughput``.

    python -m bench.throughput [--seconds 8] [--no-write]

The ten mock agencies answer at once, in a subprocess of their own. ``chakong serve`` runs as
one process, then with ``--workers 2`` (SQLite in a temporary directory, its own keys, not demo
mode). For each, at concurrency 1, 10 and 50, clients send the README's full-profile inquiry of
the example debtor (``fresh: true``, so the cache never hides the work) for ``--seconds``
seconds after a warm-up: requests answered a second and the gateway's CPU per request (all its
processes, from ``/proc``); the mocks' CPU is printed beside it, since on two cores they compete
with the gateway. Beside them, strawberry alone: the same query executed in this process over
the same records held in memory, with the same parse and validation caches, one after another
(its requests a second are the inverse of its CPU per request), measured once the gateways have
stopped. Each row says its CPU per request as a multiple of strawberry's per execution, and one
figure gives that multiple for one process at concurrency 50 (no target): figure (b) of
``bench.fanout`` is the same comparison at concurrency 1, one query after another, where each
request starts on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import baseline, procs, queries
from bench.fanout.client import Client, encode, register_cases
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import seconds

CONCURRENCY = (1, 10, 50)


def tree_cpu_seconds(pid: int) -> float:
    """CPU of ``pid`` and its children (uvicorn's workers)."""
    total = procs.cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            with contextlib.suppress(FileNotFoundError):
                total += procs.cpu_seconds(int(child))
    return total


async def load(
    client: Client, gateway: procs.Gateway, mocks: procs.Mocks, concurrency: int, seconds: float
) -> dict[str, float]:
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    for _ in range(10):
        await client.post(body)
    done = 0
    stop = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await client.post(body)
            done += 1

    cpu0, mocks0 = tree_cpu_seconds(gateway.proc.pid), procs.cpu_seconds(mocks.proc.pid)
    wall0 = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    wall = time.perf_counter() - wall0
    cpu = tree_cpu_seconds(gateway.proc.pid) - cpu0
    mocks_cpu = procs.cpu_seconds(mocks.proc.pid) - mocks0
    return {
        "rps": done / wall,
        "cpu_ms": cpu / done * 1000,
        "mocks_cpu_ms": mocks_cpu / done * 1000,
    }


async def serve_runs(
    gateway: procs.Gateway, mocks: procs.Mocks, seconds: float
) -> dict[int, dict[str, float]]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=120) as http:
        await register_cases(http, gateway, 10)
        client = Client(http, gateway.url, gateway.judge_token)
        results = {}
        for concurrency in CONCURRENCY:
            results[concurrency] = await load(client, gateway, mocks, concurrency, seconds)
            r = results[concurrency]
            print(
                f"  concurrency {concurrency:>2}: {r['rps']:6.1f} requests/s, "
                f"{r['cpu_ms']:.2f} ms gateway CPU and {r['mocks_cpu_ms']:.2f} ms mocks CPU "
                "per request",
                flush=True,
            )
        return results


async def strawberry_alone(iterations: int = 300) -> float:
    """CPU ms per execution of the same query over in-memory records, with the caches."""
    profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
    baseline.tune_gc_like_the_gateway()  # the collector as the gateway has it
    schema = baseline.baseline_schema(gateway_extensions=True, plain_fields=True)
    variables = queries.profile_variables()
    await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, 20)
    run = await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, iterations)
    return run.cpu_s / run.iterations * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=seconds, default=8.0)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs: dict[int, dict[int, dict[str, float]]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="chakong-throughput-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
    ):
        for workers in (1, 2):
            workdir = Path(tmp) / f"workers-{workers}"
            workdir.mkdir()
            command = [*procs.serve_command(), "--workers", str(workers)]
            print(f"chakong serve --workers {workers}", flush=True)
            with procs.gateway(workdir, mocks, command=command) as gateway:
                runs[workers] = asyncio.run(serve_runs(gateway, mocks, args.seconds))
    alone_ms = asyncio.run(strawberry_alone())
    load_after = os.getloadavg()
    figures = []
    for workers, by_concurrency in runs.items():
        for concurrency, r in by_concurrency.items():
            figures.append(
                Figure(
                    f"rps-{workers}-{concurrency}",
                    f"requests/s, {workers} process{'es' if workers > 1 else ''}, "
                    f"concurrency {concurrency}",
                    r["rps"],
                    "",
                    None,
                    "{:.1f}",
                    f"{r['cpu_ms']:.2f} ms of gateway CPU per request "
                    f"({r['cpu_ms'] / alone_ms:.2f} x strawberry alone's); the mocks "
                    f"{r['mocks_cpu_ms']:.2f} ms",
                )
            )
    loaded = runs[1][max(CONCURRENCY)]["cpu_ms"]
    figures.append(
        Figure(
            "loaded-ratio",
            f"gateway CPU per request, 1 process, concurrency {max(CONCURRENCY)} / strawberry "
            "alone's per execution",
            loaded / alone_ms,
            "",
            None,
            "{:.2f}",
            f"{loaded:.2f} ms vs {alone_ms:.2f} ms; at concurrency 1 "
            f"{runs[1][1]['cpu_ms'] / alone_ms:.2f} (figure (b)'s way of asking)",
        )
    )
    figures.append(
        Figure(
            "strawberry",
            "executions/s, strawberry alone (one process, in memory, cached)",
            1000 / alone_ms,
            "",
            None,
            "{:.1f}",
            f"{alone_ms:.2f} ms of CPU per execution",
        )
    )
    print(table(figures))
    if args.write:
        write_bench_section(
            name="throughput",
            title="Throughput (`bench/throughput.py`)",
            command=f"python -m bench.throughput --seconds {args.seconds:g}",
            load=(load_before, load_after),
            setup=(
                "Single-debtor full-profile inquiries (`fresh: true`), mocks answering at once "
                "in one process beside the gateway on the same two cores, "
                f"{args.seconds:g} s per row. See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
