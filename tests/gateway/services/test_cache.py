"""The record cache: memory and the real Redis (skipped, with the reason, where it is absent)."""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from connectors.registry import AGENCIES
from gateway.domain.subjects import SubjectKind
from gateway.services.cache import CacheEntry, RecordCache
from mocks.synthetic import Tier
from tests.connectors.helpers import example

NOW = datetime.datetime(2026, 11, 25, 8, 30, tzinfo=datetime.UTC)


async def rich_records() -> dict[str, Any]:
    """Every agency's records about its rich example subject (a person where it serves one)."""
    found = {}
    for spec in AGENCIES:
        kind = "natural" if SubjectKind.NATURAL in spec.subject_kinds else "legal"
        found[spec.name] = await example(spec.name, kind, Tier.RICH)
    return found


class DictBackend:
    """A stand-in for Redis that keeps what it is given as JSON text, as Redis does."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def multi_set(self, pairs: list[tuple[str, Any]], ttl: float) -> None:
        self.values.update((key, json.dumps(value)) for key, value in pairs)

    async def multi_get(self, keys: list[str]) -> list[Any]:
        return [None if k not in self.values else json.loads(self.values[k]) for k in keys]


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


async def test_every_agencys_records_survive_the_json_form():
    cache = RecordCache(DictBackend(), serialize=True)
    for agency, records in (await rich_records()).items():
        assert records.count() > 0
        await cache.set_many(agency, [("rich", CacheEntry(NOW, records))], 60)
        assert await cache.get_many(agency, ["rich"]) == [CacheEntry(NOW, records)]


async def test_entries_round_trip_with_records_and_absences(cache: RecordCache):
    records = await rich_records()
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
    await cache.set_many("police", [("soon", CacheEntry(NOW, None))], 0.3)
    assert (await cache.get_many("police", ["soon"]))[0] is not None
    await asyncio.sleep(1.2)
    assert (await cache.get_many("police", ["soon"]))[0] is None


async def test_agencies_do_not_share_entries(cache: RecordCache):
    await cache.set_many("police", [("same", CacheEntry(NOW, None))], 60)
    assert (await cache.get_many("bank", ["same"]))[0] is None


async def test_an_unreadable_entry_is_a_miss_not_a_crash():
    class Backend:
        async def multi_get(self, keys):
            return [{"fetchedAt": "yesterday", "records": None}, {"records": {"type": "Nope"}}]

    cache = RecordCache(Backend(), serialize=True)
    assert await cache.get_many("land", ["a", "b"]) == [None, None]


def test_unsupported_cache_url_fails_loudly():
    with pytest.raises(ValueError, match="memory:// or redis://"):
        RecordCache.from_url("memcached://127.0.0.1")
