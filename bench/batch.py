"""A 1,000-debtor batch against GraphQL's own floor: ``python -m bench.batch``.

    python -m bench.batch [--debtors 1000] [--runs 5] [--no-write]

The mocks answer at once, in a subprocess. ``chakong serve`` (SQLite in a temporary directory,
its own keys, ``CHAKONG_MAX_BATCH_SUBJECTS`` raised to the batch) answers one ``debtors`` query
of ``--debtors`` distinct debtors of one registered case (``bench.fanout.queries``: three in
four natural persons, the example debtor among them), ``fresh: true``, ``--runs`` times after
one warm-up: the time from sending it to having read the whole answer, and the gateway's CPU.
Each of those batches is followed by the floor's executions, so the two sides alternate: on a
noisy machine, measuring all of one and then all of the other gave ratios from 1.19 to 1.99 for
the same commit within half an hour.

The floor, in the same rounds: strawberry alone completing the same query over the same profiles
held in memory (fetched once from the same mock data through the gateway's connectors and
converted once), with the gateway's schema extensions (so the query is parsed and validated
once) and its plain attribute fields read with one ``getattr`` as the gateway's schema reads them,
those of a scalar or enum type completed in one step as the gateway's execution completes them
(``gateway/schema/plain_fields.py``), in this process; and beside it the floor as strawberry
comes, each plain field through strawberry's own wrapper and graphql-core's whole way, to show
what those changes save.
Figures: the batch's time over the floor (target 1.2), and the gateway's peak memory over the
process before any batch (``VmHWM`` after the runs less ``VmRSS`` before the warm-up) over the
answer's size as the gateway sent it (target 1.5); beside it the same over the process idle after
the warm-up batch (``VmRSS`` then), which is what a process that has served a batch takes for the
next: CPython's allocator keeps the memory the first batch took. And the floor's own memory, in a
fresh process of its own (``--floor-memory-worker``, run before the rounds): its peak over the
process holding the profiles, for its first execution and the answer's encoding (orjson, as the
gateway encodes), measured as the gateway's is; then its objects' peak in a second execution, as
``tracemalloc`` counts them (what the work needs, whatever the allocator keeps). The gateway does
the floor's work and more (the agencies' answers, their records, the cache, the audit), so the
floor's figure is a bound under the gateway's.
The two answers are checked to be equal but for ``latencyMs``, ``cached`` and the time stamps.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from httpx_aiohttp import AiohttpTransport

from bench.fanout import baseline, procs, queries
from bench.fanout.client import Client, encode, register_case
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least
from gateway.schema.debtor import DebtorProfile

TARGET_TIME = 1.2
TARGET_MEMORY = 1.5


def batch_settings(debtors: int) -> dict[str, str]:
    """The gateway's settings for batches of ``debtors``: the batch limit raised to it, and
    deadlines long enough that the mocks' 1,000-subject answers never time out."""
    return {
        "CHAKONG_MAX_BATCH_SUBJECTS": str(debtors),
        "CHAKONG_DEFAULT_DEADLINE_MS": "120000",
        "CHAKONG_MAX_DEADLINE_MS": "120000",
    }


def rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def reset_peak_rss() -> bool:
    """This process's ``VmHWM`` set back to its ``VmRSS`` (Linux 4.0 and later); False where
    the kernel or a sandbox does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def floor_memory(debtors: int) -> dict[str, float]:
    """The floor's own memory for one batch of ``debtors``, from a fresh worker process."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.batch", "--floor-memory-worker", f"--debtors={debtors}"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the floor's memory worker failed:\n{done.stderr[-2000:]}")
    measured: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return measured


async def measure_floor_memory(debtors: int) -> dict[str, float]:
    """In this (fresh) process: the floor made ready, then its first execution and the answer's
    encoding measured as the gateway's batch is (``VmHWM`` over ``VmRSS`` before, the peak mark
    reset there: the profiles' fetch peaked higher), then a second one under ``tracemalloc``."""
    floor = await prepare_floor(queries.batch_subjects(debtors))
    pid = os.getpid()
    gc.collect()
    before = rss_mb(pid, "VmRSS")
    reset = reset_peak_rss()
    _, data = await floor.run("plain")
    body = orjson.dumps({"data": data})
    peak = rss_mb(pid, "VmHWM") if reset else math.nan  # else the profiles' fetch's peak
    size = len(body)
    del data, body
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        _, data = await floor.run("plain")
        result = tracemalloc.get_traced_memory()[1] - base
        body = orjson.dumps({"data": data})
        traced = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    if len(body) != size:
        raise RuntimeError("the floor's two answers differ in size")
    return {
        "answer_mb": size / 1e6,
        "before_mb": before,
        "peak_mb": peak,
        "traced_mb": traced / 1e6,
        "result_mb": result / 1e6,
    }


@dataclass(slots=True)
class Floor:
    """Strawberry alone over the same profiles, ready to run: as strawberry comes ("wrapped"),
    and with the plain attribute fields read directly as the gateway's schema reads them
    ("plain", the floor the batch is measured against)."""

    profiles: tuple[DebtorProfile, ...]
    schemas: dict[str, Any]
    variables: dict[str, Any]

    async def run(self, name: str) -> tuple[float, dict[str, Any]]:
        run = await baseline.run_baseline(
            self.schemas[name],
            self.profiles[0],
            queries.BATCH_QUERY,
            self.variables,
            1,
            profiles=self.profiles,
        )
        return run.wall_s, run.data


async def prepare_floor(debtors: list[dict[str, str]]) -> Floor:
    profiles, options = await baseline.fetch_profiles(debtors, queries.BATCH_CASE_NUMBER)
    converted = tuple(DebtorProfile.from_domain(p, options) for p in profiles)
    baseline.tune_gc_like_the_gateway()
    schemas = {
        "wrapped": baseline.baseline_schema(gateway_extensions=True),
        "plain": baseline.baseline_schema(gateway_extensions=True, plain_fields=True),
    }
    return Floor(converted, schemas, queries.batch_variables(len(debtors)))


async def alternating(
    gateway: procs.Gateway, floor: Floor, debtors: list[dict[str, str]], runs: int
) -> dict[str, Any]:
    """``runs`` rounds, each the gateway's batch, then the floor, then the floor as strawberry
    comes, after one warm-up of each: a machine that slows down or speeds up during the
    benchmark does so for both sides of a round, and each round gives its own ratio."""
    body = encode(queries.BATCH_QUERY, queries.batch_variables(len(debtors)))
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=600) as http:
        await register_case(http, gateway, debtors, queries.BATCH_CASE_NUMBER)
        client = Client(http, gateway.url, gateway.judge_token)
        fresh = rss_mb(gateway.proc.pid, "VmRSS")  # before any batch
        await client.post(body)  # warm-up
        answer_mb = client.last_size / 1e6  # as the gateway sent it
        for name in floor.schemas:
            await floor.run(name)
        idle = rss_mb(gateway.proc.pid, "VmRSS")
        out: dict[str, Any] = {"times": [], "cpus": [], "plain": [], "wrapped": []}
        floor_data: dict[str, dict[str, Any]] = {}
        for index in range(runs):
            cpu0 = procs.cpu_seconds(gateway.proc.pid)
            elapsed, data = await client.post(body)
            await asyncio.sleep(0.2)  # the audit group and the access log settle
            out["cpus"].append(procs.cpu_seconds(gateway.proc.pid) - cpu0)
            out["times"].append(elapsed)
            for name in ("plain", "wrapped"):
                wall, floor_data[name] = await floor.run(name)
                out[name].append(wall)
            print(
                f"  round {index + 1}/{runs}: the gateway {elapsed:.2f} s ({out['cpus'][-1]:.2f} s "
                f"CPU), the floor {out['plain'][-1]:.2f} s, as strawberry comes "
                f"{out['wrapped'][-1]:.2f} s",
                flush=True,
            )
        peak = rss_mb(gateway.proc.pid, "VmHWM")
    if floor_data["wrapped"] != floor_data["plain"]:
        raise RuntimeError("the plain fields changed the floor's answer")
    return out | {
        "fresh_mb": fresh,
        "idle_mb": idle,
        "peak_mb": peak,
        "answer_mb": answer_mb,
        "data": data,
        "floor_data": floor_data["plain"],
    }


def stable(data: dict[str, Any]) -> Any:
    """The answer without what differs between two fetches of the same records."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("fetchedAt",)}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(queries.strip_volatile(data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=at_least(1), default=1000)
    parser.add_argument("--runs", type=at_least(1), default=5)
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--floor-memory-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_memory_worker:
        print(json.dumps(asyncio.run(measure_floor_memory(args.debtors))))
        return 0
    load_before = os.getloadavg()
    debtors = queries.batch_subjects(args.debtors)
    settings = batch_settings(args.debtors)
    started = time.perf_counter()
    print(f"the floor's memory, in a process of its own: {args.debtors} debtors", flush=True)
    floor_mem = floor_memory(args.debtors)
    loop = asyncio.new_event_loop()
    try:
        floor = loop.run_until_complete(prepare_floor(debtors))
        with (
            tempfile.TemporaryDirectory(prefix="chakong-batch-") as tmp,
            procs.mock_agencies(Path(tmp)) as mocks,
            procs.gateway(Path(tmp), mocks, settings=settings) as gateway,
        ):
            print(
                f"{args.runs} rounds: the gateway's batch of {args.debtors} debtors, then "
                "strawberry alone over the same profiles",
                flush=True,
            )
            served = loop.run_until_complete(alternating(gateway, floor, debtors, args.runs))
    finally:
        loop.close()
    load_after = os.getloadavg()
    same = stable(served["data"]) == stable(json.loads(json.dumps(served["floor_data"])))
    size_mb = served["answer_mb"]
    batch_s = statistics.median(served["times"])
    floor_s = statistics.median(served["plain"])
    wrapped_s = statistics.median(served["wrapped"])
    rounds = sorted(t / f for t, f in zip(served["times"], served["plain"], strict=True))
    extra_mb = served["peak_mb"] - served["idle_mb"]
    first_mb = served["peak_mb"] - served["fresh_mb"]
    figures = [
        Figure(
            "time",
            f"{args.debtors}-debtor batch / strawberry alone over the same profiles",
            batch_s / floor_s,
            f"<= {TARGET_TIME}",
            batch_s / floor_s <= TARGET_TIME,
            detail=f"median {batch_s:.2f} s (gateway CPU {statistics.median(served['cpus']):.2f} s)"
            f" vs {floor_s:.2f} s, {args.runs} alternating rounds; the rounds' own ratios: min "
            f"{rounds[0]:.3f}, median {statistics.median(rounds):.3f}, max {rounds[-1]:.3f}",
        ),
        Figure(
            "floor",
            "the floor with plain fields read directly / as strawberry comes",
            floor_s / wrapped_s,
            "",
            None,
            detail=f"{floor_s:.2f} s vs {wrapped_s:.2f} s: strawberry's wrapper around each "
            "plain attribute field removed, and the scalar and enum ones completed in one step "
            "(`gateway/schema/plain_fields.py`); the gateway's batch / the floor as strawberry "
            f"comes: {batch_s / wrapped_s:.2f}",
        ),
        Figure(
            "memory",
            "gateway peak memory over the process before any batch / the answer's size",
            first_mb / size_mb,
            f"<= {TARGET_MEMORY}",
            first_mb / size_mb <= TARGET_MEMORY,
            detail=f"{served['peak_mb']:.0f} MB peak, {served['fresh_mb']:.0f} MB before the "
            f"first batch; the answer {size_mb:.2f} MB as sent (compact JSON: runs recorded before "
            "this figure's took its size with a space after each separator, about 9% more)",
        ),
        Figure(
            "floor-memory",
            "strawberry alone's peak memory over its process before executing / the answer's size",
            (floor_mem["peak_mb"] - floor_mem["before_mb"]) / floor_mem["answer_mb"],
            "",
            None,
            detail=(
                f"a fresh process holding the profiles: {floor_mem['peak_mb']:.0f} MB peak, "
                f"{floor_mem['before_mb']:.0f} MB before its first execution and the answer's "
                "encoding (orjson)"
                if not math.isnan(floor_mem["peak_mb"])
                else "its peak not measured here (/proc/self/clear_refs cannot be written)"
            )
            + "; its objects at their peak (tracemalloc): "
            f"{floor_mem['traced_mb']:.1f} MB, "
            f"{floor_mem['traced_mb'] / floor_mem['answer_mb']:.2f} x the answer, of which "
            f"{floor_mem['result_mb']:.1f} MB before encoding (graphql-core's result, built whole)",
        ),
        Figure(
            "memory-steady",
            "gateway peak memory over idle after a first batch / the answer's size",
            extra_mb / size_mb,
            "",
            None,
            detail=f"{served['peak_mb']:.0f} MB peak, {served['idle_mb']:.0f} MB idle after the "
            "warm-up batch (as this figure was measured until December 2026, when it was the "
            "target's): what a process that has served a batch takes for the next; CPython keeps "
            "the memory the first batch took for the ones after it",
        ),
    ]
    print(table(figures))
    verdict = "equal" if same else "NOT equal"
    print(f"the two answers are {verdict}; {time.perf_counter() - started:.0f} s in all")
    if not same:
        return 1
    if args.write:
        write_bench_section(
            name="batch",
            title="A 1,000-debtor batch (`bench/batch.py`)",
            command=f"python -m bench.batch --debtors {args.debtors}",
            load=(load_before, load_after),
            setup=(
                f"One `debtors` query of {args.debtors} debtors, mocks answering at once; the "
                "floor is strawberry alone completing the same query over the same profiles in "
                "memory, parsed and validated once, plain fields read directly as the gateway "
                "reads them (its answer checked equal to the gateway's); beside it the floor as "
                f"strawberry comes; {args.runs} rounds, each the gateway's batch and then the "
                "floor's executions. See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
