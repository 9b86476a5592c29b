"""An inquiry's audit: CPU per inquiry, one transaction each against group commit.

    python -m bench.audit [--inquiries 600] [--no-write]

What an inquiry writes before its answer may leave: its audit entry, chained onto the head, and
the answers a control may later name (``inquiry_answers``: one row per agency that takes
controls). The profile is the explorer's example debtor's (``gateway.examples``: nine agencies
answering, five of them with assets), fetched once from in-process mocks through the gateway's
connectors; every measured inquiry writes that profile's entry and answers again.

Two ways are measured in the same run, alternating, on a fresh database each:

- **one transaction per inquiry** (the baseline, as the gateway wrote until group commit): a
  unit of work per inquiry, the append (three statements) and the answers (one statement per
  agency) in it;
- **group commit** (``gateway.services.audit_writer``, what the gateway does now): requests
  queue their entries and one drain writes everything queued in one transaction; on SQLite on
  the store's writer thread straight on sqlite3 (``gateway.store.sqlite_driver``), on
  PostgreSQL straight on asyncpg (``gateway.store.pg_driver``: in one statement onto the head
  the process wrote last, which is every group here but the first, else in a transaction);
- **group commit through SQLAlchemy** (``Store(driver_writes=False)``): the same groups, their
  statements through SQLAlchemy (on SQLite still on the writer thread, on PostgreSQL through its
  asyncpg adapter), as the gateway wrote them until December 2026: the baseline of the driver
  paths.

At concurrency 1 (one inquiry after another) and 50 (50 callers, each inquiring in a loop), on
SQLite (a file in a temporary directory, WAL) and on PostgreSQL at 127.0.0.1:5432 when it is
running (a scratch database, dropped afterwards). CPU is this process's
(``time.process_time()``: the event loop and the driver's threads), per inquiry, after 20
warm-up inquiries; PostgreSQL's own server CPU is not in it. The loop is uvloop, the gateway's
(``gateway.runtime.run_event_loop``; asyncio's own until December 2026). The chain is verified
after each run. Target: group commit at most 1 ms of CPU per inquiry (issue 13).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import socket
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from bench.fanout.baseline import fetch_profile
from bench.fanout.queries import example_subject
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least
from gateway.auth.principal import Principal, Role
from gateway.runtime import run_event_loop
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor, Inquiries, inquiry_answers, inquiry_records
from gateway.services.inquiry import InquiryKey
from gateway.store import open_direct_engine, open_engine
from gateway.store.migrate import upgrade
from gateway.store.unit import Store

KEY = b"bench-audit-key-0123456789abcdef"
CASE = "(2026)苏0812执123号"
JUDGE = Principal(Role.JUDGE, "J001", court="苏0812", judge="J001")
WARM_UP = 20
PG = ("127.0.0.1", 5432)
DRIVERS = {"sqlite": "sqlite3", "postgresql": "asyncpg"}


@dataclass(frozen=True, slots=True)
class Run:
    backend: str
    way: str  # "single", "group" or "group-sqlalchemy"
    concurrency: int
    inquiries: int
    cpu_s: float
    wall_s: float
    groups: int | None

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s * 1000 / self.inquiries


def listening(address: tuple[str, int]) -> bool:
    """Whether a server accepts connections at ``address``."""
    try:
        with socket.create_connection(address, timeout=0.5):
            return True
    except OSError:
        return False


def postgres_running() -> bool:
    return listening(PG)


@contextlib.asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'audit.db'}"
        return
    name = f"chakong_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(
        f"postgresql+asyncpg://postgres@{PG[0]}:{PG[1]}/postgres", isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield f"postgresql+asyncpg://postgres@{PG[0]}:{PG[1]}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


async def one_transaction_each(auditor: Auditor, store: Store, items: Inquiries, n: int) -> None:
    """The baseline: the gateway's audit write before group commit, one unit per inquiry."""
    records = inquiry_records(JUDGE, f"req-{n}", items)
    async with store.begin() as unit:
        entries = await auditor.log.append(records, unit=unit)
        for entry, (key, profile) in zip(entries, items, strict=True):
            for answer in inquiry_answers(key, profile, entry.seq, entry.at):
                await unit.controls.save_answer(answer)


async def measure(
    backend: str, way: str, concurrency: int, inquiries: int, items: Inquiries
) -> Run:
    async with database(backend) as url:
        engine = open_engine(url)
        # as the gateway opens it: on a SQLite file, with its direct engine
        store = Store(engine, open_direct_engine(url), driver_writes=way != "group-sqlalchemy")
        try:
            await upgrade(engine)
            auditor = Auditor(AuditLog(store, KEY), store)

            def write(n: int) -> Awaitable[object]:
                if way == "single":
                    return one_transaction_each(auditor, store, items, n)
                # "group", or "group-sqlalchemy" on a store that does not use the driver
                return auditor.inquiries(JUDGE, f"req-{n}", items)

            for n in range(WARM_UP):
                await write(n)
            groups_before = auditor.writer.groups if auditor.writer else 0
            counter = iter(range(inquiries))

            async def caller() -> None:
                for n in counter:
                    await write(WARM_UP + n)

            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.gather(*(caller() for _ in range(concurrency)))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            groups = (auditor.writer.groups - groups_before) if auditor.writer else None
            if way.startswith("group") and groups is None:
                raise RuntimeError("the auditor has no group writer")
            report = await auditor.log.verify()
            if not report.ok or report.checked != WARM_UP + inquiries:
                raise RuntimeError(f"the chain did not verify after the run: {report}")
        finally:
            await store.aclose()
            await engine.dispose()
    return Run(backend, way, concurrency, inquiries, cpu, wall, groups if way != "single" else None)


Measure = Callable[[str, str, int], Awaitable[Run]]


async def main_async(inquiries: int, write: bool) -> int:
    load_before = os.getloadavg()
    profile, options = await fetch_profile(example_subject(), CASE)
    items: Inquiries = [(InquiryKey(profile.subject, options), profile)]
    answers = len(inquiry_answers(items[0][0], profile, 1, datetime.datetime.now(datetime.UTC)))
    backends = ["sqlite"] + (["postgresql"] if postgres_running() else [])
    runs: dict[tuple[str, str, int], Run] = {}
    for backend in backends:
        for concurrency in (1, 50):
            ways = ["single", "group", "group-sqlalchemy"]
            for way in ways * 2:  # alternating, best of two
                run = await measure(backend, way, concurrency, inquiries, items)
                print(
                    f"{backend:10} c={concurrency:<3} {way:16} {run.cpu_ms:6.2f} ms CPU/inquiry, "
                    f"{run.inquiries / run.wall_s:7.0f} inquiries/s"
                    + ("" if run.groups is None else f", {run.groups} transactions"),
                    flush=True,
                )
                key = (backend, way, concurrency)
                if key not in runs or run.cpu_s < runs[key].cpu_s:
                    runs[key] = run
    load_after = os.getloadavg()
    figures: list[Figure] = []
    for backend in backends:
        for concurrency in (1, 50):
            single = runs[(backend, "single", concurrency)]
            group = runs[(backend, "group", concurrency)]
            name = f"{backend}, concurrency {concurrency}"
            figures.append(
                Figure(
                    f"{backend}-{concurrency}",
                    f"audit CPU per inquiry, group commit, {name} (ms)",
                    group.cpu_ms,
                    "<= 1.0",
                    group.cpu_ms <= 1.0,
                    "{:.2f}",
                    f"{group.groups} transactions for {group.inquiries} inquiries; "
                    f"{group.inquiries / group.wall_s:.0f} inquiries/s",
                )
            )
            figures.append(
                Figure(
                    f"{backend}-{concurrency}-ratio",
                    f"group commit / one transaction each, {name}",
                    group.cpu_s / single.cpu_s,
                    "",
                    None,
                    "{:.3f}",
                    f"{group.cpu_ms:.2f} ms vs {single.cpu_ms:.2f} ms; one transaction each: "
                    f"{single.inquiries / single.wall_s:.0f} inquiries/s",
                )
            )
            through = runs.get((backend, "group-sqlalchemy", concurrency))
            if through is not None:
                figures.append(
                    Figure(
                        f"{backend}-{concurrency}-driver",
                        f"group commit on {DRIVERS[backend]} / through SQLAlchemy, {name}",
                        group.cpu_s / through.cpu_s,
                        "",
                        None,
                        "{:.3f}",
                        f"{group.cpu_ms:.2f} ms vs {through.cpu_ms:.2f} ms through SQLAlchemy "
                        f"({through.groups} transactions)",
                    )
                )
    print(table(figures))
    if write:
        skipped = "" if "postgresql" in backends else " PostgreSQL was not running: not measured."
        write_bench_section(
            name="audit",
            title="An inquiry's audit (`bench/audit.py`)",
            command=f"python -m bench.audit --inquiries {inquiries}",
            load=(load_before, load_after),
            setup=(
                f"Each inquiry writes the example debtor's entry and {answers} answers (the "
                f"agencies that take controls). {inquiries} measured inquiries per run after "
                f"{WARM_UP} warm-up ones, each way run twice alternating, the lower CPU kept; "
                "CPU is the benchmark process's (event loop and driver threads), per inquiry."
                f"{skipped} See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inquiries", type=at_least(1), default=600)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    return run_event_loop(main_async(args.inquiries, args.write))


if __name__ == "__main__":
    raise SystemExit(main())
