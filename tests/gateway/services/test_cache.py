"""The record cache: memory and the real Redis (skipped, with the reason, where it is absent),
and the in-process backend's cap and expiry on a clock of the test's own."""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

from connectors.registry import AGENCIES
from gateway.app import open_resources
from gateway.domain.subjects import SubjectKind
from gateway.services.cache import CacheEntry, MemoryBackend, RecordCache
from gateway.settings import ControlSettings, Settings
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


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def held(backend: MemoryBackend, keys: list[str]) -> set[str]:
    """The keys the backend still answers (reading them makes them recently used)."""
    values = await backend.multi_get(keys)
    return {key for key, value in zip(keys, values, strict=True) if value is not None}


async def test_the_least_recently_used_entry_is_evicted_not_the_recently_read_one():
    backend = MemoryBackend(3, clock=Clock())
    await backend.multi_set([("a", 1), ("b", 2), ("c", 3)], ttl=60)
    assert await backend.multi_get(["a"]) == [1]  # "a" is now the most recently used
    await backend.multi_set([("d", 4)], ttl=60)
    assert len(backend) == 3
    assert await held(backend, ["a", "b", "c", "d"]) == {"a", "c", "d"}


async def test_rewriting_an_entry_makes_it_recently_used():
    backend = MemoryBackend(2, clock=Clock())
    await backend.multi_set([("a", 1), ("b", 2)], ttl=60)
    await backend.multi_set([("a", 10)], ttl=60)
    await backend.multi_set([("c", 3)], ttl=60)
    assert await backend.multi_get(["a", "b", "c"]) == [10, None, 3]


async def test_the_cap_is_never_exceeded():
    backend = MemoryBackend(50, clock=Clock())
    for start in range(0, 1000, 7):
        await backend.multi_set([(f"k{i}", i) for i in range(start, start + 7)], ttl=60)
        assert len(backend) <= 50
    await backend.multi_set([(f"big{i}", i) for i in range(120)], ttl=60)  # more than the cap
    assert len(backend) == 50
    assert await held(backend, [f"big{i}" for i in range(120)]) == {
        f"big{i}" for i in range(70, 120)
    }


async def test_an_expired_entry_is_a_miss_and_is_dropped():
    clock = Clock()
    backend = MemoryBackend(10, clock=clock)
    await backend.multi_set([("short", "s")], ttl=5)
    await backend.multi_set([("long", "l")], ttl=50)
    clock.now += 4.9
    assert await backend.multi_get(["short", "long"]) == ["s", "l"]
    assert await backend.exists("short")
    clock.now += 0.1  # exactly its ttl
    assert not await backend.exists("short")
    assert await backend.multi_get(["short", "long"]) == [None, "l"]
    assert len(backend) == 1
    clock.now += 45
    assert await backend.multi_get(["long"]) == [None]
    assert len(backend) == 0


async def test_misses_are_none_in_the_order_asked():
    backend = MemoryBackend(10, clock=Clock())
    await backend.multi_set([("b", "B"), ("d", "D")], ttl=60)
    assert await backend.multi_get(["a", "b", "c", "d", "e"]) == [None, "B", None, "D", None]
    assert await backend.multi_get([]) == []


async def test_clear_empties_the_backend():
    backend = MemoryBackend(10, clock=Clock())
    await backend.multi_set([("a", 1)], ttl=60)
    await backend.clear()
    assert len(backend) == 0
    assert await backend.multi_get(["a"]) == [None]


async def test_the_memory_cache_keeps_entries_as_they_are():
    cache = RecordCache.from_url("memory://", max_entries=2)
    entry = CacheEntry(NOW, None)
    await cache.set_many("police", [("a", entry), ("b", entry), ("c", entry)], 60)
    a, b, c = await cache.get_many("police", ["a", "b", "c"])
    assert a is None
    assert b is entry
    assert c is entry
    assert await cache.ping()
    await cache.aclose()


def test_a_cap_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        MemoryBackend(0)
    with pytest.raises(pydantic.ValidationError):
        Settings(cache_max_entries=0)


async def test_the_setting_caps_the_gateways_cache(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        cache_max_entries=3,
        controls=ControlSettings(reconcile_interval_s=0),
    )
    async with open_resources(settings, b"k" * 32) as resources:
        cache = resources.cache
        entry = CacheEntry(NOW, None)
        await cache.set_many("land", [(f"s{i}", entry) for i in range(5)], 60)
        found = await cache.get_many("land", [f"s{i}" for i in range(5)])
        assert found == [None, None, entry, entry, entry]
