"""The benchmark's figures from a run's raw record, and their targets."""

from __future__ import annotations

import statistics
from typing import Any

from bench.fanout.measure import Config
from bench.fanout.report import Figure

TARGET_A = 1.10
TARGET_B = 2.5  # against strawberry with the same parse and validation caches (issue 13)


def calls_text(calls: dict[str, float]) -> str:
    return ", ".join(f"{a} {n:g}" for a, n in calls.items())


def figures(config: Config, raw: dict[str, Any]) -> list[Figure]:
    lat, cpu, leads, batch = raw["latency"], raw["cpu"], raw["leads"], raw["batch"]
    rounds = cpu["round_ratios_same_extensions"]
    mock = f"{config.latency_ms:g} ms"
    direct = len(lat["direct_agencies"])
    last = batch["runs"][-1]
    runs = lat["run_p50s_ms"]
    return [
        Figure(
            "a_p50_ratio",
            f"(a) debtor p50 / {mock}, median run",
            lat["p50_ratio"],
            f"<= {TARGET_A:.2f}",
            lat["p50_ratio"] <= TARGET_A,
            detail=f"p50 {lat['p50_ms']:.1f} ms in the median of {len(runs)} runs of "
            f"{len(lat['samples_ms']) // len(runs)} queries; the runs' p50 / {mock}: min "
            f"{min(runs) / config.latency_ms:.3f}, median {lat['p50_ratio']:.3f}, max "
            f"{max(runs) / config.latency_ms:.3f}",
        ),
        Figure(
            "a_p90_ratio",
            f"(a) debtor p90 / {mock}",
            lat["p90_ms"] / config.latency_ms,
            "",
            None,
            detail=f"p90 {lat['p90_ms']:.1f} ms",
        ),
        Figure(
            "a_p99_ratio",
            f"(a) debtor p99 / {mock}",
            lat["p99_ms"] / config.latency_ms,
            "",
            None,
            detail=f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms",
        ),
        Figure(
            "a_direct_ratio",
            f"(a) direct agency calls p50 / {mock}",
            lat["direct_p50_ratio"],
            "",
            None,
            detail=f"the bench asking the {direct} mocks the gateway asks, at once, no gateway: "
            f"p50 {lat['direct_p50_ms']:.1f} ms; the gateway adds {lat['gateway_share_ms']:.1f} ms",
        ),
        Figure(
            "a_p50_over_direct",
            "(a) debtor p50 / direct agency calls p50",
            lat["p50_ms"] / lat["direct_p50_ms"],
            "",
            None,
            detail="the gateway's latency relative to what the agencies actually took",
        ),
        Figure(
            "a_extra_over_inmemory",
            f"(a) (p50 - {mock}) / in-memory execution",
            lat["extra_over_inmemory"],
            "",
            None,
            detail=f"{lat['extra_ms']:.1f} ms extra vs {cpu['baseline_cpu_ms_per_query']:.2f} ms",
        ),
        Figure(
            "leads_p50_ratio",
            f"full example query with both leads p50 / {mock}",
            leads["p50_ratio"],
            "",
            None,
            detail=f"p50 {leads['p50_ms']:.1f} ms over {len(leads['samples_ms'])} queries, "
            f"{leads['profiles']} profiles (the debtor, the spouse, "
            f"{leads['lead_subjects'] - 1} controlled enterprise(s)); "
            f"{leads['over_single_p50']:.2f} x (a)'s "
            f"p50; agency calls per query: {calls_text(leads['calls_per_query'])}",
        ),
        Figure(
            "b_cpu_ratio_cached",
            "(b) gateway CPU / in-memory strawberry with the same parse and validation caches",
            cpu["ratio_same_extensions"],
            f"<= {TARGET_B:.1f}",
            cpu["ratio_same_extensions"] <= TARGET_B,
            detail=f"{cpu['gateway_cpu_ms_per_query']:.2f} ms vs "
            f"{cpu['cached_baseline_cpu_ms_per_query']:.2f} ms per query, {cpu['queries']} "
            "queries; the baseline has the gateway's schema extensions, so it parses and "
            f"validates once too; the {len(rounds)} rounds' own ratios: min {rounds[0]:.3f}, "
            f"median {statistics.median(rounds):.3f}, max {rounds[-1]:.3f}",
        ),
        Figure(
            "b_cpu_ratio_stock_fields",
            "(b) against the same caches, each field strawberry's own way",
            cpu["ratio_stock_fields"],
            "",
            None,
            detail=f"{cpu['gateway_cpu_ms_per_query']:.2f} ms vs "
            f"{cpu['stock_baseline_cpu_ms_per_query']:.2f} ms: the baseline of (b) without the "
            "gateway's plain fields (`gateway/schema/plain_fields.py`), each field through "
            "strawberry's wrapper and graphql-core's whole way, as strawberry comes: lower "
            "than (b) by what the gateway's execution saves, not by anything the gateway "
            "does less, so a value within (b)'s target here meets it only by that letter",
        ),
        Figure(
            "b_cpu_ratio",
            "(b) as first defined: gateway CPU / in-memory strawberry without those caches",
            cpu["ratio"],
            "",
            None,
            detail=f"{cpu['gateway_cpu_ms_per_query']:.2f} ms vs "
            f"{cpu['baseline_cpu_ms_per_query']:.2f} ms: the baseline parses and validates "
            "every query (the target of 2.0 once set against it met only by that letter)",
        ),
        Figure(
            "b_sleeps_per_query",
            "(b) the gateway's threads going to sleep per query",
            cpu["gateway_sleeps_per_query"],
            "",
            None,
            fmt="{:.1f}",
            detail="voluntary context switches of all its threads (waiting for the client, the "
            "agencies, the audit writer, the GIL), each a wake-up to pay for; the cached "
            f"baseline's process: {cpu['cached_baseline_sleeps_per_query']:.2f} per execution",
        ),
        Figure(
            "c_calls_per_agency",
            f"(c) agency calls per {batch['subjects']}-debtor batch",
            batch["max_calls_per_agency"],
            "== 1 per agency serving any",
            batch["as_expected"],
            fmt="{:.0f}",
            detail=f"last run: calls {calls_text(last['calls'])}; subjects "
            f"{calls_text(last['subjects'])}; every run: "
            + ("as expected" if batch["as_expected"] else "NOT as expected"),
        ),
        Figure(
            "c_latency_ratio",
            "(c) batch latency / (a) p50",
            batch["latency_ratio"],
            "",
            None,
            detail=f"median {batch['median_latency_ms']:.0f} ms of {config.batch_runs} runs; "
            f"gateway CPU {batch['gateway_cpu_ms_per_batch']:.0f} ms per batch",
        ),
    ]
