"""Where the gateway's time goes: ``python -m bench.fanout.profile [--queries N] [--part P]``.

1. Runs the gateway (``chakong serve``) under cProfile in its own process, against the
   mocks at zero latency, sends N full-profile queries (``fresh: true``) after a warm-up, stops
   it, and prints the profile's CPU by layer (disjoint, from cumulative times) and the top
   functions. cProfile inflates call-heavy Python (graphql-core's visitors) far more than C code
   (sockets, pydantic-core, json), so read its shares as an upper bound for Python layers.
2. Without any profiler, times in this process the parts of the in-memory baseline of figure
   (b): graphql-core parsing and validating the query, and strawberry's whole ``execute``.
3. Runs the gateway with timing wrappers (``bench.fanout.gwtime``) against the mocks at a fixed
   latency (200 ms) and prints where one inquiry's wall time goes: the token check, the case
   lookup, the fan-out, the audit append and the rest (GraphQL, HTTP), once for the benchmark's
   case (201 DEBTOR parties) and once for a case with the example debtor alone.

Indented rows of part 1 are parts of other rows, not added to the total. ``--part
cprofile|baseline|stages`` runs one part only. The raw profile is kept in
``bench/out/fanout.prof`` (``python -m pstats`` can open it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from graphql import parse, specified_rules, validate
from httpx_aiohttp import AiohttpTransport

from bench.fanout import baseline, procs, queries
from bench.fanout.client import Client, direct_floor, encode, register_case, set_latency
from bench.fanout.figures import TARGET_A
from bench.fanout.measure import Config
from bench.fanout.report import load_average, machine, run_header, write_section
from bench.fanout.results import RESULTS
from bench.options import at_least, milliseconds

OUT = Path(__file__).resolve().parent.parent / "out" / "fanout.prof"

Frame = tuple[str, str]  # (a part of the file path, the function name)

# name -> frames whose cumulative CPU it is; subtract: frames inside it counted elsewhere
LAYERS: tuple[tuple[str, tuple[Frame, ...], tuple[Frame, ...]], ...] = (
    ("graphql-core parse", (("graphql/language/parser.py", "parse"),), ()),
    ("graphql-core validate", (("graphql/validation/validate.py", "validate"),), ()),
    (
        "strawberry execute: the rest (execution, resolvers)",
        (("strawberry/schema/schema.py", "execute"),),
        (("graphql/language/parser.py", "parse"), ("graphql/validation/validate.py", "validate")),
    ),
    (
        "HTTP server: uvicorn + starlette + strawberry view",
        (
            ("uvicorn/protocols/http/h11_impl.py", "run_asgi"),
            ("uvicorn/protocols/http/h11_impl.py", "data_received"),
            ("uvicorn/protocols/http/httptools_impl.py", "run_asgi"),
            ("uvicorn/protocols/http/httptools_impl.py", "data_received"),
        ),
        (("strawberry/schema/schema.py", "execute"), ("logging/__init__.py", "handle")),
    ),
    ("  of which JSON encoding of the response", (("gateway/http/view.py", "encode_json"),), ()),
    ("  of which the token check (JWT)", (("gateway/http/middleware.py", "_authenticate"),), ()),
    (
        "  the case lookup (on SQLite in the event loop, a batch's on a reader thread)",
        (("gateway/services/cases.py", "get_for_subjects"),),
        (),
    ),
    (
        "  the audit append (event-loop thread only)",
        (("gateway/services/auditing.py", "inquiries"),),
        (),
    ),
    (
        "connectors: 9 agency calls (httpx + aiohttp + pydantic)",
        (("connectors/http.py", "post_inquiry"),),
        (),
    ),
    ("  of which httpx AsyncClient.send", (("httpx/_client.py", "send"),), ()),
    ("  of which pydantic model_validate_json", (("pydantic/main.py", "model_validate_json"),), ()),
    ("logging (access log, inquiry log)", (("logging/__init__.py", "handle"),), ()),
)


def _own(stats: dict[Any, Any], path_parts: Sequence[str]) -> float:
    """Time spent in the functions of these files themselves (not their callees)."""
    total = 0.0
    for (path, _line, _function), (_cc, _nc, tt, _ct, _callers) in stats.items():
        if any(part in path for part in path_parts):
            total += tt
    return total


def _cumulative(stats: dict[Any, Any], frames: Sequence[Frame]) -> float:
    total = 0.0
    for (path, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.items():
        if any(part in path and function == name for part, name in frames):
            total += ct
    return total


def layers(prof: pstats.Stats) -> list[tuple[str, float]]:
    table = prof.stats  # type: ignore[attr-defined]
    out = []
    for name, frames, inside in LAYERS:
        out.append((name, _cumulative(table, frames) - _cumulative(table, inside)))
    engine = ("gateway/services/", "gateway/resolvers/", "connectors/resilience.py", "dataloader")
    out.append(("gateway services, resolvers, dataloader (own time)", _own(table, engine)))
    return out


def bench_debtors(batch_size: int) -> list[dict[str, str]]:
    """The example debtor and the batch's subjects: the largest case the benchmark knows."""
    return [queries.example_subject(), *queries.batch_subjects(batch_size)]


async def _load(gateway: procs.Gateway, count: int, debtors: list[dict[str, str]]) -> None:
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=60.0) as http:
        await register_case(http, gateway, debtors, queries.CASE_NUMBER)
        client = Client(http, gateway.url, gateway.judge_token)
        for _ in range(count):
            await client.post(body)


def _per_call_ms(fn: Callable[[], object], iterations: int) -> float:
    start = time.process_time()
    for _ in range(iterations):
        fn()
    return (time.process_time() - start) / iterations * 1000


async def direct_timings(iterations: int) -> dict[str, float]:
    """CPU ms per call, no profiler: the pieces of the in-memory baseline."""
    schema = baseline.baseline_schema()
    profile = await baseline.build_profile(queries.example_subject(), queries.CASE_NUMBER)
    variables = queries.profile_variables()
    gql_schema = schema._schema
    document = parse(queries.PROFILE_QUERY)
    rules = list(specified_rules)
    parse_ms = _per_call_ms(lambda: parse(queries.PROFILE_QUERY), iterations)
    validate_ms = _per_call_ms(lambda: validate(gql_schema, document, rules), iterations)
    await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, 20)
    run = await baseline.run_baseline(schema, profile, queries.PROFILE_QUERY, variables, iterations)
    total_ms = run.cpu_s / iterations * 1000
    return {
        "parse": parse_ms,
        "validate": validate_ms,
        "execute (rest)": total_ms - parse_ms - validate_ms,
        "strawberry execute, total": total_ms,
    }


def _cprofile(queries_n: int, top: int, debtors: list[dict[str, str]]) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.fanout.gwprof", str(OUT)]
    with (
        tempfile.TemporaryDirectory(prefix="chakong-prof-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
        procs.gateway(Path(tmp), mocks, command, stop_timeout_s=30.0) as gateway,
    ):
        asyncio.run(_load(gateway, queries_n, debtors))
    prof = pstats.Stats(str(OUT))
    n = queries_n
    table = prof.stats  # type: ignore[attr-defined]
    busy = _cumulative(table, [("asyncio/base_events.py", "_run_once")])
    idle = sum(
        v[2] for k, v in table.items() if k[2] == "<method 'poll' of 'select.epoll' objects>"
    )
    total = busy - idle
    print(f"1. cProfile of the gateway, {n} queries: {total / n * 1000:.2f} ms busy per query")
    print("   (inflated by the profiler; the unprofiled figure is (b) in bench/RESULTS.md)\n")
    rows = layers(prof)
    named = sum(v for name, v in rows if not name.startswith("  "))
    rows.append(("event loop, asyncio, everything else", total - named))
    for name, value in rows:
        print(f"   {name:<72} {value / n * 1000:7.2f} ms {value / total:6.1%}")
    print()
    prof.sort_stats("tottime").print_stats(top)


STAGES = ("request", "token_verify", "case_lookup", "fanout", "audit_append")


async def _timed_load(
    gateway: procs.Gateway,
    mocks: procs.Mocks,
    debtors: list[dict[str, str]],
    count: int,
    latency_ms: float,
) -> dict[str, list[float]]:
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=60.0) as http:
        await register_case(http, gateway, debtors, queries.CASE_NUMBER)
        await set_latency(http, mocks, latency_ms)
        client = Client(http, gateway.url, gateway.judge_token)
        for _ in range(10):
            await client.post(body)
        samples = []
        for _ in range(count):
            elapsed, _data = await client.post(body)
            samples.append(elapsed * 1000)
        floor = await direct_floor(http, mocks, count // 2 or 1)
    return {"client": samples, "direct": floor}


def stage_timings(
    debtors: list[dict[str, str]], count: int, latency_ms: float
) -> tuple[dict[str, list[float]], dict[str, list[tuple[float, float]]]]:
    """One gateway (``bench.fanout.gwtime``) and ``count`` sequential full-profile queries, mocks
    at ``latency_ms``: (client-side samples, the gateway's stage samples of the measured ones)."""
    with tempfile.TemporaryDirectory(prefix="chakong-stages-") as tmp:
        out = Path(tmp) / "stages.json"
        command = [sys.executable, "-m", "bench.fanout.gwtime", str(out)]
        with (
            procs.mock_agencies(Path(tmp)) as mocks,
            procs.gateway(Path(tmp), mocks, command, stop_timeout_s=30.0) as gateway,
        ):
            client = asyncio.run(_timed_load(gateway, mocks, debtors, count, latency_ms))
        raw = json.loads(out.read_text())
    # keep the last `count` requests of each stage: those of the measured queries (the case's
    # registration and the warm-up came first; every query has one of each stage)
    stages = {stage: [tuple(x) for x in raw.get(stage, [])][-count:] for stage in STAGES}
    return client, stages


def _p50(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def stages_rows(
    client: dict[str, list[float]],
    stages: dict[str, list[tuple[float, float]]],
) -> dict[str, float]:
    """The p50s (ms) of one stages run, for RESULTS.md."""
    walls = {stage: _p50([w for w, _ in stages[stage]]) for stage in STAGES}
    cpus = {f"{stage}_cpu": _p50([c for _, c in stages[stage]]) for stage in STAGES}
    client_p50, direct_p50 = _p50(client["client"]), _p50(client["direct"])
    # once the agencies have answered, GraphQL completes the answer while the audit append
    # commits (the answer waits for both): what comes after the fan-out is one span
    rest = walls["request"] - walls["case_lookup"] - walls["fanout"]
    return {
        **walls,
        **cpus,
        "client": client_p50,
        "direct": direct_p50,
        "fanout_over_direct": walls["fanout"] - direct_p50,
        "rest": rest,
        "transport": client_p50 - walls["request"],
    }


STAGE_ROWS = (  # (key, what it is)
    ("client", "the query at the client (figure (a)'s sample)"),
    ("direct", "floor: the bench asking the 9 mocks at once, no gateway"),
    ("request", "in the gateway: the whole request (after routing)"),
    ("token_verify", "  the token check (JWT)"),
    ("case_lookup", "  the case lookup (its judges, the parties asked about)"),
    ("fanout", "  the fan-out (9 agency calls, concurrent)"),
    ("audit_append", "  the audit entry, queued to its group's commit (beside the answer)"),
    ("rest", "  after the fan-out: the answer completed, its audit entry committed"),
    ("fanout_over_direct", "fan-out - floor: the connectors' own share"),
    ("transport", "client - request: HTTP to and from the gateway"),
)


def stages_section(
    runs: list[tuple[str, dict[str, float]]],
    count: int,
    latency_ms: float,
    target: float,
    load: str,
) -> str:
    info = machine()
    header = "| p50, ms | " + " | ".join(title for title, _ in runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]
    for key, what in STAGE_ROWS:
        cells = []
        for _, row in runs:
            cpu = row.get(f"{key}_cpu")
            cells.append(f"{row[key]:.2f}" + ("" if cpu is None else f" (CPU {cpu:.2f})"))
        lines.append(f"| {what.strip()} | " + " | ".join(cells) + " |")
    main_row = runs[0][1]
    lookup, after = main_row["case_lookup"], main_row["rest"]
    return f"""\
## Where one inquiry's time goes (`bench/fanout/profile.py --part stages`)

{run_header("python -m bench.fanout.profile --part stages", info, make_bench=False)}

{load}

The gateway (`chakong serve`, set up as for the fan-out benchmark) runs with timing wrappers
(`bench/fanout/gwtime.py`: the methods are wrapped in its process, no gateway file changes) that
record each stage's wall time and the process's CPU time while it ran; the mocks answer in a fixed
{latency_ms:g} ms; {count} sequential full-profile queries after 10 warm-up ones, as in (a).
Medians (the stages' medians need not add up exactly). Once for the benchmark's case and once for a
case whose only party is the example debtor.

{chr(10).join(lines)}

Against (a)'s target of {target:.2f} x {latency_ms:g} ms = {target * latency_ms:.0f} ms: the case
lookup ({lookup:.1f} ms) comes before the fan-out, since no agency may be asked before the
inquiry is allowed. The audit entry is queued when the agencies have answered, and its group is
written beside GraphQL's completion of the answer (a few inquiries' group in the event loop
itself, a larger one on the store's writer thread: `gateway/services/audit_writer.py`); the
answer is sent once both are done, {after:.1f} ms after the fan-out. Wall times overlap, and a
stage's CPU is the whole process's while it ran, as the stages share one interpreter.
"""


def print_stages(
    title: str,
    client: dict[str, list[float]],
    stages: dict[str, list[tuple[float, float]]],
    latency_ms: float,
) -> None:
    count = len(client["client"])
    print(f"   {title}")
    print(f"   {'stage':<44} {'wall p50':>9} {'wall mean':>10} {'CPU p50':>8}   (ms)")
    for stage in STAGES:
        samples = stages[stage]
        walls, cpus = [w for w, _ in samples], [c for _, c in samples]
        mean = statistics.fmean(walls) if walls else float("nan")
        print(f"   {stage:<44} {_p50(walls):9.2f} {mean:10.2f} {_p50(cpus):8.2f}")
    per_request = [len(stages[s]) == count for s in ("request", "case_lookup", "fanout")]
    if all(per_request) and len(stages["audit_append"]) == count:
        rest = [
            r[0] - c[0] - f[0] - a[0]
            for r, c, f, a in zip(
                stages["request"],
                stages["case_lookup"],
                stages["fanout"],
                stages["audit_append"],
                strict=True,
            )
        ]
        print(
            f"   {'request - case - fanout - audit (GraphQL, HTTP)':<44} {_p50(rest):9.2f} "
            f"{statistics.fmean(rest):10.2f}"
        )
    p50, floor = _p50(client["client"]), _p50(client["direct"])
    print(
        f"   client p50 {p50:.1f} ms = {p50 / latency_ms:.3f} x {latency_ms:g} ms; direct agency "
        f"calls p50 {floor:.1f} ms; fan-out p50 - direct p50 "
        f"{_p50([w for w, _ in stages['fanout']]) - floor:.1f} ms\n"
    )


async def direct_floor_only(mocks: procs.Mocks, latency_ms: float, count: int) -> list[float]:
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=60.0) as http:
        await set_latency(http, mocks, latency_ms)
        return await direct_floor(http, mocks, count)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout.profile", description=__doc__)
    parser.add_argument("--queries", type=at_least(1), default=300, help="for the cProfile part")
    parser.add_argument("--top", type=at_least(1), default=20)
    parser.add_argument("--stage-queries", type=at_least(1), default=60, help="for the stages part")
    parser.add_argument(
        "--latency-ms", type=milliseconds, default=200.0, help="for the stages part"
    )
    parser.add_argument("--part", choices=("all", "cprofile", "baseline", "stages"), default="all")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args(argv)
    debtors = bench_debtors(Config().batch_size)
    if args.part in ("all", "cprofile"):
        _cprofile(args.queries, args.top, debtors)
    if args.part in ("all", "baseline"):
        print("2. The in-memory baseline of (b), no profiler, CPU ms per call:")
        for name, value in asyncio.run(direct_timings(args.queries)).items():
            print(f"   {name:<30} {value:7.2f} ms")
        print()
    if args.part in ("all", "stages"):
        print(
            f"3. Where one inquiry's wall time goes, mocks at {args.latency_ms:g} ms, "
            f"{args.stage_queries} sequential queries (bench.fanout.gwtime's timing wrappers):"
        )
        rows = []
        load_before = os.getloadavg()
        for title, case_debtors in (
            (f"the benchmark's case: {len(debtors)} DEBTOR parties", debtors),
            ("a case with the example debtor as its only party", debtors[:1]),
        ):
            client, stages = stage_timings(case_debtors, args.stage_queries, args.latency_ms)
            print_stages(title, client, stages, args.latency_ms)
            short = f"case of {len(case_debtors)} part{'ies' if len(case_debtors) > 1 else 'y'}"
            rows.append((short, stages_rows(client, stages)))
        if not args.no_write:
            load = load_average(load_before, os.getloadavg())
            section = stages_section(rows, args.stage_queries, args.latency_ms, TARGET_A, load)
            write_section(RESULTS, section, name="fanout-stages")
            print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
