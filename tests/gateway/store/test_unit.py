"""The unit of work: one transaction for the case register and the audit log, on SQLite and
PostgreSQL; appends inside larger units still make one chain."""

from __future__ import annotations

import asyncio
import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import ChainHead
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.audit import AuditLog
from gateway.services.audit_chain import AuditChain
from gateway.store.tables import AUDIT_GENESIS_HASH, audit_log
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, record
from tests.gateway.store.databases import open_engine

NOW = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)
DEBTOR = parse_subject(SubjectKind.NATURAL, "320802198001010014", "张三")


def case(n: int) -> Case:
    return new_case(
        f"(2026)苏0812执{n}号",
        court="苏0812",
        judges=["judge-zhou"],
        parties=[Party(PartyRole.DEBTOR, DEBTOR)],
        obligation=Decimal(1000),
    )


async def entries_stored(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(audit_log))).scalar()
    return int(count or 0)


async def test_a_unit_commits_its_case_and_its_entry_together(engine: AsyncEngine):
    store = Store(engine)
    log = AuditLog(store, KEY)
    async with store.begin() as unit:
        await unit.cases.save(case(1), NOW)
        (entry,) = await log.append([record(1)], unit=unit)
    async with store.read() as unit:
        assert await unit.cases.get(case(1).case_number) == case(1)
        assert await unit.audit.head() == ChainHead(
            1, entry.hash, AuditChain(KEY).head_mac(1, entry.hash)
        )


async def test_a_unit_that_raises_leaves_neither(engine: AsyncEngine):
    store = Store(engine)
    log = AuditLog(store, KEY)

    async def change_then_fail() -> None:
        async with store.begin() as unit:
            await unit.cases.save(case(1), NOW)
            await log.append([record(1)], unit=unit)
            raise RuntimeError("after both")

    with pytest.raises(RuntimeError, match="after both"):
        await change_then_fail()
    async with store.read() as unit:
        assert await unit.cases.get(case(1).case_number) is None
        assert await unit.audit.head() == ChainHead(0, AUDIT_GENESIS_HASH)
    assert await entries_stored(engine) == 0
    assert (await log.verify()).ok


async def test_appends_inside_larger_units_make_one_chain(engine: AsyncEngine):
    """Case writes with their entries, and plain appends, from two stores on two engines (two
    gateway processes) at once: the chain does not fork."""
    other_engine = open_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        stores = [Store(engine), Store(other_engine)]
        logs = [AuditLog(store, KEY) for store in stores]

        async def command(i: int) -> None:
            store, log = stores[i % 2], logs[i % 2]
            async with store.begin() as unit:
                await unit.cases.save(case(i), NOW)
                await log.append([record(i), record(i + 100)], unit=unit)

        async def inquiry(i: int) -> None:
            await logs[i % 2].append([record(i + 200)])

        await asyncio.gather(*(f(i) for i in range(1, 13) for f in (command, inquiry)))
        report = await logs[0].verify()
        assert report.ok, report
        assert report.checked == 36
        async with stores[0].read() as unit:
            assert (
                len(await unit.cases.list(court=None, judge=None, status=None, limit=50, offset=0))
                == 12
            )
    finally:
        await other_engine.dispose()


async def test_reading_does_not_wait_for_a_unit_in_progress(engine: AsyncEngine):
    store = Store(engine)
    async with store.begin() as unit:
        await unit.cases.save(case(1), NOW)
        async with store.read() as reader:  # the writer's lock is not the reader's
            assert await asyncio.wait_for(reader.audit.head(), 5) == ChainHead(
                0, AUDIT_GENESIS_HASH
            )
