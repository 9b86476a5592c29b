"""One agency call's CPU, whole and in parts: ``python -m bench.agency_calls [--rounds 300]``.

The mocks run in a subprocess (their CPU is not counted) and answer at once. In this process,
the gateway's connectors (``gateway.app.build_sources``, as ``chakong serve`` builds them: the
reads on the gateway's own HTTP/1.1 connections, ``gateway.app.agency_reads``,
``connectors.wire.WireReads``) ask every agency that serves the example debtor, the nine at once
as the fan-out does, ``--rounds`` times. Six ways, alternating:

- **the connector's whole call**: ``connector.query(inquiry)``: the request body, the client,
  the envelope checked, the records validated into the agency's domain records;
- **the same call straight on aiohttp**: the same connectors reading on an aiohttp session
  (``connectors.client.AiohttpReads`` over ``gateway.app.agency_http``'s session), as the
  gateway read from early to mid December 2026: the baseline of the last change;
- **the same call through httpx**: the same connectors reading through the httpx client over
  that session (``connectors.client.HttpxReads``, httpx-aiohttp), as the gateway read until
  then;
- **the client alone**: the same POSTs with the same bodies through ``WireReads``, the answer
  read as bytes and nothing more;
- **aiohttp's client alone**: the same through ``AiohttpReads``;
- **raw aiohttp**: the same POSTs through the ``aiohttp.ClientSession`` itself, read as bytes.

CPU is ``time.process_time()`` per call, on uvloop as the gateway runs
(``gateway.runtime.run_event_loop``; on asyncio's own loop until December 2026). The target of
issue 13: at most 0.5 ms per agency call including validation.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr

from bench.fanout import procs, queries
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least
from connectors.base import Inquiry, SourceConnector
from connectors.client import AiohttpReads, HttpxReads
from connectors.wire import WireReads
from gateway.app import agency_http, agency_reads, build_sources
from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.runtime import run_event_loop
from gateway.settings import AgencySettings, Settings

Round = Callable[[], Awaitable[None]]


async def cpu_of(round_: Round, rounds: int) -> float:
    start = time.process_time()
    for _ in range(rounds):
        await round_()
    return time.process_time() - start


async def measure(mocks: procs.Mocks, rounds: int) -> dict[str, float]:
    serving = set(queries.serving("NATURAL"))
    settings = Settings(
        agencies={
            agency: AgencySettings(url=url, token=SecretStr(mocks.token))
            for agency, url in mocks.urls.items()
            if agency in serving
        }
    )
    case = parse_case_number(queries.CASE_NUMBER)
    example = queries.example_subject()
    subject = parse_subject(SubjectKind.NATURAL, example["id"], example["name"])
    body = queries.agency_inquiry_body("bench-calls")
    auth = {"Authorization": f"Bearer {mocks.token}", "Content-Type": "application/json"}
    urls = [f"{mocks.urls[a]}/v1/inquiries" for a in sorted(serving)]
    http, session = agency_http()
    wire = agency_reads()
    on_aiohttp = AiohttpReads(session)
    try:
        sources, _ = build_sources(settings, http, wire)
        _, through_aiohttp = build_sources(settings, http, on_aiohttp)
        _, through_httpx = build_sources(settings, http, HttpxReads(http))
        ordered: list[SourceConnector] = [sources[a].connector for a in sorted(serving)]
        ordered_aiohttp = sorted(through_aiohttp, key=lambda c: c.agency)
        ordered_httpx = sorted(through_httpx, key=lambda c: c.agency)

        def calls(connectors: list[SourceConnector]) -> Round:
            async def round_() -> None:
                inquiry = Inquiry(uuid.uuid4().hex, case, case.court, (subject,))
                answers = await asyncio.gather(*(c.query(inquiry) for c in connectors))
                if any(a.get(subject.key) is None for a in answers):
                    raise RuntimeError("an agency did not know the example debtor")

            return round_

        def client(reads: WireReads | AiohttpReads) -> Round:
            async def round_() -> None:
                answers = await asyncio.gather(*(reads.post("bench", u, body, auth) for u in urls))
                if any(answer.status_code != 200 for answer in answers):
                    raise RuntimeError("an agency refused the benchmark's call")

            return round_

        async def raw() -> None:
            async def one(url: str) -> None:
                async with session.post(url, data=body, headers=auth) as answer:
                    answer.raise_for_status()
                    await answer.read()

            await asyncio.gather(*(one(u) for u in urls))

        ways: dict[str, Round] = {
            "whole": calls(ordered),
            "aiohttp": calls(ordered_aiohttp),
            "httpx": calls(ordered_httpx),
            "client": client(wire),
            "aiohttp_client": client(on_aiohttp),
            "raw": raw,
        }
        for round_ in ways.values():  # warm-up, connections opened
            await cpu_of(round_, 20)
        totals = dict.fromkeys(ways, 0.0)
        for _ in range(3):
            for name, round_ in ways.items():
                totals[name] += await cpu_of(round_, rounds // 3)
    finally:
        await wire.close()
        await http.aclose()
        await session.close()
    calls_made = (rounds // 3) * 3 * len(urls)
    return {name: cpu / calls_made * 1000 for name, cpu in totals.items()} | {"calls": calls_made}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=at_least(1), default=300)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="chakong-calls-") as tmp,
        procs.mock_agencies(Path(tmp)) as mocks,
    ):
        ms = run_event_loop(measure(mocks, args.rounds))
    load_after = os.getloadavg()
    figures = [
        Figure(
            "whole",
            "CPU per agency call, the connector's whole call (ms)",
            ms["whole"],
            "<= 0.5",
            ms["whole"] <= 0.5,
            "{:.3f}",
            f"{ms['whole'] - ms['client']:.3f} ms of it beyond the client: the body, the "
            "envelope, the records' validation",
        ),
        Figure(
            "aiohttp",
            "CPU per agency call, the same call straight on aiohttp (ms)",
            ms["aiohttp"],
            "",
            None,
            "{:.3f}",
            f"the gateway's read path before its own client; the whole call above is "
            f"{ms['whole'] / ms['aiohttp']:.2f} x this",
        ),
        Figure(
            "httpx",
            "CPU per agency call, the same call through httpx (ms)",
            ms["httpx"],
            "",
            None,
            "{:.3f}",
            f"the read path before that; the whole call above is "
            f"{ms['whole'] / ms['httpx']:.2f} x this",
        ),
        Figure(
            "client",
            "CPU per agency call, the client alone (ms)",
            ms["client"],
            "",
            None,
            "{:.3f}",
            "WireReads, the answer read as bytes",
        ),
        Figure(
            "aiohttp_client",
            "CPU per agency call, aiohttp's client alone (ms)",
            ms["aiohttp_client"],
            "",
            None,
            "{:.3f}",
            f"AiohttpReads, read as bytes; the gateway's own client is "
            f"{ms['client'] / ms['aiohttp_client']:.2f} x this",
        ),
        Figure(
            "raw",
            "CPU per agency call, raw aiohttp (ms)",
            ms["raw"],
            "",
            None,
            "{:.3f}",
            f"the aiohttp session itself, read as bytes; the gateway's own client is "
            f"{ms['client'] / ms['raw']:.2f} x this",
        ),
    ]
    print(table(figures))
    if args.write:
        write_bench_section(
            name="agency-calls",
            title="One agency call (`bench/agency_calls.py`)",
            command=f"python -m bench.agency_calls --rounds {args.rounds}",
            load=(load_before, load_after),
            setup=(
                f"{int(ms['calls'])} calls each way: the nine agencies that serve the example "
                "debtor asked at once, as the fan-out does, mocks answering at once in another "
                "process; six ways alternating. See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
