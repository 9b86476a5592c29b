"""A batch's audit group beside a busy thread: ``python -m bench.audit_group``.

    python -m bench.audit_group [--entries 1000] [--runs 5] [--no-write]

What a 1,000-debtor batch's audit writes in one group (``gateway.services.audit_writer``), on a
SQLite file (WAL, in a temporary directory), straight on sqlite3 on the store's writer thread as
the gateway writes it (``gateway.store.sqlite_driver``): ``--entries`` entries, each with five
agencies' answers (the batch of ``bench.batch`` writes 1,000 entries and about 4,750 answers).

The writer thread writes while the event loop's thread is busy: in the gateway, GraphQL is
completing the batch's answer then, in Python, holding the GIL but for a moment every few
milliseconds. sqlite3 lets go of the GIL for every step of a statement and must have it back
before the next; so the number of steps decides how long the group waits for the GIL. Two
ways, alternating, in ``--runs`` rounds:

- **many rows a statement** (what the gateway does): ``ManyRows``, a few INSERTs of up to
  ``MOST_ROWS`` rows each;
- **one row a step** (the baseline, as the gateway wrote until December 2026): the same
  statements' one-row text through ``executemany``, which steps once per row.

Each is timed on its own (the writer alone) and beside a thread that runs Python the whole time
(a loop of additions, as the completing answer keeps the GIL busy), in a process whose garbage
collector is set as ``chakong serve`` sets it. The figures are the medians of the rounds: the
group's time beside the busy thread, each way, and their ratio. No target: the batch's own figure
is ``bench.batch``'s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench.audit import KEY
from bench.fanout.baseline import tune_gc_like_the_gateway
from bench.fanout.report import Figure, table, write_bench_section
from bench.fanout.results import RESULTS
from bench.options import at_least
from gateway.domain.controls import Asset
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.audit import AuditEntry, AuditLog, AuditRecord, Outcome
from gateway.services.audit_writer import AuditWriter
from gateway.store import open_direct_engine, open_engine, sqlite_driver
from gateway.store.controls import InquiryAnswer
from gateway.store.migrate import upgrade
from gateway.store.unit import Store

CASE = "(2026)苏0812执124号"
SUBJECT = parse_subject(SubjectKind.NATURAL, "320802198001010014", "张三")
AGENCIES = ("bank", "securities", "land", "fund", "insurance")
WAYS = ("many rows a statement", "one row a step")


def records(count: int) -> list[AuditRecord]:
    return [
        AuditRecord(
            request_id="req-batch",
            action="inquiry",
            outcome=Outcome.ALLOWED,
            actor="judge:J001",
            role="JUDGE",
            court="苏0812",
            judge="J001",
            case_number=CASE,
            subject=SUBJECT,
            relation="debtor",
            agencies=AGENCIES,
            statuses=dict.fromkeys(AGENCIES, "ok"),
            record_counts=dict.fromkeys(AGENCIES, 1),
        )
        for _ in range(count)
    ]


def answers_of(entries: Sequence[AuditEntry]) -> list[InquiryAnswer]:
    """Five answers an entry, each naming one asset, for a subject of its own."""
    return [
        InquiryAnswer(
            CASE,
            f"subject-{entry.seq}",
            agency,
            entry.at,
            entry.seq,
            [Asset(agency, f"{agency}-{entry.seq}", "deposits", None, label="活期 账户")],
        )
        for entry in entries
        for agency in AGENCIES
    ]


@contextmanager
def one_row_a_step() -> Iterator[None]:
    """The baseline: each ``ManyRows`` of ``sqlite_driver`` through ``executemany`` of its
    one-row text, as the driver wrote before it."""
    many = (sqlite_driver.INSERT_ENTRIES, sqlite_driver.UPSERT_ANSWERS)
    for rows in many:
        rows.insert = _executemany(rows)  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        for rows in many:
            del rows.insert


def _executemany(
    rows: sqlite_driver.ManyRows,
) -> Callable[[sqlite3.Cursor, Sequence[tuple[Any, ...]]], None]:
    def insert(cursor: sqlite3.Cursor, values: Sequence[tuple[Any, ...]]) -> None:
        cursor.executemany(rows.text(1), values)

    return insert


@contextmanager
def busy_thread(busy: bool) -> Iterator[None]:
    """A thread running Python (holding the GIL as a completing answer does) while inside."""
    stop = threading.Event()

    def spin() -> None:
        total = 0
        while not stop.is_set():
            for step in range(1000):
                total += step

    thread = threading.Thread(target=spin, daemon=True) if busy else None
    if thread is not None:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join()


async def one_group(way: str, busy: bool, entries: int, group: list[AuditRecord]) -> float:
    """Seconds to write one group of ``entries`` on a fresh SQLite file, ``way``."""
    with tempfile.TemporaryDirectory(prefix="chakong-audit-group-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'audit.db'}"
        engine = open_engine(url)
        store = Store(engine, open_direct_engine(url))
        try:
            await upgrade(engine)
            log = AuditLog(store, KEY, clock=lambda: datetime.datetime.now(datetime.UTC))
            writer = AuditWriter(log, store, max_group=entries)
            await writer.append(group[:1], answers_of)  # the writer thread and its connection
            with one_row_a_step() if way == WAYS[1] else nullcontext(), busy_thread(busy):
                start = time.perf_counter()
                written = await writer.append(group, answers_of)
                elapsed = time.perf_counter() - start
            if len(written) != entries or not (await log.verify()).ok:
                raise RuntimeError("the group was not written whole")
        finally:
            await store.aclose()
            await engine.dispose()
    return elapsed


async def main_async(entries: int, runs: int, write: bool) -> int:
    load_before = os.getloadavg()
    # as in ``chakong serve``: without it, a full collection now and then doubled a group's time
    tune_gc_like_the_gateway()
    group = records(entries)
    times: dict[tuple[str, bool], list[float]] = {(w, b): [] for w in WAYS for b in (False, True)}
    for index in range(runs):
        for busy in (False, True):
            for way in WAYS:
                times[(way, busy)].append(await one_group(way, busy, entries, group))
        print(
            f"  round {index + 1}/{runs}: "
            + ", ".join(
                f"{way} {'beside a busy thread' if busy else 'alone'} "
                f"{times[(way, busy)][-1] * 1000:.0f} ms"
                for busy in (False, True)
                for way in WAYS
            ),
            flush=True,
        )
    load_after = os.getloadavg()
    ms = {key: statistics.median(values) * 1000 for key, values in times.items()}
    many, one = WAYS
    answers = entries * len(AGENCIES)
    figures = [
        Figure(
            "busy-ratio",
            "a batch's audit group beside a busy thread, one row a step / many rows a statement",
            ms[(one, True)] / ms[(many, True)],
            "",
            None,
            "{:.1f}",
            f"{ms[(one, True)]:.0f} ms vs {ms[(many, True)]:.0f} ms; medians of {runs} rounds",
        ),
        Figure(
            "busy-many",
            "the group beside a busy thread, many rows a statement (ms)",
            ms[(many, True)],
            "",
            None,
            "{:.0f}",
            f"alone: {ms[(many, False)]:.0f} ms",
        ),
        Figure(
            "busy-one",
            "the group beside a busy thread, one row a step (ms)",
            ms[(one, True)],
            "",
            None,
            "{:.0f}",
            f"alone: {ms[(one, False)]:.0f} ms",
        ),
    ]
    print(table(figures))
    if write:
        write_bench_section(
            name="audit-group",
            title="A batch's audit group beside a busy thread (`bench/audit_group.py`)",
            command=f"python -m bench.audit_group --entries {entries} --runs {runs}",
            load=(load_before, load_after),
            setup=(
                f"One group of {entries} entries and {answers} answers on a fresh SQLite file, "
                "written on the store's writer thread straight on sqlite3, alone and beside a "
                "thread running Python; many rows a statement (the gateway) against one row a "
                f"step (`executemany`, the baseline), alternating, {runs} rounds, medians. See "
                "the module's docstring."
            ),
            figures=figures,
            results=RESULTS,
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=at_least(1), default=1000)
    parser.add_argument("--runs", type=at_least(1), default=5)
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args()
    return asyncio.run(main_async(args.entries, args.runs, args.write))


if __name__ == "__main__":
    raise SystemExit(main())
