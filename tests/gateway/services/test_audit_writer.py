"""Group commit: concurrent requests' entries share transactions, on SQLite and PostgreSQL, and
still make one verifying chain with the units that audit their own changes."""

from __future__ import annotations

import asyncio
import datetime
import re
import sqlite3
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.controls import Asset
from gateway.services.audit import AuditEntry, AuditLog, AuditUnavailableError
from gateway.services.audit_writer import AuditWriter
from gateway.store import open_direct_engine, pg_driver, sqlite_driver
from gateway.store.audit import Link
from gateway.store.controls import InquiryAnswer, assets_from_json
from gateway.store.tables import audit_head, audit_log, inquiry_answers
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, Clock, record
from tests.gateway.store.databases import migrated_engine

AT = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(params=["unit", "direct", "driver"])
def store(request: pytest.FixtureRequest, engine: AsyncEngine) -> Iterator[Store]:
    """The store every way a group is written: in a unit of work through SQLAlchemy; on a
    SQLite file in one go on the store's writer thread through SQLAlchemy ("direct"); and as
    the gateway does ("driver"): on a SQLite file on the writer thread straight on sqlite3
    (``gateway.store.sqlite_driver``), on PostgreSQL straight on asyncpg
    (``gateway.store.pg_driver``)."""
    direct = open_direct_engine(engine.url.render_as_string(hide_password=False))
    if request.param == "direct" and direct is None:
        pytest.skip("only a SQLite file has a direct engine")
    if request.param == "driver" and direct is None and engine.dialect.driver != "asyncpg":
        pytest.skip("only a SQLite file and PostgreSQL are written straight on their driver")
    store = Store(
        engine,
        direct if request.param != "unit" else None,
        driver_writes=request.param == "driver",
    )
    yield store
    store.close()


def writer_for(store: Store, **kwargs: int) -> tuple[AuditWriter, AuditLog, Store]:
    log = AuditLog(store, KEY, clock=Clock())
    return AuditWriter(log, store, **kwargs), log, store


async def count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_concurrent_requests_share_transactions_and_keep_their_own_entries(store: Store):
    writer, log, _ = writer_for(store)
    requests = [[record(100 * i + j) for j in range(i % 3 + 1)] for i in range(50)]
    results = await asyncio.gather(*(writer.append(r) for r in requests))
    assert writer.groups < len(requests)  # grouped, not one transaction per request
    for asked, got in zip(requests, results, strict=True):
        assert [e.request_id for e in got] == [r.request_id for r in asked]
        seqs = [e.seq for e in got]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # contiguous
    every = sorted(e.seq for got in results for e in got)
    assert every == list(range(1, sum(len(r) for r in requests) + 1))
    report = await log.verify()
    assert report.ok, report
    assert report.checked == len(every)


async def test_a_group_is_bounded_by_its_size(store: Store):
    writer, log, _ = writer_for(store, max_group=4)
    results = await asyncio.gather(*(writer.append([record(i)]) for i in range(20)))
    assert writer.groups >= 5
    assert sorted(e.seq for (e,) in results) == list(range(1, 21))
    assert (await log.verify()).ok


async def test_answers_commit_with_their_entries(store: Store, engine: AsyncEngine):
    writer, _, _ = writer_for(store)

    def answers_of(n: int):
        def make(entries: list[AuditEntry]) -> list[InquiryAnswer]:
            (entry,) = entries
            return [InquiryAnswer(f"case-{n}", "subject", "bank", AT, entry.seq, [])]

        return make

    results = await asyncio.gather(*(writer.append([record(i)], answers_of(i)) for i in range(8)))
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(inquiry_answers))).all()
    assert {(r.case_number, r.audit_seq) for r in rows} == {
        (f"case-{i}", entry.seq) for i, (entry,) in enumerate(results)
    }


async def test_a_later_answer_replaces_the_one_kept_for_its_key(store: Store, engine: AsyncEngine):
    writer, _, _ = writer_for(store)
    later = AT + datetime.timedelta(hours=1)
    found = Asset("bank", "6222 0001", "deposits", Decimal("88.00"))

    def answer(at: datetime.datetime, assets: list[Asset], agency: str = "bank"):
        def make(entries: list[AuditEntry]) -> list[InquiryAnswer]:
            (entry,) = entries
            return [InquiryAnswer("case-1", "subject", agency, at, entry.seq, assets)]

        return make

    await writer.append([record(1)], answer(AT, []))
    await writer.append([record(2)], answer(AT, [], agency="land"))  # another key: kept
    (entry,) = await writer.append([record(3)], answer(later, [found]))  # a later group
    async with engine.connect() as conn:
        rows = {r.agency: r for r in (await conn.execute(sa.select(inquiry_answers))).all()}
    assert set(rows) == {"bank", "land"}
    bank = rows["bank"]
    assert (bank.audit_seq, bank.answered_at, bank.found_value) == (3, later, Decimal("88.00"))
    assert entry.seq == 3
    assert assets_from_json("bank", bank.assets) == [found]


async def test_assets_worth_more_than_the_column_holds_are_kept_at_its_most(
    store: Store, engine: AsyncEngine
):
    # each within what an agency may send, together past ``Numeric(18, 2)``: PostgreSQL refused
    # the row, and with it the inquiry's audit group and the judge's whole answer
    most = Decimal("9999999999999999.99")
    assets = [Asset("bank", f"6222 000{i}", "deposits", most) for i in range(3)]

    def answer(entries: Sequence[AuditEntry]) -> list[InquiryAnswer]:
        (entry,) = entries
        return [InquiryAnswer("case-1", "subject", "bank", AT, entry.seq, assets)]

    writer, _, _ = writer_for(store)
    await writer.append([record(1)], answer)
    async with engine.connect() as conn:
        (row,) = (await conn.execute(sa.select(inquiry_answers))).all()
    assert float(row.found_value) == float(most)  # SQLite keeps a float


async def test_a_failed_group_fails_each_of_its_requests_and_writes_none(
    store: Store, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    writer, log, _ = writer_for(store)
    real = AuditLog.append_rows
    failures = [OperationalError("INSERT", {}, Exception("disk I/O error"))]

    def failing_once(self: AuditLog, conn: Connection, prepared):
        if failures:
            raise failures.pop()
        return real(self, conn, prepared)

    async def failing_once_on_driver(
        conn: Any, count: int, link: Link, answers_of: Any = None
    ) -> list[AuditEntry]:
        if failures:
            failures.pop()
            raise asyncpg.exceptions.DiskFullError("could not extend file")
        return await real_driver(conn, count, link, answers_of)

    def failing_once_on_sqlite3(
        conn: Any, count: int, link: Link, answers_of: Any = None
    ) -> list[AuditEntry]:
        if failures:
            failures.pop()
            raise sqlite3.OperationalError("disk I/O error")
        return real_sqlite3(conn, count, link, answers_of)

    real_driver = pg_driver.append_rows
    real_sqlite3 = sqlite_driver.append_rows
    monkeypatch.setattr(AuditLog, "append_rows", failing_once)
    monkeypatch.setattr(pg_driver, "append_rows", failing_once_on_driver)
    monkeypatch.setattr(sqlite_driver, "append_rows", failing_once_on_sqlite3)
    first = await asyncio.gather(
        *(writer.append([record(i)]) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, AuditUnavailableError) for r in first)
    assert await count(engine, audit_log) == 0  # an answer never leaves without its entry
    (entry,) = await writer.append([record(99)])
    assert entry.seq == 1
    assert (await log.verify()).ok


async def test_a_malformed_record_fails_its_caller_only(store: Store):
    writer, _, _ = writer_for(store)
    results = await asyncio.gather(
        writer.append([record(1)]),
        writer.append([record(2, outcome="maybe")]),
        writer.append([record(3)]),
        return_exceptions=True,
    )
    first, malformed, third = results
    assert isinstance(malformed, ValueError)
    assert isinstance(first, list)
    assert isinstance(third, list)
    assert [e.request_id for e in first + third] == ["req-1", "req-3"]


async def test_grouped_appends_and_units_auditing_changes_make_one_chain(store: Store):
    writer, log, _ = writer_for(store)

    async def change(i: int) -> None:
        async with store.begin() as unit:
            await unit.connection.execute(sa.text("SELECT 1"))
            await log.append([record(1000 + i, action="case.save")], unit=unit)

    await asyncio.gather(
        *(writer.append([record(i)]) for i in range(30)), *(change(i) for i in range(10))
    )
    report = await log.verify()
    assert report.ok, report
    assert report.checked == 40


async def test_a_cancelled_caller_still_has_its_entry_written(store: Store, engine: AsyncEngine):
    writer, _, _ = writer_for(store)
    caller = asyncio.ensure_future(writer.append([record(1)]))
    await asyncio.sleep(0)  # queued
    caller.cancel()
    await writer.aclose()
    assert caller.cancelled()
    assert await count(engine, audit_log) == 1  # the agencies were asked: it is on record


async def test_the_auditor_keeps_an_inquirys_answers_with_its_entry(
    store: Store, engine: AsyncEngine
):
    # the Auditor's path: its writer, the answers from the profile, in the same group
    from gateway.auth.principal import Principal, Role
    from gateway.domain.cases import parse_case_number
    from gateway.domain.sources import SourceResult, SourceStatus
    from gateway.domain.subjects import SubjectKind, parse_subject
    from gateway.services.auditing import Auditor
    from gateway.services.fanout import SubjectProfile
    from gateway.services.inquiry import InquiryKey, InquiryOptions

    auditor = Auditor(AuditLog(store, KEY, clock=Clock()), store)
    number = parse_case_number("(2026)苏0812执7号")
    subject = parse_subject(SubjectKind.NATURAL, "320802198001010014")
    profile = SubjectProfile(
        subject, number, (SourceResult("bank", SourceStatus.NOT_FOUND, fetched_at=AT),)
    )
    key = InquiryKey(subject, InquiryOptions(number, ("bank",), 5000, False))
    judge = Principal(Role.JUDGE, "judge-zhou", court="苏0812", judge="judge-zhou")
    entries = await asyncio.gather(
        *(auditor.inquiries(judge, f"r{i}", [(key, profile)]) for i in range(3))
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(inquiry_answers))).all()
    # the latest of the three, by the order the group chained them
    assert [(r.agency, r.audit_seq) for r in rows] == [("bank", max(e.seq for (e,) in entries))]
    assert Decimal(rows[0].found_value) == 0


async def test_the_auditor_makes_a_batchs_answers_before_queueing_its_group(
    store: Store, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    # the group's transaction holds the write lock and every entry queued behind it: the
    # answers' assets are made into JSON before the group is queued, once each, and the
    # transaction only binds each to its entry's number (and time, where the agency gave none)
    from gateway.auth.principal import Principal, Role
    from gateway.domain.cases import parse_case_number
    from gateway.domain.sources import SourceResult, SourceStatus
    from gateway.domain.subjects import Subject, SubjectKind
    from gateway.services.auditing import Auditor
    from gateway.services.fanout import SubjectProfile
    from gateway.services.inquiry import InquiryKey, InquiryOptions
    from gateway.store import controls

    made: list[str] = []
    real_json = controls.assets_json

    def counted(assets: Any) -> str:
        made.append("json")
        return real_json(assets)

    monkeypatch.setattr(controls, "assets_json", counted)
    writer_append = AuditWriter.append
    at_queueing: list[int] = []

    async def append(self: AuditWriter, *args: Any, **kwargs: Any) -> list[AuditEntry]:
        at_queueing.append(len(made))
        return await writer_append(self, *args, **kwargs)

    monkeypatch.setattr(AuditWriter, "append", append)
    auditor = Auditor(AuditLog(store, KEY, clock=Clock()), store)
    number = parse_case_number("(2026)苏0812执7号")
    options = InquiryOptions(number, ("bank",), 5000, False)
    items = []
    for n in range(60):  # more than a slice of the event loop's turns
        subject = Subject(SubjectKind.NATURAL, f"{n:018d}")
        fetched = None if n % 2 else AT  # the entry's time where the agency's answer has none
        result = SourceResult("bank", SourceStatus.NOT_FOUND, fetched_at=fetched)
        items.append((InquiryKey(subject, options), SubjectProfile(subject, number, (result,))))
    judge = Principal(Role.JUDGE, "judge-zhou", court="苏0812", judge="judge-zhou")
    entries = await auditor.inquiries(judge, "batch", items)
    assert at_queueing == [60]  # all made before the group was queued
    assert len(made) == 60  # and none made again in its transaction
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(inquiry_answers))).all()
    by_seq = {r.audit_seq: r for r in rows}
    assert sorted(by_seq) == [e.seq for e in entries]
    for n, entry in enumerate(entries):
        row = by_seq[entry.seq]
        assert row.subject_key == items[n][0].subject.key
        assert row.answered_at == (entry.at if n % 2 else AT)
        assert (row.assets, Decimal(row.found_value)) == ("[]", Decimal(0))


async def test_both_paths_store_the_same_rows_and_one_chain(engine: AsyncEngine):
    """The driver paths (``gateway.store.sqlite_driver`` on a SQLite file,
    ``gateway.store.pg_driver`` on PostgreSQL) store what SQLAlchemy's path stores: the two
    write alternately on one database, the chain verifies over both (``verify`` reads the rows
    back through SQLAlchemy and recomputes every hash), their answers read back alike, and
    the values are stored alike (on SQLite, where a column keeps whatever it is given, the
    same storage class and the same text for every time)."""
    direct = open_direct_engine(engine.url.render_as_string(hide_password=False))
    if direct is None and engine.dialect.driver != "asyncpg":
        pytest.skip("only a SQLite file and PostgreSQL are written straight on their driver")
    through_sqlalchemy = Store(engine, direct, driver_writes=False)
    on_driver = Store(engine, direct)
    log = AuditLog(on_driver, KEY, clock=Clock())
    writers = {
        "sqlalchemy": AuditWriter(log, through_sqlalchemy),
        "driver": AuditWriter(log, on_driver),
    }
    account = Asset("bank", "6222 0001", "deposits", Decimal("1234.50"), label="活期 账户")

    def answers_of(path: str):
        def make(entries: list[AuditEntry]) -> list[InquiryAnswer]:
            (entry,) = entries
            return [
                InquiryAnswer(f"case-{path}", "subject", "bank", entry.at, entry.seq, [account])
            ]

        return make

    for i in range(6):
        path = "driver" if i % 2 else "sqlalchemy"
        await writers[path].append([record(i, detail=f"{path} 第{i}条")], answers_of(path))
    assert {w.groups for w in writers.values()} == {3}
    report = await log.verify()
    assert report.ok, report
    assert report.checked == 6
    async with engine.connect() as conn:
        entries = (await conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))).all()
        answers = {r.case_number: r for r in (await conn.execute(sa.select(inquiry_answers))).all()}
        if engine.dialect.name == "sqlite":
            stored = (
                await conn.execute(
                    sa.text(
                        "SELECT typeof(at), at, typeof(seq), typeof(detail) FROM audit_log "
                        "UNION ALL SELECT typeof(answered_at), answered_at, typeof(audit_seq), "
                        "typeof(found_value) FROM inquiry_answers UNION ALL "
                        "SELECT typeof(updated_at), updated_at, typeof(seq), typeof(hash) "
                        "FROM audit_head"
                    )
                )
            ).all()
            assert {(kind, seq, other) for kind, _, seq, other in stored} <= {
                ("text", "integer", "text"),
                ("text", "integer", "real"),
            }
            assert all(
                re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", at) for _, at, *_ in stored
            )
    assert [e.detail for e in entries] == [
        f"{'driver' if i % 2 else 'sqlalchemy'} 第{i}条" for i in range(6)
    ]
    assert all(e.at.tzinfo is not None for e in entries)
    sqlalchemy_row, driver_row = answers["case-sqlalchemy"], answers["case-driver"]
    assert (sqlalchemy_row.audit_seq, driver_row.audit_seq) == (5, 6)
    assert sqlalchemy_row.assets == driver_row.assets
    assert assets_from_json("bank", driver_row.assets) == [account]
    assert sqlalchemy_row.found_value == driver_row.found_value == Decimal("1234.50")
    assert driver_row.answered_at == entries[5].at
    through_sqlalchemy.close()
    on_driver.close()


_AGENCIES = ("bank", "police", "tax")


def _three_answers(entries: Sequence[AuditEntry]) -> list[InquiryAnswer]:
    """Three agencies' answers for each entry, one of them naming an account."""
    account = Asset("bank", "6222 0001", "deposits", Decimal("1234.50"), label="活期 账户")
    return [
        InquiryAnswer(
            entry.case_number or "",
            f"subject-{entry.seq}",
            agency,
            entry.at,
            entry.seq,
            [account] if agency == "bank" else [],
        )
        for entry in entries
        for agency in _AGENCIES
    ]


def _stored_rows(path: Path) -> list[tuple[Any, ...]]:
    """Every stored value of the audit tables with its SQLite storage class, in key order."""
    conn = sqlite3.connect(path)
    try:
        rows: list[tuple[Any, ...]] = []
        for table, order in (
            (audit_log, "seq"),
            (inquiry_answers, "case_number, subject_key, agency"),
            (audit_head, "id"),
        ):
            typed = ", ".join(f"typeof({c.name}), {c.name}" for c in table.columns)
            query = f"SELECT {typed} FROM {table.name} ORDER BY {order}"  # noqa: S608 - ours
            rows.extend(conn.execute(query))
        return rows
    finally:
        conn.close()


@pytest.mark.parametrize("variable_limit", [None, 100])
async def test_a_large_group_goes_in_a_few_statements_and_is_stored_as_sqlalchemy_stores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable_limit: int | None
):
    """A group of a batch's size, straight on sqlite3, takes a few INSERTs of many rows (each
    statement lets go of the GIL once, where ``executemany`` did so for every row), and stores
    every value exactly as SQLAlchemy's path stores it, across the statements' seams. Where
    SQLite allows fewer parameters (999 before 3.32; here 100), the statements hold fewer
    rows."""
    inserts: list[str] = []
    real = sqlite_driver.append_rows

    def traced(conn: sqlite3.Connection, *args: Any) -> list[AuditEntry]:
        if variable_limit is not None:
            conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)
        conn.set_trace_callback(
            lambda sql: inserts.append(sql) if sql.startswith("INSERT") else None
        )
        try:
            return real(conn, *args)
        finally:
            conn.set_trace_callback(None)

    monkeypatch.setattr(sqlite_driver, "append_rows", traced)
    records = [record(i) for i in range(300)]
    for path in ("sqlalchemy", "driver"):
        (tmp_path / path).mkdir()
        async with migrated_engine("sqlite", tmp_path / path) as engine:
            direct = open_direct_engine(engine.url.render_as_string(hide_password=False))
            store = Store(engine, direct, driver_writes=path == "driver")
            log = AuditLog(store, KEY, clock=Clock())
            writer = AuditWriter(log, store)
            entries = await writer.append(records, _three_answers)
            assert writer.groups == 1
            assert len(entries) == 300
            report = await log.verify()
            assert report.ok, report
            assert await count(engine, inquiry_answers) == 900
            store.close()
    assert _stored_rows(tmp_path / "driver" / "chakong.db") == _stored_rows(
        tmp_path / "sqlalchemy" / "chakong.db"
    )
    # 300 entries and 900 answers: 300 + 900 statements with executemany
    if variable_limit is None:
        assert 2 <= len(inserts) <= 12
    else:
        # 20 columns an entry, 7 an answer: at most 5 entries, 14 answers a statement
        assert len(inserts) >= 300 // 5 + 900 // 14


class _Paths:
    """Which way each group went on PostgreSQL: one statement onto the head this process
    wrote last (``pg_driver.append_rows_if_head``, "one", or "moved" when the head had moved
    and nothing was written), or the transaction that reads the head ("transaction")."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.taken: list[str] = []
        one, transaction = pg_driver.append_rows_if_head, pg_driver.append_rows

        async def on_one(*args: Any, **kwargs: Any) -> list[AuditEntry] | None:
            written = await one(*args, **kwargs)
            self.taken.append("moved" if written is None else "one")
            return written

        async def on_transaction(*args: Any, **kwargs: Any) -> list[AuditEntry]:
            self.taken.append("transaction")
            return await transaction(*args, **kwargs)

        monkeypatch.setattr(pg_driver, "append_rows_if_head", on_one)
        monkeypatch.setattr(pg_driver, "append_rows", on_transaction)


def _postgresql_store(engine: AsyncEngine) -> Store:
    if engine.dialect.driver != "asyncpg":
        pytest.skip("the one-statement append is PostgreSQL's (asyncpg)")
    return Store(engine, None)


def _answer(n: int):
    def make(entries: list[AuditEntry]) -> list[InquiryAnswer]:
        (entry,) = entries
        return [InquiryAnswer(f"case-{n}", "subject", "bank", entry.at, entry.seq, [])]

    return make


async def test_on_postgresql_a_group_is_one_statement_onto_the_head_this_process_wrote(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    """Two gateway processes on one database (two stores, two logs, two writers): each
    appends in one statement while the head is the one it wrote last, and through the
    transaction that reads the head when the other has appended since, trying again after
    waits that double with each miss; every entry and answer is stored once, and the chain
    verifies."""
    paths = _Paths(monkeypatch)
    clock = Clock()  # one wall clock for both processes
    stores = {name: _postgresql_store(engine) for name in ("a", "b")}
    writers = {
        name: AuditWriter(AuditLog(store, KEY, clock=clock), store)
        for name, store in stores.items()
    }
    order = ["a", "a", "a", "b", "a", "a", "b"] + ["a"] * 6
    written = [
        (await writers[name].append([record(i)], _answer(i)))[0] for i, name in enumerate(order)
    ]
    assert paths.taken == [
        *("transaction", "one", "one"),  # a: the head read once, then one statement
        "transaction",  # b: no head written yet
        *("moved", "transaction"),  # a: b appended since: nothing written, the head read
        "transaction",  # a: one group without trying (one miss)
        *("moved", "transaction"),  # b: a appended since
        *("moved", "transaction"),  # a: b appended since (a second miss)
        *("transaction",) * 3,  # a: three groups without trying
        *("one", "one"),  # a: tries again, the head is its own, and stays so
    ]
    assert [e.seq for e in written] == list(range(1, len(order) + 1))
    report = await AuditLog(stores["a"], KEY).verify()
    assert report.ok, report
    assert report.checked == len(order)
    async with engine.connect() as conn:
        entries = (await conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))).all()
        answers = (await conn.execute(sa.select(inquiry_answers))).all()
    assert [r.request_id for r in entries] == [f"req-{i}" for i in range(len(order))]
    assert sorted((r.case_number, r.audit_seq) for r in answers) == sorted(
        (f"case-{i}", i + 1) for i in range(len(order))
    )
    for store in stores.values():
        store.close()


async def test_on_postgresql_a_changed_head_is_never_extended_in_one_statement(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    """The head row changed in the database (a forged MAC) after this process wrote it: the
    one statement writes nothing, and the transaction that reads the head refuses it."""
    paths = _Paths(monkeypatch)
    store = _postgresql_store(engine)
    writer = AuditWriter(AuditLog(store, KEY, clock=Clock()), store)
    await writer.append([record(1)])
    await writer.append([record(2)])
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE audit_head SET mac = 'forged' WHERE id = 1"))
    with pytest.raises(AuditUnavailableError) as refused:
        await writer.append([record(3)])
    assert "tampered" in refused.value.message_en
    assert paths.taken == ["transaction", "one", "moved", "transaction"]
    assert await count(engine, audit_log) == 2
    store.close()


async def test_on_postgresql_a_failed_statement_writes_nothing_and_the_next_reads_the_head(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    paths = _Paths(monkeypatch)
    store = _postgresql_store(engine)
    log = AuditLog(store, KEY, clock=Clock())
    writer = AuditWriter(log, store)
    await writer.append([record(1)], _answer(1))
    one = pg_driver.append_rows_if_head

    async def failing(conn: Any, *args: Any, **kwargs: Any) -> list[AuditEntry] | None:
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # the link drops
        return await one(conn, *args, **kwargs)

    monkeypatch.setattr(pg_driver, "append_rows_if_head", failing)
    with pytest.raises(AuditUnavailableError):
        await writer.append([record(2)], _answer(2))
    assert await count(engine, audit_log) == 1  # an answer never leaves without its entry
    assert await count(engine, inquiry_answers) == 1
    monkeypatch.setattr(pg_driver, "append_rows_if_head", one)
    (entry,) = await writer.append([record(3)], _answer(3))  # the head read again
    (after,) = await writer.append([record(4)], _answer(4))
    assert (entry.seq, after.seq) == (2, 3)
    assert paths.taken == ["transaction", "transaction", "one"]
    assert (await log.verify()).ok
    store.close()
