"""A single inquiry's case lookup: CPU per lookup, the gateway's way against SQLAlchemy's.

    python -m bench.case_lookup [--lookups 2000] [--no-write]

Before any agency is asked, an inquiry reads its case: the case and its judges, and of its
parties only the one asked about, by key (``CaseRegister.get_for_subjects``). A case of 1,000
debtors is registered (``bench.fanout.queries.batch_subjects``: three in four natural persons),
and each measured lookup asks about one of them (a different one each time, so no database
cache of a single row flatters either side): one lookup after another, and then ten at once
(ten tasks, each one lookup after another), as concurrent inquiries make them.

Two ways, alternating, the lower CPU of two runs each kept:

- **the gateway's**: on a SQLite file, the event loop's own sqlite3 connection
  (``gateway.store.sqlite_driver``); on PostgreSQL, the store's kept connections straight on
  asyncpg (``gateway.store.pg_driver``, ``gateway.store.kept``: December 2026; one for each
  lookup made at once up to ``gateway.store.unit.KEPT_READERS``, the rest through the pool);
- **through SQLAlchemy** (``Store(driver_writes=False)``, the baseline): on a SQLite file a
  reader thread through the direct engine, on PostgreSQL a connection checked out of the pool
  for each lookup and the statements through SQLAlchemy's asyncpg adapter (``run_sync``), as the
  gateway read on PostgreSQL until December 2026;
- on PostgreSQL, ten at once, also **with one kept connection** (``Store(kept_readers=1)``), the
  other lookups through the pool, as the gateway read until December 5, 2026.

On SQLite (a file in a temporary directory) and on PostgreSQL at 127.0.0.1:5432 when it is
running (a scratch database, dropped afterwards). CPU is this process's (``time.process_time()``:
the event loop and the store's threads) per lookup, after 50 warm-up lookups; PostgreSQL's own
server CPU is not in it. The loop is uvloop, the gateway's (``gateway.runtime.run_event_loop``).
Both ways' answers are checked equal.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import time
from dataclasses import dataclass
from decimal import Decimal

from bench.audit import database, postgres_running
from bench.fanout.queries import batch_subjects
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least
from gateway.domain.cases import parse_case_number
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.subjects import Subject, SubjectKind, parse_subject
from gateway.runtime import run_event_loop
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.cases import CaseRegister
from gateway.store import open_direct_engine, open_engine
from gateway.store.migrate import upgrade
from gateway.store.unit import KEPT_READERS, Store

CASE = "(2026)苏0812执321号"
PARTIES = 1000
WARM_UP = 50
AT_ONCE = 10  # the lookups made at once in the second measurement
KEY = b"bench-case-lookup-key-0123456789"
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class Run:
    backend: str
    way: str  # "gateway", "sqlalchemy" or "one kept" (the gateway's, one kept reader)
    lookups: int
    cpu_s: float
    wall_s: float
    kept_connects: int
    at_once: int

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s * 1000 / self.lookups


def subjects(count: int) -> list[Subject]:
    """The benchmark's ``count`` distinct subjects (``bench.fanout.queries.batch_subjects``)."""
    return [parse_subject(SubjectKind[s["kind"]], s["id"]) for s in batch_subjects(count)]


def the_case(people: list[Subject]) -> Case:
    return new_case(
        CASE,
        court="苏0812",
        judges=["J001"],
        parties=[Party(PartyRole.DEBTOR, p) for p in people],
        obligation=Decimal(1000),
    )


async def measure(
    backend: str, url: str, way: str, lookups: int, people: list[Subject], at_once: int = 1
) -> Run:
    """``lookups`` lookups in ``at_once`` tasks, each one lookup after another."""
    engine = open_engine(url)
    readers = 1 if way == "one kept" else KEPT_READERS
    store = Store(
        engine, open_direct_engine(url), driver_writes=way != "sqlalchemy", kept_readers=readers
    )
    try:
        register = CaseRegister(store, Auditor(AuditLog(store, KEY)))
        number = parse_case_number(CASE)

        async def task(first: int, count: int) -> None:
            for n in range(first, first + count):
                found = await register.get_for_subjects(number, [people[n % len(people)]])
                if found is None or len(found.parties) != 1:
                    raise RuntimeError("the lookup did not find the debtor asked about")

        each = max(1, lookups // at_once)
        await asyncio.gather(*(task(i * WARM_UP, WARM_UP) for i in range(at_once)))
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(task(i * each, each) for i in range(at_once)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        connects = store.kept_readers.connects
    finally:
        await store.aclose()
        await engine.dispose()
    return Run(backend, way, each * at_once, cpu, wall, connects, at_once)


async def same_answers(url: str, people: list[Subject], stranger: Subject) -> None:
    """Both ways give the same case for the same subject (the first, the last, a stranger)."""
    engine = open_engine(url)
    stores = [Store(engine, open_direct_engine(url), driver_writes=w) for w in (True, False)]
    try:
        number = parse_case_number(CASE)
        for subject in (people[0], people[-1], stranger):
            answers = [
                await CaseRegister(s, Auditor(AuditLog(s, KEY))).get_for_subjects(number, [subject])
                for s in stores
            ]
            if answers[0] != answers[1]:
                raise RuntimeError(f"the two ways read different cases: {answers}")
    finally:
        for store in stores:
            await store.aclose()
        await engine.dispose()


async def main_async(lookups: int, write: bool) -> int:
    load_before = os.getloadavg()
    *people, stranger = subjects(PARTIES + 1)
    backends = ["sqlite"] + (["postgresql"] if postgres_running() else [])
    runs: dict[tuple[str, str, int], Run] = {}
    for backend in backends:
        async with database(backend) as url:
            engine = open_engine(url)
            try:
                await upgrade(engine)
                async with Store(engine).begin() as unit:
                    await unit.cases.save(the_case(people), NOW)
            finally:
                await engine.dispose()
            await same_answers(url, people, stranger)
            for at_once in (1, AT_ONCE):
                ways: tuple[str, ...] = ("gateway", "sqlalchemy")
                if backend == "postgresql" and at_once > 1:
                    ways += ("one kept",)  # as before December 5, 2026: one kept reader
                for way in ways * 2:  # alternating, best of two
                    run = await measure(backend, url, way, lookups, people, at_once)
                    print(
                        f"{backend:10} {way:10} {at_once:2} at once {run.cpu_ms:6.3f} ms "
                        f"CPU/lookup, {run.lookups / run.wall_s:7.0f} lookups/s",
                        flush=True,
                    )
                    key = (backend, way, at_once)
                    if key not in runs or run.cpu_s < runs[key].cpu_s:
                        runs[key] = run
    load_after = os.getloadavg()
    figures: list[Figure] = []
    for backend, at_once in ((b, n) for b in backends for n in (1, AT_ONCE)):
        mine, base = runs[(backend, "gateway", at_once)], runs[(backend, "sqlalchemy", at_once)]
        where = "its own sqlite3 connection" if backend == "sqlite" else "the kept connections"
        name, shown = backend, backend
        if at_once > 1:
            name, shown = f"{backend}-{at_once}", f"{backend}, {at_once} at once"
        figures.append(
            Figure(
                f"{name}-ms",
                f"case lookup CPU, {shown}, the gateway's way (ms)",
                mine.cpu_ms,
                "",
                None,
                "{:.3f}",
                f"on {where}; {mine.lookups / mine.wall_s:.0f} lookups/s"
                + (f"; {mine.kept_connects} connection(s) opened" if backend != "sqlite" else ""),
            )
        )
        figures.append(
            Figure(
                f"{name}-ratio",
                f"case lookup CPU, {shown}, the gateway's way / through SQLAlchemy",
                mine.cpu_s / base.cpu_s,
                "",
                None,
                "{:.3f}",
                f"{mine.cpu_ms:.3f} ms vs {base.cpu_ms:.3f} ms; through SQLAlchemy "
                f"{base.lookups / base.wall_s:.0f} lookups/s",
            )
        )
    if (key := ("postgresql", "one kept", AT_ONCE)) in runs:
        one, mine = runs[key], runs[("postgresql", "gateway", AT_ONCE)]
        figures.append(
            Figure(
                "postgresql-kept-readers",
                f"case lookup CPU, postgresql, {AT_ONCE} at once, {KEPT_READERS} kept connections "
                "/ one",
                mine.cpu_s / one.cpu_s,
                "",
                None,
                "{:.3f}",
                f"{mine.cpu_ms:.3f} ms vs {one.cpu_ms:.3f} ms with one kept connection (the rest "
                "through the pool, as before December 5, 2026)",
            )
        )
    print(table(figures))
    if write:
        skipped = "" if "postgresql" in backends else " PostgreSQL was not running: not measured."
        write_bench_section(
            name="case-lookup",
            title="A single inquiry's case lookup (`bench/case_lookup.py`)",
            command=f"python -m bench.case_lookup --lookups {lookups}",
            load=(load_before, load_after),
            setup=(
                f"A case of {PARTIES} debtors; {lookups} lookups of one debtor each (a different "
                f"one each time) after {WARM_UP} warm-up ones, one after another, and then in "
                f"{AT_ONCE} tasks at once; each way run "
                "twice alternating, the lower CPU kept; CPU is the benchmark process's, per "
                f"lookup. Both ways' answers checked equal.{skipped} See the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=at_least(1), default=2000)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    return run_event_loop(main_async(args.lookups, args.write))


if __name__ == "__main__":
    raise SystemExit(main())
