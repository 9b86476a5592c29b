"""The audit log's repository: the head moves first, rows round-trip, verify's reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import AuditEntry, ChainHead
from gateway.services.audit_chain import AuditChain
from gateway.store.audit import AuditRepository, Linked, entry_from_row, row_from_entry
from gateway.store.tables import AUDIT_GENESIS_HASH
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, START, execute, prepared

CHAIN = AuditChain(KEY)


def linker(*numbers: int) -> Callable[[ChainHead], Linked]:
    def link(previous: ChainHead) -> Linked:
        fields = [prepared(n) for n in numbers]
        entries = CHAIN.link(previous.seq + 1, previous.hash, START, fields)
        return Linked(entries, CHAIN.head_mac(entries[-1].seq, entries[-1].hash))

    return link


async def append(store: Store, *numbers: int) -> list[AuditEntry]:
    async with store.begin() as unit:
        return await unit.audit.append(len(numbers), linker(*numbers))


async def test_the_head_moves_before_the_entries_are_chained(engine: AsyncEngine):
    store = Store(engine)
    seen: list[ChainHead | None] = []

    async with store.begin() as unit:
        repository: AuditRepository = unit.audit

        def link(previous: ChainHead) -> Linked:
            # the head as it was before the append: the migration's, without a MAC
            assert previous == ChainHead(0, AUDIT_GENESIS_HASH, None)
            return linker(1, 2)(previous)

        entries = await repository.append(2, link)
        seen.append(await repository.head())
    # the head was advanced (and locked) first, then set to the last entry's hash and its MAC
    assert seen == [ChainHead(2, entries[-1].hash, CHAIN.head_mac(2, entries[-1].hash))]
    more = await append(store, 3)
    assert (more[0].seq, more[0].prev_hash) == (3, entries[-1].hash)


async def test_an_append_without_the_head_row_is_a_lookup_error(engine: AsyncEngine):
    await execute(engine, "DELETE FROM audit_head")
    with pytest.raises(LookupError, match="audit_head"):
        await append(Store(engine), 1)


async def test_rows_round_trip(engine: AsyncEngine):
    store = Store(engine)
    entries = await append(store, 1, 2)
    async with store.read() as unit:
        listed = await unit.audit.list(equal={"actor": None}, limit=10)
        assert listed == list(reversed(entries))
        assert await unit.audit.list(equal={"actor": "actor-2"}, limit=10) == [entries[1]]
    row = row_from_entry(entries[0])
    assert row["agencies"] == '["police"]'
    assert entry_from_row(row) == entries[0]


async def test_pages_for_verification(engine: AsyncEngine):
    store = Store(engine)
    entries = await append(store, 1, 2, 3)
    await execute(engine, "UPDATE audit_log SET statuses = 'not json' WHERE seq = 2")
    async with store.read() as unit:
        first = await unit.audit.page(after_seq=None, up_to_seq=3, limit=2)
        rest = await unit.audit.page(after_seq=2, up_to_seq=3, limit=2)
        assert await unit.audit.page(after_seq=None, up_to_seq=1, limit=5) == first[:1]
        assert await unit.audit.head_and_last_seq() == (3, 3)
    assert [s.seq for s in first + rest] == [1, 2, 3]
    assert first[0].entry == entries[0]
    assert first[1].entry is None  # unreadable: found edited by the check
    assert (first[1].prev_hash, first[1].hash) == (entries[1].prev_hash, entries[1].hash)


async def test_an_empty_log(engine: AsyncEngine):
    async with Store(engine).read() as unit:
        assert await unit.audit.head() == ChainHead(0, AUDIT_GENESIS_HASH)
        assert await unit.audit.head_and_last_seq() == (0, None)
