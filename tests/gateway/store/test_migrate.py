"""Migrations, the schema they create, and the SQLite connection settings."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.domain.audit import ChainProblem
from gateway.services.audit import AuditLog, AuditUnavailableError
from gateway.store import _sqlite_on_connect, configure_sqlite
from gateway.store.migrate import (
    MIGRATIONS,
    NewerDatabaseError,
    current_revision,
    downgrade,
    head_revision,
    is_up_to_date,
    upgrade,
)
from gateway.store.tables import (
    AUDIT_GENESIS_HASH,
    UTCDateTime,
    audit_head,
    inquiry_answers,
    metadata,
)
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, record
from tests.gateway.store.databases import BACKENDS, open_engine, scratch_database

TABLES = {"cases", "case_judges", "case_parties", "audit_log", "audit_head"}


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with scratch_database(request.param, tmp_path) as database_url:
        yield database_url


@pytest.fixture
async def engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(url)
    yield engine
    await engine.dispose()


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_upgrade_creates_the_schema_at_head(engine: AsyncEngine):
    assert await current_revision(engine) is None
    assert not await is_up_to_date(engine)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision() == "0007"
    assert await is_up_to_date(engine)
    assert await table_names(engine) >= TABLES
    async with engine.connect() as conn:
        head = (await conn.execute(sa.select(audit_head))).one()
    # no MAC: the migration has no key; the first append seals the head
    assert (head.id, head.seq, head.hash, head.mac) == (1, 0, AUDIT_GENESIS_HASH, None)
    assert head.updated_at.tzinfo is datetime.UTC


async def test_upgrade_is_idempotent(engine: AsyncEngine):
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.execute(sa.update(audit_head).values(seq=7))
    await upgrade(engine)  # nothing to do: the head row is not inserted again
    async with engine.connect() as conn:
        heads = (await conn.execute(sa.select(audit_head.c.seq))).scalars().all()
    assert heads == [7]
    assert await current_revision(engine) == head_revision()


async def test_a_database_of_a_newer_release_is_refused_saying_so(engine: AsyncEngine):
    """Alembic's "Can't locate revision" traceback said nothing an operator could act on; the
    database is left as it was."""
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(NewerDatabaseError) as caught:
        await upgrade(engine)
    said = str(caught.value)
    assert "数据库由更新版本的 chakong 写入" in said
    assert "revision 0099, this release knows up to 0007" in said
    assert await current_revision(engine) == "0099"


async def test_the_migrations_create_exactly_the_metadata(engine: AsyncEngine):
    await upgrade(engine)

    def differences(sync_conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []


async def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds(engine: AsyncEngine):
    await upgrade(engine)
    await downgrade(engine, "base")
    assert await current_revision(engine) is None
    assert not (TABLES & await table_names(engine))
    await upgrade(engine)
    assert await table_names(engine) >= TABLES


async def test_a_log_from_before_0002_is_refused_until_sealed(engine: AsyncEngine):
    await upgrade(engine)
    log = AuditLog(Store(engine), KEY)
    await log.append([record(1), record(2)])
    await downgrade(engine, "0001")  # a log written before the head had a MAC
    async with engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("audit_head")}
        )
    assert "mac" not in columns
    await upgrade(engine)
    assert (await log.verify()).problem is ChainProblem.HEAD_UNSEALED
    with pytest.raises(AuditUnavailableError):
        await log.append([record(3)])
    assert (await log.seal_head()).ok
    await log.append([record(3)])
    assert (await log.verify()).checked == 3


async def test_0005_fills_in_what_the_answers_stored_before_it_found(engine: AsyncEngine):
    await upgrade(engine, "0004")
    answers = sa.table(
        "inquiry_answers",
        *(sa.column(n) for n in ("case_number", "subject_key", "agency", "audit_seq", "assets")),
        sa.column("answered_at", UTCDateTime()),
    )
    at = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)

    def asset(asset_class: str, value: str | None, currency: str = "CNY") -> dict[str, object]:
        return {"assetClass": asset_class, "value": value, "currency": currency}

    stored = {
        "bank": [asset("deposits", "60.50"), asset("deposits", "99", "USD")],
        "fund": [asset("fund_balance", "39.50")],
        "land": [asset("real_estate", None), asset("land", "900000")],
        "business": [asset("equity", "500000")],
    }
    async with engine.begin() as conn:
        for agency, items in stored.items():
            await conn.execute(
                sa.insert(answers).values(
                    case_number="(2025)苏0812执1号",
                    subject_key="NATURAL:X",
                    agency=agency,
                    audit_seq=1,
                    answered_at=at,
                    assets=json.dumps(items),
                )
            )
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(inquiry_answers.c.agency, inquiry_answers.c.found_value)
        )
        found = {r.agency: r.found_value for r in rows}
    assert found == {
        "bank": Decimal("60.50"),
        "fund": Decimal("39.50"),
        "land": Decimal(0),
        "business": Decimal(0),
    }
    await downgrade(engine, "0004")
    await upgrade(engine)


async def test_gateways_starting_together_migrate_once(url: str):
    if url.startswith("sqlite"):
        pytest.skip("one process owns a SQLite database; the lock is PostgreSQL's")
    engines = [open_engine(url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(e) for e in engines))
        assert await current_revision(engines[0]) == head_revision()
        async with engines[0].connect() as conn:
            assert (
                await conn.execute(sa.select(sa.func.count()).select_from(audit_head))
            ).scalar() == 1
    finally:
        for e in engines:
            await e.dispose()


async def test_timestamps_round_trip_as_aware_utc(engine: AsyncEngine):
    await upgrade(engine)
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    local = datetime.datetime(2026, 5, 1, 16, 30, 1, 123456, tzinfo=shanghai)
    async with engine.begin() as conn:
        await conn.execute(sa.update(audit_head).values(updated_at=local))
        stored = (await conn.execute(sa.select(audit_head.c.updated_at))).scalar_one()
    assert stored == local
    assert stored.tzinfo is datetime.UTC
    assert stored.hour == 8
    with pytest.raises(StatementError, match="timezone-aware"):
        async with engine.begin() as conn:
            await conn.execute(
                sa.update(audit_head).values(updated_at=datetime.datetime(2026, 5, 1, 8, 0))
            )


async def test_sqlite_runs_in_wal_mode_with_normal_sync(tmp_path: Path):
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    configure_sqlite(engine)  # a second call adds no second listener
    try:
        assert event.contains(engine.sync_engine, "connect", _sqlite_on_connect)
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
            keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        assert (mode, sync, keys) == ("wal", 1, 1)  # synchronous: 1 is NORMAL
    finally:
        await engine.dispose()


async def test_sqlite_without_configuration_keeps_its_defaults(tmp_path: Path):
    # the control for the test above: the pragmas come from configure_sqlite
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    try:
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert mode == "delete"
    finally:
        await engine.dispose()


def test_configure_sqlite_leaves_other_databases_alone():
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/none")
    configure_sqlite(engine)
    assert not event.contains(engine.sync_engine, "connect", _sqlite_on_connect)


def test_the_migration_scripts_sit_beside_the_module():
    # shipped as package data: the upgrade needs env.py and the versions at run time
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))
    assert list((MIGRATIONS / "versions").glob("0002_*.py"))
