"""The server's garbage-collector settings against Python's defaults, in the same run.

    python -m bench.gc [--queries 300] [--batch 500] [--rounds 3] [--no-write]

Two gateways (``chakong serve``, each with its own SQLite file) against the same mock agencies
(one subprocess, answering at once): one with the gateway's defaults (``gc_freeze`` and
``gc_young_threshold``, see ``gateway.runtime``), one with Python's (``CHAKONG_GC_FREEZE=false``,
``CHAKONG_GC_YOUNG_THRESHOLD=0``). In each round, each gateway in turn answers ``--queries``
full-profile inquiries of the example debtor (``fresh: true``, one after another) and one
``debtors`` batch of ``--batch`` debtors. Figures: each gateway's CPU per inquiry and per batch
(utime + stime from ``/proc``) summed over the rounds, as a ratio tuned / default, and each
one's peak resident memory (``VmHWM``) at the end, with the batch answer's size beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import procs, queries
from bench.fanout.client import Client, encode, register_cases
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least

PYTHON_DEFAULTS = {"CHAKONG_GC_FREEZE": "false", "CHAKONG_GC_YOUNG_THRESHOLD": "0"}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


async def round_of(
    client: Client, gateway: procs.Gateway, profile: bytes, batch: bytes, queries_n: int
) -> tuple[float, float, int]:
    """(CPU s of the single inquiries, CPU s of the batch, the batch answer's bytes)."""
    cpu0 = procs.cpu_seconds(gateway.proc.pid)
    for _ in range(queries_n):
        await client.post(profile)
    cpu1 = procs.cpu_seconds(gateway.proc.pid)
    await client.post(batch)
    await asyncio.sleep(0.05)
    cpu2 = procs.cpu_seconds(gateway.proc.pid)
    return cpu1 - cpu0, cpu2 - cpu1, client.last_size  # the answer's bytes as sent


async def measure(
    gateways: dict[str, procs.Gateway], queries_n: int, batch_n: int, rounds: int
) -> dict[str, Any]:
    profile = encode(queries.PROFILE_QUERY, queries.profile_variables())
    batch = encode(queries.BATCH_QUERY, queries.batch_variables(batch_n))
    totals = {name: [0.0, 0.0] for name in gateways}
    size = 0
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=300.0) as http:
        clients = {}
        for name, gateway in gateways.items():
            await register_cases(http, gateway, batch_n)
            clients[name] = Client(http, gateway.url, gateway.judge_token)
            for _ in range(20):  # warm-up
                await clients[name].post(profile)
        for index in range(rounds):
            for name, gateway in gateways.items():
                single, whole, size = await round_of(
                    clients[name], gateway, profile, batch, queries_n
                )
                totals[name][0] += single
                totals[name][1] += whole
                print(
                    f"round {index + 1}/{rounds} {name:8}: {single / queries_n * 1000:6.2f} ms "
                    f"CPU per inquiry, {whole:6.2f} s CPU per batch of {batch_n}",
                    flush=True,
                )
    return {
        name: {
            "cpu_ms_per_inquiry": totals[name][0] / (rounds * queries_n) * 1000,
            "cpu_s_per_batch": totals[name][1] / rounds,
            "peak_rss_mb": peak_rss_mb(gateway.proc.pid),
        }
        for name, gateway in gateways.items()
    } | {"batch_bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=at_least(1), default=300)
    parser.add_argument("--batch", type=at_least(1), default=500)
    parser.add_argument("--rounds", type=at_least(1), default=3)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chakong-gc-")))
        (tmp / "tuned").mkdir()
        (tmp / "python").mkdir()
        mocks = stack.enter_context(procs.mock_agencies(tmp))
        gateways = {
            "tuned": stack.enter_context(procs.gateway(tmp / "tuned", mocks)),
            "python": stack.enter_context(
                procs.gateway(tmp / "python", mocks, settings=PYTHON_DEFAULTS)
            ),
        }
        raw = asyncio.run(measure(gateways, args.queries, args.batch, args.rounds))
    load_after = os.getloadavg()
    tuned, python = raw["tuned"], raw["python"]
    figures = [
        Figure(
            "single",
            "CPU per inquiry, tuned / Python's defaults",
            tuned["cpu_ms_per_inquiry"] / python["cpu_ms_per_inquiry"],
            "",
            None,
            detail=f"{tuned['cpu_ms_per_inquiry']:.2f} ms vs {python['cpu_ms_per_inquiry']:.2f} ms",
        ),
        Figure(
            "batch",
            f"CPU per {args.batch}-debtor batch, tuned / Python's defaults",
            tuned["cpu_s_per_batch"] / python["cpu_s_per_batch"],
            "",
            None,
            detail=f"{tuned['cpu_s_per_batch']:.2f} s vs {python['cpu_s_per_batch']:.2f} s",
        ),
        Figure(
            "rss",
            "peak resident memory, tuned / Python's defaults",
            tuned["peak_rss_mb"] / python["peak_rss_mb"],
            "",
            None,
            detail=f"{tuned['peak_rss_mb']:.0f} MB vs {python['peak_rss_mb']:.0f} MB; the "
            f"batch's answer is {raw['batch_bytes'] / 1e6:.1f} MB",
        ),
    ]
    print(table(figures))
    if args.write:
        command = f"python -m bench.gc --queries {args.queries} --batch {args.batch}"
        write_bench_section(
            name="gc",
            title="The garbage collector (`bench/gc.py`)",
            command=command,
            load=(load_before, load_after),
            setup=(
                "Two gateways against the same mocks (answering at once), one with the "
                "gateway's settings (the start-up heap frozen, the young generation collected "
                "every 50,000 allocations), one with Python's (700, nothing frozen); "
                f"{args.rounds} rounds, each gateway in turn answering {args.queries} "
                f"full-profile inquiries and one batch of {args.batch} debtors. See the "
                "module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
