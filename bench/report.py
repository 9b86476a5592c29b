"""How long a judge waits for the inquiry report: ``python -m bench.report``.

The demo's set-up in process: the ten mock agencies on loopback sockets, a gateway in demo mode
(SQLite in a temporary directory) with the demo's cases, and the judge's token. One HTML report
warms the cache; then ``--runs`` reports of 周坤 (the example debtor, with the spouse and the
controlled enterprise as leads) alternate between HTML and PDF, each a full ``GET /report``: the
inquiry (from the cache), the audit entries, the rendering. Reported: the median of each, and
the PDF's pages and size. Written to ``bench/RESULTS.md`` (section ``report``).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from pydantic import SecretStr

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
from gateway.app import Resources, auth_settings, create_app
from gateway.auth.tokens import TokenService
from gateway.demo import demo_tokens, seed_demo_cases
from gateway.examples import EXAMPLE_CASE_NUMBER, EXAMPLE_DEBTOR
from gateway.settings import AgencySettings, Settings
from mocks.runner import AppServer, MockServers

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = "python -m bench.report"
TOKEN = "bench-report-token"  # noqa: S105 - the loopback mocks' token


async def measure(runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        async with MockServers(token=TOKEN) as mocks:
            agencies = {
                a: AgencySettings(url=url, token=SecretStr(TOKEN)) for a, url in mocks.urls.items()
            }
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                agencies=agencies,
                demo=True,
                default_deadline_ms=30000,
            )
            judge = next(iter(demo_tokens(TokenService(auth_settings(settings))).values()))
            app = create_app(settings)
            async with (
                AppServer(app) as server,
                httpx.AsyncClient(base_url=server.url, timeout=600) as client,
            ):
                resources: Resources = app.state.resources
                await seed_demo_cases(resources)
                params = {"case": EXAMPLE_CASE_NUMBER, "subject": EXAMPLE_DEBTOR["id"]}
                headers = {"Authorization": f"Bearer {judge}"}

                async def one(fmt: str) -> tuple[float, bytes]:
                    started = time.perf_counter()
                    answer = await client.get(
                        "/report", params={**params, "format": fmt}, headers=headers
                    )
                    answer.raise_for_status()
                    return (time.perf_counter() - started) * 1000, answer.content

                await one("html")  # fills the cache: what follows is the report, not the agencies
                times: dict[str, list[float]] = {"html": [], "pdf": []}
                pdf = b""
                loads = [os.getloadavg()]
                for _ in range(runs):
                    for fmt in ("html", "pdf"):
                        elapsed, body = await one(fmt)
                        times[fmt].append(elapsed)
                        pdf = body if fmt == "pdf" else pdf
                loads.append(os.getloadavg())
    import pypdf

    return {
        "runs": runs,
        "html_ms": statistics.median(times["html"]),
        "pdf_ms": statistics.median(times["pdf"]),
        "pages": len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        "pdf_kib": len(pdf) / 1024,
        "load": load_average(loads[0], loads[1]),
    }


def figures(raw: dict[str, object]) -> list[Figure]:
    html, pdf = float(str(raw["html_ms"])), float(str(raw["pdf_ms"]))
    return [
        Figure("html_ms", "HTML report, median ms", html, "", None, fmt="{:.0f}"),
        Figure(
            "pdf_ms",
            "PDF report, median ms",
            pdf,
            "",
            None,
            fmt="{:.0f}",
            detail=f"{raw['pages']} pages, {float(str(raw['pdf_kib'])):.0f} KiB",
        ),
    ]


def section(raw: dict[str, object], figs: list[Figure], info: dict[str, str]) -> str:
    return f"""\
## The inquiry report (`bench/report.py`)

{run_header(COMMAND, info, make_bench=False)}

{raw["load"]}

The demo in process (the ten mocks on loopback, a demo-mode gateway on SQLite, the demo's cases)
and the judge's token. After one HTML report that fills the cache, {raw["runs"]} reports of the
example debtor alternate between HTML and PDF, each a whole `GET /report`: the inquiry (answered
from the cache) with its leads and audit entries, then the rendering (Jinja2; WeasyPrint for the
PDF, with the font slices the text needs). No target: the figures say how long a judge waits.

{markdown_table(figs)}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--runs", type=at_least(1), default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    raw = asyncio.run(measure(args.runs))
    figs = figures(raw)
    print(table(figs))
    print(raw["load"])
    if not args.no_write:
        write_section(RESULTS, section(raw, figs, machine()), name="report")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
