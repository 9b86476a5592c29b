"""Client CPU per request of the HTTP stacks the gateway could use: ``python -m bench.transport``.

The fan-out makes one call per agency for every inquiry, so the client's own CPU per request
is paid ten times over. This measures, in the benchmark process, ``time.process_time()`` per
request for N GETs at concurrency C against a mock agency in another process (so its CPU is
not counted), for plain httpx (its default transport), httpx over ``httpx-aiohttp`` (what the
gateway uses) and raw aiohttp. Ratios are against httpx-aiohttp, measured in the same run.
Written to ``bench/RESULTS.md`` (section ``transport``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from bench.fanout import procs
from bench.fanout.report import (
    Figure,
    load_average,
    machine,
    markdown_table,
    run_header,
    table,
    write_section,
)
from bench.options import at_least

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = "python -m bench.transport"

Get = Callable[[str], Awaitable[int]]


async def _load(get: Get, url: str, requests: int, concurrency: int) -> float:
    """Client CPU seconds for ``requests`` GETs, ``concurrency`` at a time."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with semaphore:
            status = await get(url)
            if status != 200:
                raise RuntimeError(f"GET {url} answered {status}")

    start = time.process_time()
    await asyncio.gather(*(one() for _ in range(requests)))
    return time.process_time() - start


async def _with_client(kind: str, url: str, requests: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    if kind == "aiohttp":
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def get_aiohttp(u: str) -> int:
                async with session.get(u) as response:
                    await response.read()
                    return response.status

            await _load(get_aiohttp, url, 50, concurrency)  # warm the pool
            return await _load(get_aiohttp, url, requests, concurrency)
    transport = AiohttpTransport(limits=limits) if kind == "httpx-aiohttp" else None
    async with httpx.AsyncClient(transport=transport, limits=limits) as client:

        async def get_httpx(u: str) -> int:
            return (await client.get(u)).status_code

        await _load(get_httpx, url, 50, concurrency)
        return await _load(get_httpx, url, requests, concurrency)


KINDS = ("httpx", "httpx-aiohttp", "aiohttp")


async def measure(url: str, requests: int, concurrency: int, rounds: int) -> dict[str, float]:
    """CPU ms per request by client kind, summed over alternating rounds."""
    cpu = dict.fromkeys(KINDS, 0.0)
    for _ in range(rounds):
        for kind in KINDS:
            cpu[kind] += await _with_client(kind, url, requests, concurrency)
    return {kind: seconds / (requests * rounds) * 1000 for kind, seconds in cpu.items()}


def figures(ms: dict[str, float]) -> list[Figure]:
    base = ms["httpx-aiohttp"]
    return [
        Figure(
            "httpx_ratio",
            "plain httpx / httpx-aiohttp (client CPU per request)",
            ms["httpx"] / base,
            "",
            None,
            detail=f"{ms['httpx']:.3f} ms vs {base:.3f} ms",
        ),
        Figure(
            "aiohttp_ratio",
            "raw aiohttp / httpx-aiohttp (client CPU per request)",
            ms["aiohttp"] / base,
            "",
            None,
            detail=f"{ms['aiohttp']:.3f} ms vs {base:.3f} ms",
        ),
    ]


def section(args: argparse.Namespace, figs: list[Figure], info: dict[str, str], load: str) -> str:
    return f"""\
## HTTP client stacks (`bench/transport.py`)

{run_header(COMMAND, info)} httpx {info["httpx"]}, httpx-aiohttp {info["httpx-aiohttp"]},
aiohttp {info["aiohttp"]}.

{load}

{args.requests} GETs at concurrency {args.concurrency} from the benchmark process to a mock
agency's `/healthz` in another process, {args.rounds} alternating rounds per client; the client's
CPU time (`time.process_time()`) per request, as a ratio to httpx over `httpx-aiohttp`, which the
gateway's controls and status look-ups use (its reads go straight on aiohttp since December 2026:
`connectors/client.py`, measured per whole agency call by `python -m bench.agency_calls`).

{markdown_table(figs)}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--requests", type=at_least(1), default=2000)
    parser.add_argument("--concurrency", type=at_least(1), default=50)
    parser.add_argument("--rounds", type=at_least(1), default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="chakong-transport-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
    ):
        url = next(iter(mocks.urls.values())) + "/healthz"
        ms = asyncio.run(measure(url, args.requests, args.concurrency, args.rounds))
    load = load_average(before, os.getloadavg())
    figs = figures(ms)
    print(table(figs))
    if not args.no_write:
        write_section(RESULTS, section(args, figs, machine(), load), name="transport")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
