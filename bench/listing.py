"""The list at scale: 1,000,000 generated entries in SQLite; the public query's latency and the
overdue report's time over the whole list.

    python -m bench.listing [--entries 1000000] [--queries 2000] [--no-write]

Set-up: a migrated SQLite file in a temporary directory (WAL, as the gateway configures it).
``gateway.demo_list`` generates 4,000 entries through the real lifecycle (the source plan's
profile), in the states of a working list (mostly published or masked, a few pending); each of
the million rows is one of them under a new id, case number and debtor (a valid generated ID
number or credit code and a generated name), inserted in bulk. The history table is not filled:
neither measured query reads it.

Figures: the public query (``ListingService.public_search``: a name and six characters of the ID
number) for as many sampled published debtors, sequential, after 50 warm-up queries: p50 and p99
(target p99 < 50 ms); the overdue report (``ListingService.overdue`` for every court, then
``accountability``) over the whole list, its time and the number of items found.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from stdnum.cn import ric

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
from gateway.demo_list import GIVEN, SURNAMES, build, plans
from gateway.domain.calendar import WorkingCalendar
from gateway.domain.deadlines import SOURCE_PLAN
from gateway.domain.lifecycle import Rules
from gateway.domain.listing import ListingEntry, ListingState
from gateway.domain.subjects import Subject, SubjectKind, uscc_check_character
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.listing import ListingService
from gateway.store import configure_sqlite
from gateway.store.listing import entry_values
from gateway.store.migrate import upgrade
from gateway.store.tables import listing_entries
from gateway.store.unit import Store

RESULTS = Path(__file__).resolve().with_name("RESULTS.md")
TODAY = datetime.date(2026, 12, 1)
BASE = 4000
S = ListingState
# the share of each state in a working list
WEIGHTS = {
    S.PUBLISHED: 55.0,
    S.MASKED: 20.0,
    S.WITHDRAWN: 5.0,
    S.WARNED: 4.0,
    S.LISTED: 3.0,
    S.REVOKED: 3.0,
    S.EMPLOYER_NOTIFIED: 2.0,
    S.LIFTED: 2.0,
    S.EXIT_PENDING: 3.0,
    S.UNDER_REVIEW: 2.0,
    S.UNDER_RECONSIDERATION: 1.0,
}
BATCH = 20_000


def base_entries() -> dict[ListingState, list[ListingEntry]]:
    rules = Rules(SOURCE_PLAN, WorkingCalendar())
    found: dict[ListingState, list[ListingEntry]] = {}
    for index, plan in enumerate(plans(BASE, seed=9, today=TODAY)):
        entry, _ = build(plan, rules, today=TODAY, entry_id=f"b{index}")
        found.setdefault(entry.state, []).append(entry)
    return found


def rows(n: int, rng: random.Random) -> Any:
    """The million rows, in batches: base entries under new ids, cases and debtors."""
    bases = {
        state: [(entry, entry_values(entry)) for entry in found]
        for state, found in base_entries().items()
    }
    states = list(WEIGHTS)
    weights = [WEIGHTS[s] for s in states]
    now = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    batch: list[dict[str, Any]] = []
    for index in range(n):
        state = rng.choices(states, weights)[0]
        base, template = rng.choice(bases[state])
        values = dict(template)
        subject = _subject(rng, base.subject.kind)
        values.update(
            id=f"e{index:07d}",
            subject_id=subject.id,
            name=subject.name,
            birth_date=_born(subject),
            case_number=f"({base.warned_on.year}){base.particulars.court}执{index + 1}号",
            created_at=now,
            updated_at=now,
        )
        batch.append(values)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _subject(rng: random.Random, kind: SubjectKind) -> Subject:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    if kind is SubjectKind.LEGAL:
        first17 = "913208" + f"{rng.randint(0, 99):02d}" + f"MA{rng.randint(0, 9_999_999):07d}"
        return Subject(kind, first17 + uscc_check_character(first17), f"淮安市{name}有限公司")
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 50))
    first17 = f"3208{rng.randint(1, 31):02d}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return Subject(kind, first17 + ric.calc_check_digit(first17 + "0"), name)


def _born(subject: Subject) -> datetime.date | None:
    if subject.kind is not SubjectKind.NATURAL:
        return None
    return datetime.date(int(subject.id[6:10]), int(subject.id[10:12]), int(subject.id[12:14]))


def load(path: Path, n: int) -> float:
    """Insert ``n`` rows; the seconds it took."""
    engine = sa.create_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    with engine.begin() as conn:
        for batch in rows(n, random.Random(1)):
            conn.execute(sa.insert(listing_entries), batch)
    engine.dispose()
    return time.perf_counter() - started


async def measure(path: Path, queries: int) -> dict[str, Any]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    configure_sqlite(engine)
    store = Store(engine)
    clock = lambda: datetime.datetime(2026, 12, 1, 4, tzinfo=datetime.UTC)  # noqa: E731
    rules = Rules(SOURCE_PLAN, WorkingCalendar())
    listing = ListingService(store, Auditor(AuditLog(store, b"b" * 32)), rules, clock=clock)
    async with engine.connect() as conn:
        sample = (
            await conn.execute(
                sa.select(listing_entries.c.name, listing_entries.c.subject_id)
                .where(listing_entries.c.public.is_(True))
                .order_by(sa.func.random())
                .limit(queries + 50)
            )
        ).all()
    latencies = []
    found = 0
    for index, (name, subject_id) in enumerate(sample):
        started = time.perf_counter()
        result = await listing.public_search(name, subject_id[-6:])
        elapsed = time.perf_counter() - started
        if index >= 50:
            latencies.append(elapsed * 1000)
            found += bool(result)
    started = time.perf_counter()
    overdue = await listing.overdue(court=None, today=TODAY)
    overdue_s = time.perf_counter() - started
    started = time.perf_counter()
    rows_ = await listing.accountability(court=None, today=TODAY)
    accountability_s = time.perf_counter() - started
    await engine.dispose()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "p50": statistics.median(latencies),
        "p99": cuts[98],
        "found": found,
        "queries": len(latencies),
        "overdue_s": overdue_s,
        "overdue_items": len(overdue),
        "accountability_s": accountability_s,
        "accountability_rows": len(rows_),
    }


async def main_async(entries: int, queries: int, write: bool) -> int:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.db"
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        configure_sqlite(engine)
        await upgrade(engine)
        await engine.dispose()
        load_s = load(path, entries)
        print(f"loaded {entries} entries in {load_s:.1f} s", flush=True)
        result = await measure(path, queries)
        size_mb = path.stat().st_size / 1e6
    load_after = os.getloadavg()
    figures = [
        Figure("p50", "public query p50 (ms)", result["p50"], "", None, "{:.2f}"),
        Figure("p99", "public query p99 (ms)", result["p99"], "< 50", result["p99"] < 50, "{:.2f}"),
        Figure(
            "overdue",
            "overdue report, whole list (s)",
            result["overdue_s"],
            "",
            None,
            "{:.2f}",
            f"{result['overdue_items']} items",
        ),
        Figure(
            "accountability",
            "accountability per court and judge, whole list (s)",
            result["accountability_s"],
            "",
            None,
            "{:.2f}",
            f"{result['accountability_rows']} rows",
        ),
    ]
    print(table(figures))
    print(f"{result['found']} of {result['queries']} sampled queries found their entry")
    if write:
        info = machine()
        section = "\n\n".join(
            [
                "## The list (`bench/listing.py`)",
                run_header(f"python -m bench.listing --entries {entries}", info, make_bench=False),
                load_average(load_before, load_after)
                + " The machine is shared: figures vary between runs.",
                f"Set-up: {entries:,} generated entries in one SQLite file ({size_mb:,.0f} MB, "
                f"loaded in {load_s:.0f} s), states weighted like a working list ("
                + ", ".join(f"{s.value} {w:g}%" for s, w in WEIGHTS.items())
                + "); see the module's docstring. The public query: "
                f"{result['queries']} sampled published debtors by name and six characters of "
                f"the ID number, sequential, after 50 warm-up queries ({result['found']} found "
                "their entry).",
                markdown_table(figures),
            ]
        )
        write_section(RESULTS, section, name="listing")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--entries", type=at_least(1), default=1_000_000)
    parser.add_argument("--queries", type=at_least(1), default=2000)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    return asyncio.run(main_async(args.entries, args.queries, not args.no_write))


if __name__ == "__main__":
    raise SystemExit(main())
