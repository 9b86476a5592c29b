"""Where the gateway's CPU goes: ``python -m bench.fanout.profile [--queries N]``.

1. Runs the gateway (``chakong serve``) under cProfile in its own process, against the
   mocks at zero latency, sends N full-profile queries (``fresh: true``) after a warm-up, stops
   it, and prints the profile's CPU by layer (disjoint, from cumulative times) and the top
   functions. cProfile inflates call-heavy Python (graphql-core's visitors) far more than C code
   (sockets, pydantic-core, json), so read its shares as an upper bound for Python layers.
2. Without any profiler, times in this process the parts of the in-memory baseline of figure
   (b): graphql-core parsing and validating the query, and strawberry's whole ``execute``.

The raw profile is kept in ``bench/out/fanout.prof`` (``python -m pstats`` can open it).
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
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
from bench.fanout.run import Client, encode

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
    ("  of which JSON encoding of the response", (("gateway/app.py", "encode_json"),), ()),
    (
        "connectors: 3 agency calls (httpx + aiohttp + pydantic)",
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


async def _load(url: str, count: int) -> None:
    body = encode(queries.PROFILE_QUERY, queries.profile_variables())
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=60.0) as http:
        client = Client(http, url)
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
    profile = await baseline.build_profile(queries.rich_subject(), queries.CASE_NUMBER)
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout.profile", description=__doc__)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.fanout.gwprof", str(OUT)]
    with (
        tempfile.TemporaryDirectory(prefix="chakong-prof-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
        procs.gateway(Path(tmp), mocks, command, stop_timeout_s=30.0) as gateway,
    ):
        asyncio.run(_load(gateway.url, args.queries))
    prof = pstats.Stats(str(OUT))
    n = args.queries
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
        print(f"   {name:<58} {value / n * 1000:7.2f} ms {value / total:6.1%}")
    print()
    prof.sort_stats("tottime").print_stats(args.top)
    print("2. The in-memory baseline of (b), no profiler, CPU ms per call:")
    for name, value in asyncio.run(direct_timings(n)).items():
        print(f"   {name:<30} {value:7.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
