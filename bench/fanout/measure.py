"""The measurement against the running processes: figures (a), (b), (c) and the leads' query.

Each phase runs in order on one client: (b) with the mocks at zero latency, alternating with
the in-memory baseline; then, with the mocks at a fixed latency, (a), the full example query
with both leads, and (c) a batch of debtors. The result is the raw record ``figures`` reads.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import baseline, procs, queries
from bench.fanout.checks import check_leads, check_profile, expected_batch_calls
from bench.fanout.client import (
    Client,
    direct_agencies,
    direct_floor,
    encode,
    mock_stats,
    register_cases,
    set_latency,
    stats_delta,
)


@dataclass(frozen=True, slots=True)
class Config:
    warmup: int = 20
    cpu_queries: int = 300  # figure (b), split over `rounds` alternating with the baseline
    rounds: int = 10
    latency_queries: int = 60  # figure (a), per run
    latency_runs: int = 5  # figure (a) is the median run's p50; min and max beside it
    latency_ms: float = 200.0
    floor_queries: int = 20  # the bench asking the mocks directly, for comparison with (a)
    leads_queries: int = 30  # the full example query, both leads followed
    batch_size: int = 200  # figure (c)
    batch_runs: int = 5


def percentile(samples: Sequence[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


async def measure(config: Config, mocks: procs.Mocks, gateway: procs.Gateway) -> dict[str, Any]:
    """Every figure's raw measurements, the example and batch cases registered first."""
    raw: dict[str, Any] = {}
    profile_body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=120.0) as http:
        await register_cases(http, gateway, config.batch_size)
        client = Client(http, gateway.url, gateway.judge_token)
        await set_latency(http, mocks, 0.0)
        raw["cpu"] = await measure_cpu(config, client, gateway, profile_body)
        baseline_cpu_ms = raw["cpu"]["baseline_cpu_ms_per_query"]
        raw["latency"] = await measure_latency(
            config, http, client, mocks, profile_body, baseline_cpu_ms
        )
        p50 = raw["latency"]["p50_ms"]
        raw["leads"] = await measure_leads(config, http, client, mocks, p50)
        raw["batch"] = await measure_batch(config, http, client, mocks, gateway, p50)
    return raw


async def measure_cpu(
    config: Config, client: Client, gateway: procs.Gateway, profile_body: bytes
) -> dict[str, Any]:
    """(b) CPU per query, mocks at zero latency, in rounds alternating with the baseline."""
    print(f"warm-up: {config.warmup} queries", flush=True)
    gateway_data: dict[str, Any] = {}
    for _ in range(config.warmup):
        _, gateway_data = await client.post(profile_body)
        check_profile(gateway_data["debtor"], require_ok=True)

    profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
    baseline.tune_gc_like_the_gateway()  # the collector as the gateway has it
    schema = baseline.baseline_schema()
    cached_schema = baseline.baseline_schema(gateway_extensions=True, plain_fields=True)
    # the same caches, each field strawberry's and graphql-core's own way (no plain fields)
    stock_schema = baseline.baseline_schema(gateway_extensions=True)
    variables = queries.profile_variables()
    for warm in (schema, cached_schema, stock_schema):
        await baseline.run_baseline(warm, profile, queries.PROFILE_QUERY, variables, config.warmup)
    cached_cpu = stock_cpu = 0.0

    per_round = max(1, config.cpu_queries // config.rounds)
    gw_cpu = gw_wall = base_cpu = 0.0
    gw_n = base_n = gw_sleeps = base_sleeps = 0
    rounds = []
    zero_latencies: list[float] = []
    base_data: dict[str, Any] = {}
    for index in range(config.rounds):
        print(f"(b) round {index + 1}/{config.rounds}: {per_round} queries each way", flush=True)
        run = await baseline.run_baseline(
            schema, profile, queries.PROFILE_QUERY, variables, per_round
        )
        base_data = run.data
        await asyncio.sleep(0.05)
        sleeps0 = procs.voluntary_switches(gateway.proc.pid)
        cpu0, wall0 = procs.thread_cpu_seconds(gateway.proc.pid), time.perf_counter()
        for _ in range(per_round):
            elapsed, gateway_data = await client.post(profile_body)
            zero_latencies.append(elapsed)
        wall = time.perf_counter() - wall0
        await asyncio.sleep(0.05)
        cpu = procs.thread_cpu_seconds(gateway.proc.pid) - cpu0
        gw_sleeps += procs.voluntary_switches(gateway.proc.pid) - sleeps0
        # the cached baseline right after the gateway: the two sides of a round's own ratio
        # within a second of each other
        own_sleeps0 = procs.voluntary_switches(os.getpid())
        cached_run = await baseline.run_baseline(
            cached_schema, profile, queries.PROFILE_QUERY, variables, per_round
        )
        base_sleeps += procs.voluntary_switches(os.getpid()) - own_sleeps0
        cached_cpu += cached_run.cpu_s
        stock_run = await baseline.run_baseline(
            stock_schema, profile, queries.PROFILE_QUERY, variables, per_round
        )
        stock_cpu += stock_run.cpu_s
        if stock_run.data != cached_run.data:
            raise RuntimeError("the plain fields changed the baseline's answer")
        check_profile(gateway_data["debtor"], require_ok=True)
        rounds.append(
            {
                "baseline_cpu_s": run.cpu_s,
                "cached_baseline_cpu_s": cached_run.cpu_s,
                "gateway_cpu_s": cpu,
                "n": per_round,
                "wall_s": wall,
            }
        )
        gw_cpu, gw_wall, gw_n = gw_cpu + cpu, gw_wall + wall, gw_n + per_round
        base_cpu, base_n = base_cpu + run.cpu_s, base_n + run.iterations

    same = queries.strip_volatile(gateway_data) == queries.strip_volatile(
        json.loads(json.dumps(base_data))
    )
    if not same:
        raise RuntimeError("the baseline's data differs from the gateway's: not the same work")
    return {
        "queries": gw_n,
        "gateway_cpu_s": gw_cpu,
        "gateway_cpu_ms_per_query": gw_cpu / gw_n * 1000,
        "gateway_wall_ms_per_query": gw_wall / gw_n * 1000,
        "baseline_iterations": base_n,
        "baseline_cpu_s": base_cpu,
        "baseline_cpu_ms_per_query": base_cpu / base_n * 1000,
        "ratio": (gw_cpu / gw_n) / (base_cpu / base_n),
        "cached_baseline_cpu_ms_per_query": cached_cpu / base_n * 1000,
        # (b)'s inquiries to the gateway, then the cached baseline's executions in this process
        "gateway_sleeps_per_query": gw_sleeps / gw_n,
        "cached_baseline_sleeps_per_query": base_sleeps / base_n,
        "ratio_same_extensions": (gw_cpu / gw_n) / (cached_cpu / base_n),
        "stock_baseline_cpu_ms_per_query": stock_cpu / base_n * 1000,
        "ratio_stock_fields": (gw_cpu / gw_n) / (stock_cpu / base_n),
        "round_ratios_same_extensions": sorted(
            r["gateway_cpu_s"] / r["cached_baseline_cpu_s"] for r in rounds
        ),
        "rounds": rounds,
        "same_data": same,
        "response_bytes": len(json.dumps({"data": gateway_data}, ensure_ascii=False).encode()),
        "agencies_ok": sum(s["status"] == "OK" for s in gateway_data["debtor"]["sources"]),
        "zero_latency_p50_ms": statistics.median(zero_latencies) * 1000,
        "clock_ticks_per_s": procs.CLOCK_TICKS,
    }


async def measure_latency(
    config: Config,
    http: httpx.AsyncClient,
    client: Client,
    mocks: procs.Mocks,
    profile_body: bytes,
    baseline_cpu_ms: float,
) -> dict[str, Any]:
    """(a) latency, mocks at a fixed latency, and the floor of the mocks asked directly."""
    await set_latency(http, mocks, config.latency_ms)
    print(
        f"(a) {config.latency_runs} runs of {config.latency_queries} queries, mocks at "
        f"{config.latency_ms:g} ms",
        flush=True,
    )
    for _ in range(5):
        await client.post(profile_body)
    latencies: list[float] = []
    run_p50s: list[float] = []
    before = await mock_stats(http, mocks)
    for _ in range(config.latency_runs):
        run: list[float] = []
        for _ in range(config.latency_queries):
            elapsed, data = await client.post(profile_body)
            check_profile(data["debtor"], require_ok=True)
            run.append(elapsed * 1000)
        latencies += run
        run_p50s.append(statistics.median(run))
    calls = stats_delta(before, await mock_stats(http, mocks), "inquiries")
    queries_sent = config.latency_runs * config.latency_queries
    floor = await direct_floor(http, mocks, config.floor_queries)
    agency_ms = {
        s["agency"]: s["latencyMs"] for s in data["debtor"]["sources"] if s["status"] == "OK"
    }
    p50 = statistics.median(run_p50s)  # the median run's p50
    return {
        "mock_latency_ms": config.latency_ms,
        "samples_ms": latencies,
        "run_p50s_ms": run_p50s,
        "p50_ms": p50,
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "min_ms": min(latencies),
        "max_ms": max(latencies),
        "mean_ms": statistics.fmean(latencies),
        "p50_ratio": p50 / config.latency_ms,
        "extra_ms": p50 - config.latency_ms,
        "extra_over_inmemory": (p50 - config.latency_ms) / baseline_cpu_ms,
        "calls_per_query": {a: n / queries_sent for a, n in calls.items()},
        "last_agency_latency_ms": agency_ms,
        "direct_agencies": sorted(direct_agencies(mocks)),
        "direct_samples_ms": floor,
        "direct_p50_ms": statistics.median(floor),
        "direct_p50_ratio": statistics.median(floor) / config.latency_ms,
        "gateway_share_ms": p50 - statistics.median(floor),
    }


async def measure_leads(
    config: Config, http: httpx.AsyncClient, client: Client, mocks: procs.Mocks, p50: float
) -> dict[str, Any]:
    """The full example query: the debtor and both leads; ``p50`` is (a)'s."""
    full_body = encode(queries.FULL_QUERY, queries.profile_variables())
    print(f"leads: {config.leads_queries} full example queries", flush=True)
    _, data = await client.post(full_body)
    leads = check_leads(data["debtor"])
    full_latencies = []
    before = await mock_stats(http, mocks)
    for _ in range(config.leads_queries):
        elapsed, data = await client.post(full_body)
        check_leads(data["debtor"])
        full_latencies.append(elapsed * 1000)
    full_calls = stats_delta(before, await mock_stats(http, mocks), "inquiries")
    full_p50 = statistics.median(full_latencies)
    return {
        "samples_ms": full_latencies,
        "profiles": 1 + leads,
        "lead_subjects": leads,
        "p50_ms": full_p50,
        "p90_ms": percentile(full_latencies, 90),
        "p50_ratio": full_p50 / config.latency_ms,
        "over_single_p50": full_p50 / p50,
        "calls_per_query": {a: n / config.leads_queries for a, n in full_calls.items()},
        "max_calls_per_agency": max(full_calls.values()) / config.leads_queries,
    }


async def measure_batch(
    config: Config,
    http: httpx.AsyncClient,
    client: Client,
    mocks: procs.Mocks,
    gateway: procs.Gateway,
    p50: float,
) -> dict[str, Any]:
    """(c) a batch of debtors: agency calls per agency, latency against (a)'s ``p50``."""
    batch_vars = queries.batch_variables(config.batch_size)
    batch_body = encode(queries.BATCH_QUERY, batch_vars)
    expected = expected_batch_calls(batch_vars["subjects"])
    runs: list[dict[str, Any]] = []
    print(f"(c) {config.batch_runs} + 1 batches of {config.batch_size} debtors", flush=True)
    for index in range(config.batch_runs + 1):
        before = await mock_stats(http, mocks)
        cpu0 = procs.cpu_seconds(gateway.proc.pid)
        elapsed, data = await client.post(batch_body)
        await asyncio.sleep(0.05)
        cpu = procs.cpu_seconds(gateway.proc.pid) - cpu0
        after = await mock_stats(http, mocks)
        profiles = data["debtors"]
        if len(profiles) != config.batch_size:
            raise RuntimeError(f"{len(profiles)} profiles for {config.batch_size} debtors")
        for item in profiles:
            check_profile(item, require_ok=False)
        runs.append(
            {
                "warmup": index == 0,
                "latency_ms": elapsed * 1000,
                "gateway_cpu_s": cpu,
                "calls": stats_delta(before, after, "inquiries"),
                "subjects": stats_delta(before, after, "subjects"),
            }
        )
    measured = [r for r in runs if not r["warmup"]]
    batch_ms = statistics.median(r["latency_ms"] for r in measured)
    return {
        "subjects": config.batch_size,
        "kinds": {
            k: sum(s["kind"] == k for s in batch_vars["subjects"]) for k in ("NATURAL", "LEGAL")
        },
        "tiers": queries.tiers(batch_vars["subjects"]),
        "expected_calls": expected,
        "runs": runs,
        "max_calls_per_agency": max(max(r["calls"].values()) for r in runs),
        "as_expected": all(r["calls"] == expected for r in runs),
        "median_latency_ms": batch_ms,
        "latency_ratio": batch_ms / p50,
        "gateway_cpu_ms_per_batch": statistics.median(r["gateway_cpu_s"] for r in measured) * 1000,
    }
