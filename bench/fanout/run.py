"""The fan-out benchmark; ``python -m bench.fanout --help`` for its options.

Processes: the mock agencies (``bench.fanout.mockproc``) and the gateway (``chakong serve``)
each run in a subprocess; the load client (httpx over aiohttp) and the in-memory baseline run
here. Every query asks with ``fresh: true``, so the cache never hides the work.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import baseline, procs, queries
from bench.fanout.report import Figure, git_revision, machine, markdown_table, table, write_section

BENCH_DIR = Path(__file__).resolve().parent.parent
RESULTS = BENCH_DIR / "RESULTS.md"
RAW = BENCH_DIR / "out" / "fanout.json"
RUNS = BENCH_DIR / "out" / "fanout-runs.jsonl"  # the key figures of every written run
HISTORY = 5  # runs shown in RESULTS.md, this one included
COMMAND = "python -m bench.fanout   (make bench)"
TARGET_A = 1.10
TARGET_B = 2.0


@dataclass(frozen=True, slots=True)
class Config:
    warmup: int = 20
    cpu_queries: int = 300  # figure (b), split over `rounds` alternating with the baseline
    rounds: int = 3
    latency_queries: int = 60  # figure (a)
    latency_ms: float = 200.0
    floor_queries: int = 20  # the bench asking the mocks directly, for comparison with (a)
    leads_queries: int = 30  # the full example query, both leads followed
    batch_size: int = 200  # figure (c)
    batch_runs: int = 5


class Client:
    """Posts GraphQL to the gateway with a bearer token; checks every answer is whole before it
    counts."""

    def __init__(self, http: httpx.AsyncClient, url: str, token: str) -> None:
        self.http = http
        self.url = f"{url}/graphql"
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        }

    async def post(self, body: bytes) -> tuple[float, dict[str, Any]]:
        """(seconds until the whole response was read, the response's ``data``)."""
        start = time.perf_counter()
        response = await self.http.post(self.url, content=body, headers=self.headers)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(
                f"the gateway answered HTTP {response.status_code}: {response.text[:500]}"
            )
        payload = response.json()
        if payload.get("errors") or not payload.get("data"):
            raise RuntimeError(f"the query failed: {json.dumps(payload)[:1000]}")
        data: dict[str, Any] = payload["data"]
        return elapsed, data


def encode(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False).encode()


async def register_cases(http: httpx.AsyncClient, gateway: procs.Gateway, batch_size: int) -> None:
    """Register the benchmark's two cases (OPEN, judge J001) as the court's case system: the
    example case with its one debtor, for the single inquiry, and the batch's case with the
    batch's debtors. The gateway answers inquiries only within a registered case, and looks the
    case up before every inquiry, so a case's size is part of what is measured: most cases have
    one or a few debtors."""
    await register_case(http, gateway, [queries.example_subject()], queries.CASE_NUMBER)
    batch = queries.batch_subjects(batch_size)
    await register_case(http, gateway, batch, queries.BATCH_CASE_NUMBER)


async def register_case(
    http: httpx.AsyncClient,
    gateway: procs.Gateway,
    debtors: list[dict[str, str]],
    case_number: str,
) -> None:
    system = Client(http, gateway.url, gateway.system_token)
    variables = queries.case_variables(debtors, case_number)
    _, data = await system.post(encode(queries.SAVE_CASE, variables))
    saved = data["saveCase"]
    if saved["caseNumber"] != case_number or saved["status"] != "OPEN":
        raise RuntimeError(f"the case was not registered as expected: {saved}")


def check_profile(profile: dict[str, Any], *, require_ok: bool) -> None:
    """Every agency that serves the subject's kind answered (OK, or NOT_FOUND where allowed), the
    others are NOT_APPLICABLE (asked nothing); else the run is void."""
    allowed = {"OK"} if require_ok else {"OK", "NOT_FOUND"}
    serving = {a.name for a in queries.serving(profile["subject"]["kind"])}
    statuses = {s["agency"]: s["status"] for s in profile["sources"]}
    bad = {
        a.name: statuses.get(a.name)
        for a in Agency
        if statuses.get(a.name) not in (allowed if a.name in serving else {"NOT_APPLICABLE"})
    }
    if bad:
        raise RuntimeError(f"agencies did not answer as expected: {bad}")


def check_leads(profile: dict[str, Any]) -> int:
    """The example debtor's leads were followed: the spouse and at least one controlled
    enterprise, each a whole profile. Returns the number of leads."""
    check_profile(profile, require_ok=True)
    spouse, enterprises = profile.get("spouse"), profile.get("controlledEnterprises") or []
    if spouse is None or not enterprises:
        raise RuntimeError("the example debtor's leads were not followed (no spouse or enterprise)")
    for lead in [spouse, *enterprises]:
        check_profile(lead, require_ok=False)
    return 1 + len(enterprises)


async def mock_stats(http: httpx.AsyncClient, mocks: procs.Mocks) -> dict[str, dict[str, int]]:
    auth = {"Authorization": f"Bearer {mocks.token}"}
    stats = {}
    for agency, url in mocks.urls.items():
        response = await http.get(f"{url}/_mock/stats", headers=auth)
        response.raise_for_status()
        stats[agency] = response.json()
    return stats


def stats_delta(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], key: str
) -> dict[str, int]:
    return {a: after[a][key] - before[a][key] for a in after}


async def set_latency(http: httpx.AsyncClient, mocks: procs.Mocks, latency_ms: float) -> None:
    auth = {"Authorization": f"Bearer {mocks.token}"}
    for url in mocks.urls.values():
        response = await http.put(
            f"{url}/_mock/faults", json={"latency_ms": latency_ms}, headers=auth
        )
        response.raise_for_status()


def direct_agencies(mocks: procs.Mocks) -> dict[str, str]:
    """The mocks the gateway calls about the example debtor (a natural person): all but permits."""
    serving = {a.value for a in queries.serving(queries.example_subject()["kind"])}
    return {agency: url for agency, url in mocks.urls.items() if agency in serving}


async def direct_floor(http: httpx.AsyncClient, mocks: procs.Mocks, count: int) -> list[float]:
    """Ms for the bench itself to ask at once every mock the gateway asks: the floor of (a)."""
    auth = {"Authorization": f"Bearer {mocks.token}", "Content-Type": "application/json"}
    urls = direct_agencies(mocks)
    samples = []
    for index in range(count):
        body = queries.agency_inquiry_body(f"bench-direct-{index}")
        start = time.perf_counter()
        answers = await asyncio.gather(
            *(http.post(f"{url}/v1/inquiries", content=body, headers=auth) for url in urls.values())
        )
        samples.append((time.perf_counter() - start) * 1000)
        for answer in answers:
            answer.raise_for_status()
    return samples


def percentile(samples: Sequence[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def expected_batch_calls(subjects: list[dict[str, str]]) -> dict[str, int]:
    """One call for each agency that serves at least one of ``subjects``, zero for the others."""
    served = {a.value for s in subjects for a in queries.serving(s["kind"])}
    return {a.value: int(a.value in served) for a in Agency}


async def measure(config: Config, mocks: procs.Mocks, gateway: procs.Gateway) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    profile_body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=120.0) as http:
        await register_cases(http, gateway, config.batch_size)
        client = Client(http, gateway.url, gateway.judge_token)
        await set_latency(http, mocks, 0.0)

        # --- (b) CPU per query, mocks at zero latency -----------------------------------
        print(f"warm-up: {config.warmup} queries", flush=True)
        gateway_data: dict[str, Any] = {}
        for _ in range(config.warmup):
            _, gateway_data = await client.post(profile_body)
            check_profile(gateway_data["debtor"], require_ok=True)

        profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
        schema = baseline.baseline_schema()
        cached_schema = baseline.baseline_schema(gateway_extensions=True)
        variables = queries.profile_variables()
        for warm in (schema, cached_schema):
            await baseline.run_baseline(
                warm, profile, queries.PROFILE_QUERY, variables, config.warmup
            )
        cached_cpu = 0.0

        per_round = max(1, config.cpu_queries // config.rounds)
        gw_cpu = gw_wall = base_cpu = 0.0
        gw_n = base_n = 0
        rounds = []
        zero_latencies: list[float] = []
        base_data: dict[str, Any] = {}
        for index in range(config.rounds):
            print(
                f"(b) round {index + 1}/{config.rounds}: {per_round} queries each way", flush=True
            )
            run = await baseline.run_baseline(
                schema, profile, queries.PROFILE_QUERY, variables, per_round
            )
            base_data = run.data
            cached_run = await baseline.run_baseline(
                cached_schema, profile, queries.PROFILE_QUERY, variables, per_round
            )
            cached_cpu += cached_run.cpu_s
            await asyncio.sleep(0.05)
            cpu0, wall0 = procs.cpu_seconds(gateway.proc.pid), time.perf_counter()
            for _ in range(per_round):
                elapsed, gateway_data = await client.post(profile_body)
                zero_latencies.append(elapsed)
            wall = time.perf_counter() - wall0
            await asyncio.sleep(0.05)
            cpu = procs.cpu_seconds(gateway.proc.pid) - cpu0
            check_profile(gateway_data["debtor"], require_ok=True)
            rounds.append(
                {"baseline_cpu_s": run.cpu_s, "gateway_cpu_s": cpu, "n": per_round, "wall_s": wall}
            )
            gw_cpu, gw_wall, gw_n = gw_cpu + cpu, gw_wall + wall, gw_n + per_round
            base_cpu, base_n = base_cpu + run.cpu_s, base_n + run.iterations

        same = queries.strip_volatile(gateway_data) == queries.strip_volatile(
            json.loads(json.dumps(base_data))
        )
        if not same:
            raise RuntimeError("the baseline's data differs from the gateway's: not the same work")
        raw["cpu"] = {
            "queries": gw_n,
            "gateway_cpu_s": gw_cpu,
            "gateway_cpu_ms_per_query": gw_cpu / gw_n * 1000,
            "gateway_wall_ms_per_query": gw_wall / gw_n * 1000,
            "baseline_iterations": base_n,
            "baseline_cpu_s": base_cpu,
            "baseline_cpu_ms_per_query": base_cpu / base_n * 1000,
            "ratio": (gw_cpu / gw_n) / (base_cpu / base_n),
            "cached_baseline_cpu_ms_per_query": cached_cpu / base_n * 1000,
            "ratio_same_extensions": (gw_cpu / gw_n) / (cached_cpu / base_n),
            "rounds": rounds,
            "same_data": same,
            "response_bytes": len(json.dumps({"data": gateway_data}, ensure_ascii=False).encode()),
            "agencies_ok": sum(s["status"] == "OK" for s in gateway_data["debtor"]["sources"]),
            "zero_latency_p50_ms": statistics.median(zero_latencies) * 1000,
            "clock_ticks_per_s": procs.CLOCK_TICKS,
        }

        # --- (a) latency, mocks at a fixed latency ----------------------------------------
        await set_latency(http, mocks, config.latency_ms)
        print(
            f"(a) {config.latency_queries} queries, mocks at {config.latency_ms:g} ms", flush=True
        )
        for _ in range(5):
            await client.post(profile_body)
        latencies = []
        before = await mock_stats(http, mocks)
        for _ in range(config.latency_queries):
            elapsed, data = await client.post(profile_body)
            check_profile(data["debtor"], require_ok=True)
            latencies.append(elapsed * 1000)
        calls = stats_delta(before, await mock_stats(http, mocks), "inquiries")
        floor = await direct_floor(http, mocks, config.floor_queries)
        agency_ms = {
            s["agency"]: s["latencyMs"] for s in data["debtor"]["sources"] if s["status"] == "OK"
        }
        p50 = statistics.median(latencies)
        raw["latency"] = {
            "mock_latency_ms": config.latency_ms,
            "samples_ms": latencies,
            "p50_ms": p50,
            "p90_ms": percentile(latencies, 90),
            "p99_ms": percentile(latencies, 99),
            "min_ms": min(latencies),
            "max_ms": max(latencies),
            "mean_ms": statistics.fmean(latencies),
            "p50_ratio": p50 / config.latency_ms,
            "extra_ms": p50 - config.latency_ms,
            "extra_over_inmemory": (p50 - config.latency_ms)
            / raw["cpu"]["baseline_cpu_ms_per_query"],
            "calls_per_query": {a: n / config.latency_queries for a, n in calls.items()},
            "last_agency_latency_ms": agency_ms,
            "direct_agencies": sorted(direct_agencies(mocks)),
            "direct_samples_ms": floor,
            "direct_p50_ms": statistics.median(floor),
            "direct_p50_ratio": statistics.median(floor) / config.latency_ms,
            "gateway_share_ms": p50 - statistics.median(floor),
        }

        # --- the full example query: the debtor and both leads ----------------------------
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
        raw["leads"] = {
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

        # --- (c) a batch of debtors ------------------------------------------------------
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
        raw["batch"] = {
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
            "gateway_cpu_ms_per_batch": statistics.median(r["gateway_cpu_s"] for r in measured)
            * 1000,
        }
    return raw


def _calls(calls: dict[str, float]) -> str:
    return ", ".join(f"{a} {n:g}" for a, n in calls.items())


def figures(config: Config, raw: dict[str, Any]) -> list[Figure]:
    lat, cpu, leads, batch = raw["latency"], raw["cpu"], raw["leads"], raw["batch"]
    mock = f"{config.latency_ms:g} ms"
    direct = len(lat["direct_agencies"])
    last = batch["runs"][-1]
    return [
        Figure(
            "a_p50_ratio",
            f"(a) debtor p50 / {mock}",
            lat["p50_ratio"],
            f"<= {TARGET_A:.2f}",
            lat["p50_ratio"] <= TARGET_A,
            detail=f"p50 {lat['p50_ms']:.1f} ms over {len(lat['samples_ms'])} queries",
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
            f"p50; agency calls per query: {_calls(leads['calls_per_query'])}",
        ),
        Figure(
            "b_cpu_ratio",
            "(b) gateway CPU / in-memory strawberry",
            cpu["ratio"],
            f"<= {TARGET_B:.1f}",
            cpu["ratio"] <= TARGET_B,
            detail=f"{cpu['gateway_cpu_ms_per_query']:.2f} ms vs "
            f"{cpu['baseline_cpu_ms_per_query']:.2f} ms per query, {cpu['queries']} queries",
        ),
        Figure(
            "b_cpu_ratio_same_extensions",
            "(b) gateway CPU / in-memory strawberry with the gateway's extensions",
            cpu["ratio_same_extensions"],
            "",
            None,
            detail=(
                f"{cpu['gateway_cpu_ms_per_query']:.2f} ms vs "
                f"{cpu['cached_baseline_cpu_ms_per_query']:.2f} ms: the baseline parses and "
                "validates once too"
            ),
        ),
        Figure(
            "c_calls_per_agency",
            f"(c) agency calls per {batch['subjects']}-debtor batch",
            batch["max_calls_per_agency"],
            "== 1 per agency serving any",
            batch["as_expected"],
            fmt="{:.0f}",
            detail=f"last run: calls {_calls(last['calls'])}; subjects "
            f"{_calls(last['subjects'])}; every run: "
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


def load_runs(path: Path = RUNS) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    runs = []
    for line in path.read_text().splitlines():
        if line.strip():
            runs.append(json.loads(line))
    return runs


def run_record(raw: dict[str, Any], figs: list[Figure]) -> dict[str, Any]:
    return {"date": raw["date"], "git": raw["git"], "figures": {f.key: f.value for f in figs}}


_HISTORY_COLUMNS = (  # (figure key, column title, format)
    ("a_p50_ratio", "(a) p50 ratio", "{:.3f}"),
    ("a_direct_ratio", "direct calls p50 ratio", "{:.3f}"),
    ("leads_p50_ratio", "with leads p50 ratio", "{:.3f}"),
    ("b_cpu_ratio", "(b) CPU ratio", "{:.3f}"),
    ("c_calls_per_agency", "(c) max calls per agency", "{:.0f}"),
)


def runs_table(runs: list[dict[str, Any]]) -> str:
    """The key figures of the last runs, with their range: the machine is noisy."""
    if len(runs) < 2:
        return ""
    lines = [
        f"The last {len(runs)} runs written here (`bench/out/fanout-runs.jsonl`), this one last:",
        "",
        "| run | " + " | ".join(name for _, name, _ in _HISTORY_COLUMNS) + " |",
        "|---|" + "---:|" * len(_HISTORY_COLUMNS),
    ]
    for run in runs:
        shown = [
            "—" if run["figures"].get(key) is None else fmt.format(run["figures"][key])
            for key, _, fmt in _HISTORY_COLUMNS
        ]
        lines.append(f"| {run['date']} (git {run['git']}) | " + " | ".join(shown) + " |")
    ranges = []
    for key, _, fmt in _HISTORY_COLUMNS:
        values = [r["figures"][key] for r in runs if key in r["figures"]]
        ranges.append(f"{fmt.format(min(values))} to {fmt.format(max(values))}" if values else "—")
    lines.append("| range | " + " | ".join(ranges) + " |")
    return "\n\n" + "\n".join(lines)


def section(config: Config, raw: dict[str, Any], figs: list[Figure], info: dict[str, str]) -> str:
    cpu, lat, leads, batch = raw["cpu"], raw["latency"], raw["leads"], raw["batch"]
    packages = ", ".join(
        f"{p} {info[p]}"
        for p in (
            "strawberry-graphql",
            "httpx",
            "httpx-aiohttp",
            "aiohttp",
            "uvicorn",
            "graphql-core",
        )
    )
    mock = f"{config.latency_ms:g} ms"
    direct = len(lat["direct_agencies"])
    kinds = batch["kinds"]
    history = runs_table(raw.get("history", []))
    return f"""\
## Fan-out (`bench/fanout`)

Command: `{COMMAND}`. Last run: {raw["date"]} (git {raw["git"]}).
Machine: {info["cpu"]}, {info["nproc"]} CPUs (nproc), {info["memory"]} memory,
{info["python"]}, {info["os"]}.
Packages: {packages}.

Set-up: the ten mock agencies (`bench/fanout/mockproc.py`) in one subprocess, the gateway
(`{raw["gateway_command"]}`, SQLite in a temporary directory, its own token key and audit key from
`CHAKONG_AUTH__KEYS__bench` and `CHAKONG_AUDIT_KEY`, not demo mode; the per-caller rate limit
raised so that it never refuses, though it still runs) in another, and the load client (httpx over
`httpx_aiohttp.AiohttpTransport`) in the benchmark process. Before measuring, the court's
`COURT_SYSTEM` registers two cases (`saveCase`: OPEN, judge {queries.JUDGE}): the example case
{queries.CASE_NUMBER} with the example debtor, for the single inquiries, and
{queries.BATCH_CASE_NUMBER} with the batch's debtors, for the batch; every inquiry is sent as that
judge's bearer token (JWT). So every inquiry pays what the gateway does now: the token check, the
case lookup (two SQLite statements: the case with its judges, then its parties) before the
fan-out, and the hash-chained audit append (one SQLite transaction), which starts when the agencies
have answered, runs while GraphQL completes the answer, and is committed before the answer is
sent. Queries ask with
`fresh: true` so the cache never hides the work; they are sequential, after {config.warmup}
warm-up queries. Every ratio is against a baseline measured in the same run, because the machine is
noisy.

The query of (a) and (b), "one inquiry", is the explorer's example
(`gateway.examples.EXAMPLE_QUERY`) without its two leads (`spouse`, `controlledEnterprises`;
`bench/fanout/queries.py` drops their two lines and fails if the example changes shape): the
example debtor's own full profile, with every agency's fields, the summary and the sources, for
`gateway.examples.EXAMPLE_DEBTOR` (a RICH, married natural person who controls enterprises). Nine
agencies serve natural persons and are asked (one call each); permits answers NOT_APPLICABLE
without a call. The single inquiry's case has the example debtor as its one DEBTOR party (as most
cases have one or a few); the batch's case has the {batch["subjects"]} subjects of (c).

What each figure is:

- **(a) debtor p50 / {mock}**: the mocks answer in a fixed {mock}; the median latency of
  {config.latency_queries} full-profile `debtor` queries, as a ratio to {mock}. Target <=
  {TARGET_A:.2f}: the agencies are asked concurrently (one after another would give {direct}.0).
  p90 and p99 are reported the same way.
- **(a) direct agency calls p50 / {mock}**: the floor under (a): the benchmark itself sends the
  connectors' request body to the {direct} mocks the gateway asks, at once ({config.floor_queries}
  times, no gateway). The ten mocks share one process (two cores in all), so their answers, due
  at the same moment, leave one after another, and the floor is some ms above {mock}. The
  difference to (a)'s p50 is what the gateway adds; **(a) debtor p50 / direct agency calls p50**
  is the same as a ratio. No target.
- **(a) (p50 - {mock}) / in-memory execution**: the gateway's own share of that latency, as a
  multiple of the in-memory execution time of (b). No target.
- **full example query with both leads p50 / {mock}**: the example query as it is: the debtor's
  profile, then a second round of agency calls for the leads found in it (the spouse from civil
  affairs, the controlled enterprises from the business registry, asked together), mocks at {mock},
  {config.leads_queries} queries. About 2 rounds, so about 2 x (a). No target.
- **(b) gateway CPU / in-memory strawberry**: mocks at zero latency; the gateway process's CPU time
  (utime + stime from `/proc/<pid>/stat`) per full-profile query over {cpu["queries"]} queries, as
  a ratio to strawberry executing the same query with the same variables over the same records held
  in memory (all ten agencies' records and the summary, fetched once from the same mock data through
  the gateway's connectors and converted once to a `DebtorProfile`; a schema whose `debtor`
  resolver returns it), timed with `time.process_time()` in the benchmark process over as many
  executions. Measured in {config.rounds} alternating rounds. The two results are checked to be
  equal (but for `latencyMs` and `cached`). Target <= {TARGET_B:.1f}. The baseline is plain
  strawberry, as the figure is defined: no token, no case lookup, no agency call, no audit entry;
  the gateway caches parsed and validated operations (strawberry's `ParserCache` and
  `ValidationCache`).
- **(b) ... with the gateway's extensions**: the same, against a baseline that has the gateway's
  schema extensions too (so it also parses and validates the query once): what the gateway costs
  beyond strawberry's execution alone. No target.
- **(c) agency calls per {batch["subjects"]}-debtor batch**: one `debtors` query (the same
  selection) with {batch["subjects"]} distinct valid debtors of the case (deterministic;
  {kinds["NATURAL"]} natural persons, the example debtor among them, and {kinds["LEGAL"]} legal
  persons), mocks at {mock}; the calls each agency received, from each mock's `/_mock/stats`
  before and after. Target: exactly 1 for every agency that serves at least one of the debtors
  (here all ten: fund and civil serve natural persons only, permits legal persons only) and 0 for
  any that serves none, in every run.
- **(c) batch latency / (a) p50**: the median latency of {config.batch_runs} such batches (after
  one warm-up batch) as a ratio to the single query's p50 of (a). No target.

{markdown_table(figs)}

Absolute figures: gateway CPU {cpu["gateway_cpu_ms_per_query"]:.2f} ms per query, in-memory
strawberry {cpu["baseline_cpu_ms_per_query"]:.2f} ms; wall time per query at zero mock latency
{cpu["gateway_wall_ms_per_query"]:.2f} ms (p50 {cpu["zero_latency_p50_ms"]:.2f} ms); response
{cpu["response_bytes"]} bytes. At {mock}: p50 {lat["p50_ms"]:.1f} ms, p90 {lat["p90_ms"]:.1f} ms,
p99 {lat["p99_ms"]:.1f} ms, min {lat["min_ms"]:.1f} ms, max {lat["max_ms"]:.1f} ms; agency calls
per query {_calls(lat["calls_per_query"])}. Full example query: p50 {leads["p50_ms"]:.1f} ms, p90
{leads["p90_ms"]:.1f} ms. Batch of {batch["subjects"]}: median {batch["median_latency_ms"]:.0f}
ms, gateway CPU {batch["gateway_cpu_ms_per_batch"]:.0f} ms per batch; subject tiers
{batch["tiers"]}. Raw samples: `bench/out/fanout.json` (git-ignored). Where the gateway's time
goes: `python -m bench.fanout.profile` (cProfile of `chakong serve`, unprofiled timings of the
baseline's parse, validate and execute, and of the case lookup and the audit append).{history}
"""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    defaults = Config()
    parser.add_argument("--warmup", type=int, default=defaults.warmup)
    parser.add_argument("--cpu-queries", type=int, default=defaults.cpu_queries)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--latency-queries", type=int, default=defaults.latency_queries)
    parser.add_argument("--latency-ms", type=float, default=defaults.latency_ms)
    parser.add_argument("--floor-queries", type=int, default=defaults.floor_queries)
    parser.add_argument("--leads-queries", type=int, default=defaults.leads_queries)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--batch-runs", type=int, default=defaults.batch_runs)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md and out/ alone"
    )
    args = parser.parse_args(argv)
    config = Config(
        warmup=args.warmup,
        cpu_queries=args.cpu_queries,
        rounds=args.rounds,
        latency_queries=args.latency_queries,
        latency_ms=args.latency_ms,
        floor_queries=args.floor_queries,
        leads_queries=args.leads_queries,
        batch_size=args.batch_size,
        batch_runs=args.batch_runs,
    )
    # SIGTERM unwinds like Ctrl-C, so the subprocesses are stopped on the way out
    signal.signal(signal.SIGTERM, _terminated)
    started = time.perf_counter()
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
    figs = figures(config, raw)
    print()
    print(table(figs))
    print(f"\n{raw['duration_s']:.0f} s in all")
    if not args.no_write:
        RAW.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "config": asdict(config),
            "machine": info,
            "figures": [asdict(f) for f in figs],
            **raw,
        }
        RAW.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        with RUNS.open("a") as runs:
            runs.write(json.dumps(run_record(raw, figs)) + "\n")
        raw["history"] = load_runs()[-HISTORY:]
        write_section(RESULTS, section(config, raw, figs, info))
        print(
            f"wrote {RESULTS.relative_to(BENCH_DIR.parent)} and {RAW.relative_to(BENCH_DIR.parent)}"
        )
        print(runs_table(raw["history"]))
    return 0 if all(f.passed is not False for f in figs) else 1


if __name__ == "__main__":
    sys.exit(main())
