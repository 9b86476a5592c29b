"""The gateway on its production storage: PostgreSQL and Redis, where they are running."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.app import ConfigurationError, create_app, open_resources
from gateway.services.audit import AuditLog
from gateway.settings import DEMO_SECRET, Settings
from gateway.store import open_engine
from gateway.store.unit import Store
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, gateway_settings, run_gateway
from tests.gateway.store.databases import BACKENDS, scratch_database

RICH = example_subjects()["natural"][Tier.RICH]


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.postgres
@pytest.mark.redis
async def test_the_gateway_on_postgresql_and_redis(mocks: MockServers, tmp_path: Path):
    """Migrations, the case register, an inquiry with its cache and its audit entry, on the
    production storage."""
    if not reachable(6379):
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    async with scratch_database("postgresql", tmp_path) as url:
        settings = gateway_settings(
            mocks, tmp_path, database_url=url, cache_url="redis://127.0.0.1:6379/0"
        )
        async with run_gateway(settings) as gw:
            ready = (await gw.client.get("/readyz")).json()
            assert ready["checks"] == {"database": "ok", "cache": "ok"}
            await gw.register([{"kind": "NATURAL", "id": RICH}])
            query = (
                f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}") '
                "{ sources { agency status cached } } }"
            )
            first = await gw.query(query)
            assert "errors" not in first
            again = await gw.query(query)
            cached = {s["agency"]: s["cached"] for s in again["data"]["debtor"]["sources"]}
            assert cached["POLICE"] is True  # from Redis
        engine = create_async_engine(url)
        try:
            report = await AuditLog(Store(engine), DEMO_SECRET.get_secret_value().encode()).verify()
        finally:
            await engine.dispose()
        assert report.ok
        assert report.checked >= 3  # the case saved, two inquiries


@pytest.mark.parametrize(
    "where",
    [
        "sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db",
        # nothing listens there: the driver's ConnectionRefusedError, not one of SQLAlchemy's
        "postgresql+asyncpg://u:s3cret@127.0.0.1:1/x",
    ],
)
async def test_readiness_reports_a_database_that_is_down(
    mocks: MockServers, tmp_path: Path, where: str
):
    settings = gateway_settings(mocks, tmp_path, database_url=where.format(tmp_path=tmp_path))
    async with run_gateway(settings) as gw:
        response = await gw.client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "down"
        # an inquiry then cannot be authorised: a coded 503, never a 500 or a trace
        query = (
            f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}") '
            "{ caseNumber } }"
        )
        inquiry = await gw.post(query)
    assert inquiry.status_code == 503
    assert inquiry.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
    assert "Traceback" not in inquiry.text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "cannot be parsed"),
        ("garbage", "cannot be parsed"),
        ("postgresql+asyncpg://u:s3cret@db:port/x", "cannot be parsed"),
        ("oracle9://u:s3cret@db/x", "unsupported database URL oracle9://u:***@db/x"),
        ("sqlite:///chakong.db", "unsupported database URL sqlite:///chakong.db"),
        ("postgresql://u:s3cret@db/x", "unsupported database URL postgresql://u:***@db/x"),
        ("mysql+aiomysql://u:s3cret@db/x", "the database driver aiomysql is not installed"),
    ],
)
def test_a_database_url_that_cannot_work_is_refused_before_serving(url: str, words: str):
    """``chakong serve`` says so in both languages and exits 2 (``ConfigurationError``), where
    the lifespan failed with a traceback and uvicorn's exit 3; the password is never shown."""
    with pytest.raises(ConfigurationError) as caught:
        create_app(Settings(database_url=url, demo=True))
    said = str(caught.value)
    assert "数据库" in said
    assert words in said
    assert "s3cret" not in said


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_database_error_does_not_quote_its_parameters(backend: str, tmp_path: Path):
    """A failed statement's error (logged as an internal error) never carries its values."""
    async with scratch_database(backend, tmp_path) as url:
        settings = Settings(database_url=url, demo=True)
        async with open_resources(settings, b"k" * 32) as resources:
            with pytest.raises(DBAPIError) as caught:
                async with resources.engine.connect() as conn:
                    # NUL: refused by PostgreSQL; a missing table: refused by SQLite
                    await conn.execute(
                        sa.text("INSERT INTO no_such_table VALUES (:id)"), {"id": RICH + "\x00"}
                    )
    assert RICH not in str(caught.value)  # what a logged traceback shows of it
    assert "hidden due to hide_parameters" in str(caught.value)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_every_engine_the_commands_open_hides_parameters(backend: str, tmp_path: Path):
    """``open_engine`` (the gateway's and the audit commands' one way to a database) too."""
    async with scratch_database(backend, tmp_path) as url:
        engine = open_engine(url)
        try:
            with pytest.raises(DBAPIError) as caught:
                async with engine.connect() as conn:
                    await conn.execute(
                        sa.text("INSERT INTO no_such_table VALUES (:id)"), {"id": RICH + "\x00"}
                    )
        finally:
            await engine.dispose()
    assert RICH not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)


async def test_a_sqlite_writer_waits_for_another_process_write(tmp_path: Path):
    """Two engines on one file (the gateway and ``chakong reconcile`` beside it): a write that
    holds the file longer than the driver's default 5 s wait does not fail the other."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    holder, waiter = open_engine(url), open_engine(url)
    try:
        async with holder.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        started = asyncio.Event()

        async def hold() -> None:
            async with holder.begin() as conn:
                await conn.execute(sa.text("INSERT INTO t VALUES (1)"))
                started.set()
                await asyncio.sleep(6)  # longer than pysqlite's default busy timeout

        holding = asyncio.create_task(hold())
        await started.wait()
        async with waiter.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t VALUES (2)"))
        await holding
        async with waiter.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT x FROM t ORDER BY x"))).scalars().all()
        assert rows == [1, 2]
    finally:
        await holder.dispose()
        await waiter.dispose()
