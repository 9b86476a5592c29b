"""An inquiry's case lookup (``get_for_subjects``): the case with only the parties asked about,
read by the table's key, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.cases import parse_case_number
from gateway.domain.register import Case, Party, PartyRole
from gateway.domain.subjects import Subject, SubjectKind, parse_subject, uscc_check_character
from gateway.store import open_direct_engine, sqlite_driver
from gateway.store.cases import case_for_subjects
from gateway.store.unit import Store
from tests.gateway.case_samples import case_of, natural_people, party_statements
from tests.gateway.store.databases import migrated_engine

NOW = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)
COMPANY = parse_subject(
    SubjectKind.LEGAL, "91320800MA1ABCDE1" + uscc_check_character("91320800MA1ABCDE1")
)


async def save(engine: AsyncEngine, case: Case) -> None:
    async with Store(engine).begin() as unit:
        await unit.cases.save(case, NOW)


async def lookup(engine: AsyncEngine, case: Case, subjects: list[Subject]) -> Case | None:
    async with Store(engine).read() as unit:
        return await unit.cases.get_for_subjects(case.case_number, subjects)


async def test_only_the_parties_asked_about_are_read(engine: AsyncEngine):
    d0, d1, creditor, stranger = natural_people(4)
    named = dataclasses.replace(d1, name="张三")
    case = case_of("(2026)苏0812执1号", [d0, named, COMPANY], [creditor])
    await save(engine, case)
    asked = [
        creditor,
        dataclasses.replace(d1, name="另一个名字"),  # the name is not part of the key
        stranger,
        Subject(SubjectKind.LEGAL, d0.id),  # the id of a party, but of another kind
    ]
    found = await lookup(engine, case, asked)
    # the asked parties as stored (name and role), in the case's order; the rest of the case
    expected = (Party(PartyRole.DEBTOR, named), Party(PartyRole.CREDITOR, creditor))
    assert found == dataclasses.replace(case, parties=expected)


async def test_an_unknown_case_is_none_and_no_subject_reads_no_party(engine: AsyncEngine):
    (debtor,) = natural_people(1)
    case = case_of("(2026)苏0812执2号", [debtor])
    missing = dataclasses.replace(case, case_number=parse_case_number("(2026)苏0812执404号"))
    assert await lookup(engine, missing, [debtor]) is None
    await save(engine, case)
    assert await lookup(engine, case, []) == dataclasses.replace(case, parties=())


async def test_a_thousand_party_case_reads_only_the_subjects_asked_about(engine: AsyncEngine):
    people = natural_people(1000)
    case = case_of("(2026)苏0812执3号", people)
    await save(engine, case)
    all_ids = {p.id for p in people}
    with party_statements(engine) as one:
        found = await lookup(engine, case, [people[999]])
    assert found is not None
    assert found.parties == (Party(PartyRole.DEBTOR, people[999]),)
    assert len(one.seen) == 1
    assert one.bound() & all_ids == {people[999].id}  # no other party was asked for
    # a batch over more than one statement's worth of ids, asked in another order
    asked = people[100:700][::-1]
    with party_statements(engine) as batch:
        found = await lookup(engine, case, asked)
    assert found is not None
    assert found.parties == tuple(Party(PartyRole.DEBTOR, p) for p in people[100:700])
    assert found.debtors() == found.parties
    assert len(batch.seen) == 2
    assert batch.bound() & all_ids == {p.id for p in asked}


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine("sqlite", tmp_path) as engine:
        yield engine


async def test_sqlite_searches_the_parties_by_their_key_not_the_whole_case(sqlite: AsyncEngine):
    people = natural_people(50)
    case = case_of("(2026)苏0812执4号", people)
    await save(sqlite, case)
    with party_statements(sqlite) as statements:
        await lookup(sqlite, case, [people[7]])
        await lookup(sqlite, case, [people[7], people[30]])
    assert len(statements.seen) == 2
    for statement, params in statements.seen:
        async with sqlite.connect() as conn:
            plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)).all()
        details = " ".join(row[-1] for row in plan)
        assert "case_number=? AND subject_kind=? AND subject_id=?" in details, details
        assert "SCAN case_parties" not in details


async def test_the_reader_path_finds_the_same_and_sees_every_commit(engine: AsyncEngine):
    """``Store.run_read``, as the register looks a case up for an inquiry: on a SQLite file on a
    reader thread through the direct engine, elsewhere through the asynchronous engine; the
    same case as the unit's path, and a case saved after a first look is found by the next."""
    people = natural_people(300)
    case = case_of("(2026)苏0812执5号", people)
    direct = open_direct_engine(engine.url.render_as_string(hide_password=False))
    store = Store(engine, direct)
    threads: list[str] = []

    def read(conn: Connection, subjects: list[Subject]) -> Case | None:
        threads.append(threading.current_thread().name)
        return case_for_subjects(conn, case.case_number, subjects)

    try:
        assert await store.run_read(lambda conn: read(conn, people[:1])) is None
        await save(engine, case)
        for asked in (people[:1], people[::-1]):
            expected = await lookup(engine, case, asked)
            assert expected is not None
            assert await store.run_read(functools.partial(read, subjects=asked)) == expected
        on_reader = [name.startswith("store-reader") for name in threads]
        assert on_reader == [direct is not None] * 3
    finally:
        store.close()


async def test_sqlite3_reads_the_same_case_as_sqlalchemy(sqlite: AsyncEngine, tmp_path: Path):
    """``sqlite_driver.case_for_subjects``, the event loop's read of a few subjects: the same
    case, value for value (the amounts as ``Decimal``, the filing date as a date, the judges in
    their order), as SQLAlchemy's ``case_for_subjects``."""
    d0, d1, creditor, stranger = natural_people(4)
    case = dataclasses.replace(
        case_of(
            "(2026)苏0812执6号", [d0, dataclasses.replace(d1, name="张三"), COMPANY], [creditor]
        ),
        judges=("J009", "J001", "J005"),
        obligation=Decimal("123456.78"),
        performed=Decimal("0.05"),
        filed_on=datetime.date(2026, 2, 28),
    )
    await save(sqlite, case)
    raw = sqlite3.connect(str(tmp_path / "chakong.db"))
    try:
        asks = [
            [],
            [d1],
            [COMPANY, creditor],
            [stranger, Subject(SubjectKind.LEGAL, d0.id)],
            [creditor, dataclasses.replace(d1, name="另一个名字"), d0, COMPANY, stranger],
        ]
        for asked in asks:
            expected = await lookup(sqlite, case, asked)
            found = sqlite_driver.case_for_subjects(raw, case.case_number, asked)
            assert found == expected
            assert found is not None
            assert type(found.obligation) is Decimal
        missing = parse_case_number("(2026)苏0812执404号")
        assert sqlite_driver.case_for_subjects(raw, missing, [d0]) is None
    finally:
        raw.close()


def _reads(store: Store, case: Case) -> tuple[list[str], Callable[..., Any]]:
    """The threads a ``run_read`` ran on, and a function that reads ``case`` through it with
    both the SQLAlchemy work and the sqlite3 one."""
    threads: list[str] = []

    def work(conn: Connection, subjects: list[Subject]) -> Case | None:
        threads.append("sqlalchemy:" + threading.current_thread().name)
        return case_for_subjects(conn, case.case_number, subjects)

    def on_sqlite3(conn: sqlite3.Connection, subjects: list[Subject]) -> Case | None:
        threads.append("sqlite3:" + threading.current_thread().name)
        return sqlite_driver.case_for_subjects(conn, case.case_number, subjects)

    async def read(subjects: list[Subject]) -> Case | None:
        return await store.run_read(
            functools.partial(work, subjects=subjects),
            functools.partial(on_sqlite3, subjects=subjects),
        )

    return threads, read


async def test_a_few_subjects_are_read_in_the_loop_and_see_every_commit(
    sqlite: AsyncEngine, tmp_path: Path
):
    people = natural_people(3)
    case = case_of("(2026)苏0812执7号", people[:1])
    store = Store(sqlite, open_direct_engine(f"sqlite+aiosqlite:///{tmp_path / 'chakong.db'}"))
    threads, read = _reads(store, case)
    try:
        assert await read(people[:1]) is None
        await save(sqlite, case)  # committed by another connection after the first read
        assert await read(people[:2]) == await lookup(sqlite, case, people[:2])
        await save(sqlite, case_of("(2026)苏0812执7号", people[:2]))
        found = await read(people[:2])
        assert found is not None
        assert len(found.parties) == 2
        main = threading.current_thread().name
        assert threads == [f"sqlite3:{main}"] * 3
    finally:
        store.close()
    # a store kept to SQLAlchemy reads on a reader thread
    kept = Store(
        sqlite,
        open_direct_engine(f"sqlite+aiosqlite:///{tmp_path / 'chakong.db'}"),
        driver_writes=False,
    )
    threads, read = _reads(kept, case)
    try:
        assert await read(people[:1]) is not None
        assert len(threads) == 1
        assert threads[0].startswith("sqlalchemy:store-reader")
    finally:
        kept.close()


async def test_a_busy_file_sends_the_read_to_a_reader_thread_which_waits(
    sqlite: AsyncEngine, tmp_path: Path
):
    """The loop's connection never waits for a lock: while another connection holds the file
    (here an exclusive lock), the read goes to a reader thread, which waits for it; the next
    read is in the loop again."""
    people = natural_people(2)
    case = case_of("(2026)苏0812执8号", people)
    await save(sqlite, case)
    await sqlite.dispose()  # its pooled connections would keep the other one from the lock
    path = tmp_path / "chakong.db"
    store = Store(sqlite, open_direct_engine(f"sqlite+aiosqlite:///{path}"))
    threads, read = _reads(store, case)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE cases SET court = court")
        reading = asyncio.ensure_future(read(people[:1]))
        await asyncio.sleep(0.3)
        assert not reading.done()  # waiting on the reader thread, not refused
        holder.close()  # lets go of the lock
        found = await asyncio.wait_for(reading, 10)
        assert found is not None
        assert found.parties == case.parties[:1]
        assert await read(people[1:]) is not None
        main = threading.current_thread().name
        assert [t.split(":")[0] for t in threads] == ["sqlite3", "sqlalchemy", "sqlite3"]
        assert threads[1].endswith(tuple(f"store-reader_{i}" for i in range(2)))
        assert threads[2] == f"sqlite3:{main}"
    finally:
        holder.close()
        store.close()
