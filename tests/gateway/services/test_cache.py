"""The record cache: memory and the real Redis (skipped, with the reason, where it is absent)."""

from __future__ import annotations

import asyncio
import datetime
import socket
import uuid
from collections.abc import AsyncIterator

import pytest

from connectors.bank.mapping import to_domain as bank_to_domain
from connectors.bank.models import BankRecordsModel
from connectors.land.mapping import to_domain as land_to_domain
from connectors.land.models import LandRecordsModel
from connectors.police.mapping import to_domain as police_to_domain
from connectors.police.models import PoliceRecordsModel
from gateway.domain.agencies import Agency
from gateway.domain.codec import dump_records, load_records
from gateway.services.cache import CacheEntry, RecordCache
from mocks import bank, land, police
from mocks.synthetic import Tier, example_subjects
from mocks.wire import SubjectRef

RICH = SubjectRef(kind="natural", id=example_subjects()["natural"][Tier.RICH])
NOW = datetime.datetime(2026, 11, 25, 8, 30, tzinfo=datetime.UTC)


def rich_records():
    return {  # the mocks' JSON, parsed and mapped as the connectors do
        Agency.POLICE: police_to_domain(
            PoliceRecordsModel.model_validate(police.records_for(RICH))
        ),
        Agency.LAND: land_to_domain(LandRecordsModel.model_validate(land.records_for(RICH))),
        Agency.BANK: bank_to_domain(BankRecordsModel.model_validate(bank.records_for(RICH))),
    }


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[RecordCache]:
    if request.param == "redis":
        if not redis_reachable():
            pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
        # a namespace of its own, so parallel runs and other data are never touched
        result = RecordCache.from_url("redis://127.0.0.1:6379/0")
        result._namespace = f"chakong-test:{uuid.uuid4().hex}"
    else:
        result = RecordCache.from_url("memory://")
    yield result
    await result.aclose()


def test_every_record_type_survives_the_json_codec():
    for records in rich_records().values():
        assert records.count() > 0
        assert load_records(dump_records(records)) == records


async def test_entries_round_trip_with_records_and_absences(cache: RecordCache):
    records = rich_records()
    for agency, value in records.items():
        await cache.set_many(
            agency, [("rich", CacheEntry(NOW, value)), ("nobody", CacheEntry(NOW, None))], 60
        )
    for agency, value in records.items():
        rich, nobody, missing = await cache.get_many(agency, ["rich", "nobody", "missing"])
        assert rich == CacheEntry(NOW, value)
        assert nobody == CacheEntry(NOW, None)
        assert missing is None


async def test_entries_expire_after_their_ttl(cache: RecordCache):
    await cache.set_many(Agency.POLICE, [("soon", CacheEntry(NOW, None))], 0.3)
    assert (await cache.get_many(Agency.POLICE, ["soon"]))[0] is not None
    await asyncio.sleep(1.2)
    assert (await cache.get_many(Agency.POLICE, ["soon"]))[0] is None


async def test_agencies_do_not_share_entries(cache: RecordCache):
    await cache.set_many(Agency.POLICE, [("same", CacheEntry(NOW, None))], 60)
    assert (await cache.get_many(Agency.BANK, ["same"]))[0] is None


async def test_an_unreadable_entry_is_a_miss_not_a_crash():
    class Backend:
        async def multi_get(self, keys):
            return [{"fetchedAt": "yesterday", "records": None}, {"records": {"type": "Nope"}}]

    cache = RecordCache(Backend(), serialize=True)
    assert await cache.get_many(Agency.LAND, ["a", "b"]) == [None, None]


def test_unsupported_cache_url_fails_loudly():
    with pytest.raises(ValueError, match="memory:// or redis://"):
        RecordCache.from_url("memcached://127.0.0.1")


def test_every_connector_record_type_can_be_cached_in_redis():
    import typing

    from connectors.registry import CONNECTORS
    from gateway.domain.codec import RECORD_TYPES

    for agency, cls in CONNECTORS.items():
        (base,) = cls.__orig_bases__  # type: ignore[attr-defined]
        (records_type,) = typing.get_args(base)
        assert RECORD_TYPES.get(records_type.__name__) is records_type, (
            f"add {records_type.__name__} ({agency.value}) to gateway.domain.codec.RECORD_TYPES"
        )
