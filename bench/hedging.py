"""Hedged reads against a long-tailed agency: ``python -m bench.hedging``.

One mock land registry on a loopback socket answers with long-tailed latency (lognormal, median
``--tail-ms``, p99 about ten times that). Two fan-out engines with the real land connector ask it
the same inquiries, alternating, one without and one with hedging; no cache. Reported as ratios
of the same run: the hedged engine's p50/p95/p99 over the plain one's, and the calls it made per
inquiry (the price). Written to ``bench/RESULTS.md`` (section ``hedging``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout.report import (
    Figure,
    load_average,
    machine,
    markdown_table,
    run_header,
    table,
    write_section,
)
from bench.options import at_least, milliseconds
from connectors.base import AgencyEndpoint
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from connectors.resilience import CircuitBreaker
from gateway.domain.cases import parse_case_number
from gateway.domain.sources import SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut, Source, SourcePolicy
from mocks.faults import FaultConfig
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = "python -m bench.hedging"
TOKEN = "bench-hedging-token"  # noqa: S105 - a loopback mock's token
CASE = parse_case_number("(2026)苏0802执123号")


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def measure(inquiries: int, tail_ms: float) -> dict[str, object]:
    subject = Subject(SubjectKind.NATURAL, example_subjects()["natural"][Tier.RICH])
    faults = FaultConfig(tail_ms=tail_ms)
    async with (
        MockServers(["land"], token=TOKEN, faults=faults, fault_seed=11) as mocks,
        httpx.AsyncClient(transport=AiohttpTransport(), timeout=30) as http,
    ):
        stats = mocks.apps["land"].state.mock.stats
        endpoint = AgencyEndpoint(mocks.urls["land"], TOKEN)
        connector = HttpConnector(AGENCIES.spec("land"), endpoint, http)
        engines = {}
        for name, hedge in (("plain", False), ("hedged", True)):
            policy = SourcePolicy(attempt_timeout_s=20, max_attempts=1, cache_ttl_s=0, hedge=hedge)
            source = Source(connector, policy, CircuitBreaker(1000, 1))
            engines[name] = FanOut({"land": source}, RecordCache.from_url("memory://"))
        latencies: dict[str, list[float]] = {name: [] for name in engines}
        calls: dict[str, int] = dict.fromkeys(engines, 0)
        loop = asyncio.get_running_loop()
        for index in range(inquiries + 20):
            for name, engine in engines.items():
                before, started = stats.inquiries, loop.time()
                (profile,) = await engine.inquire(
                    [subject], CASE, court="苏0802", agencies=["land"], deadline_s=30
                )
                elapsed = (loop.time() - started) * 1000
                if profile.results[0].status is not SourceStatus.OK:
                    raise RuntimeError(f"{name}: {profile.results[0]}")
                if index >= 20:  # the first 20 teach the tracker its p95 (and warm up)
                    latencies[name].append(elapsed)
                    calls[name] += stats.inquiries - before
        for engine in engines.values():
            await engine.aclose()
    out: dict[str, object] = {"inquiries": inquiries, "tail_ms": tail_ms, "calls": calls}
    for name, samples in latencies.items():
        out[name] = {
            "p50": statistics.median(samples),
            "p95": percentile(samples, 0.95),
            "p99": percentile(samples, 0.99),
            "max": max(samples),
        }
    return out


def figures(raw: dict[str, object]) -> list[Figure]:
    plain, hedged = raw["plain"], raw["hedged"]
    assert isinstance(plain, dict)
    assert isinstance(hedged, dict)
    calls = raw["calls"]
    assert isinstance(calls, dict)
    n = raw["inquiries"]
    assert isinstance(n, int)
    out = []
    for q in ("p50", "p95", "p99"):
        out.append(
            Figure(
                f"{q}_ratio",
                f"hedged {q} / plain {q}",
                hedged[q] / plain[q],
                "< 1.0" if q == "p99" else "",
                hedged[q] < plain[q] if q == "p99" else None,
                detail=f"{hedged[q]:.1f} ms vs {plain[q]:.1f} ms",
            )
        )
    out.append(
        Figure(
            "calls_ratio",
            "agency calls per inquiry, hedged / plain",
            calls["hedged"] / calls["plain"],
            "<= 1.10",
            calls["hedged"] / calls["plain"] <= 1.10,
            detail=f"{calls['hedged']} vs {calls['plain']} calls for {n} inquiries each",
        )
    )
    return out


def section(raw: dict[str, object], figs: list[Figure], info: dict[str, str], load: str) -> str:
    return f"""\
## Hedged reads (`bench/hedging.py`)

{run_header(COMMAND, info)}

{load}

One mock land registry on a loopback socket answers with long-tailed latency (lognormal, median
{raw["tail_ms"]} ms, p99 about ten times the median). Two fan-out engines with the real land
connector send it the same inquiries, alternating, {raw["inquiries"]} each after 20 that teach
the hedging engine the agency's p95: one plain, one with `HEDGE` (a twin call after the observed
p95; the first answer wins). No cache, one attempt each. Targets: a shorter p99, for at most 10%
more agency calls.

{markdown_table(figs)}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--inquiries", type=at_least(1), default=1000)  # p99 of 1000: 10 samples
    parser.add_argument("--tail-ms", type=milliseconds, default=20.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    before = os.getloadavg()
    raw = asyncio.run(measure(args.inquiries, args.tail_ms))
    load = load_average(before, os.getloadavg())
    figs = figures(raw)
    print(table(figs))
    if not args.no_write:
        write_section(RESULTS, section(raw, figs, machine(), load), name="hedging")
        print(f"wrote {RESULTS}")
    return 0 if all(f.passed is not False for f in figs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
