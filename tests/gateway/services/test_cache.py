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
from gateway.domain.records import wire_adapter
from gateway.domain.subjects import SubjectKind
from gateway.services.cache import CacheEntry, Grouped, MemoryBackend, RecordCache, RedisBackend
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
    """A stand-in for Redis that keeps the bytes it is given, as Redis does."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    async def multi_set(self, pairs: list[tuple[str, bytes]], ttl: float) -> None:
        assert all(isinstance(value, bytes) for _, value in pairs)
        self.values.update(pairs)

    async def multi_get(self, keys: list[str]) -> list[bytes | None]:
        return [self.values.get(k) for k in keys]


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
            return [
                b'{"fetchedAt": "yesterday", "records": null}',
                b'{"records": {"type": "Nope"}}',
                b'{"fetchedAt": "2026-11-25T08:30:00+00:00", "records": {"type": "Nope"}}',
                b"not JSON",
                "\ud800".encode("utf-8", "surrogatepass"),
            ]

    cache = RecordCache(Backend(), serialize=True)
    assert await cache.get_many("land", list("abcde")) == [None] * 5


class CountingBackend(RedisBackend):
    """The real Redis backend, counting the round trips its groups take."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.reads: list[int] = []  # the keys of each MGET
        self.writes: list[int] = []  # the entries of each pipeline

    async def _get_all(self, asked):
        self.reads.append(sum(len(keys) for keys in asked))
        return await super()._get_all(asked)

    async def _set_all(self, writes):
        self.writes.append(sum(len(pairs) for pairs, _ in writes))
        return await super()._set_all(writes)


@pytest.fixture
async def counted() -> AsyncIterator[tuple[RecordCache, CountingBackend]]:
    if not redis_reachable():
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    backend = CountingBackend(RedisBackend.from_url("redis://127.0.0.1:6379/0").client)
    cache = RecordCache(backend, serialize=True, namespace=f"chakong-test:{uuid.uuid4().hex}")
    yield cache, backend
    await cache.aclose()


@pytest.mark.redis
async def test_an_inquirys_nine_agencies_are_one_round_trip_to_redis_each_way(counted):
    cache, backend = counted
    records = await rich_records()
    await asyncio.gather(
        *(cache.set_many(a, [("rich", CacheEntry(NOW, r))], 60) for a, r in records.items())
    )
    assert backend.writes == [len(records)]
    found = await asyncio.gather(*(cache.get_many(a, ["rich", "missing"]) for a in records))
    assert backend.reads == [2 * len(records)]
    assert found == [[CacheEntry(NOW, r), None] for r in records.values()]


@pytest.mark.redis
async def test_writes_made_while_a_group_is_on_its_way_go_together_in_the_next(counted):
    cache, backend = counted
    first = asyncio.ensure_future(cache.set_many("police", [("a", CacheEntry(NOW, None))], 60))
    await asyncio.sleep(0)  # the first group is on its way
    await asyncio.gather(
        first,
        *(cache.set_many("bank", [(f"b{i}", CacheEntry(NOW, None))], 60) for i in range(5)),
    )
    assert backend.writes == [1, 5]
    assert await cache.get_many("bank", [f"b{i}" for i in range(5)]) == [CacheEntry(NOW, None)] * 5


@pytest.mark.redis
async def test_each_entry_of_a_group_keeps_its_own_ttl(counted):
    cache, backend = counted
    await asyncio.gather(
        cache.set_many("police", [("short", CacheEntry(NOW, None))], 60),
        cache.set_many("bank", [("long", CacheEntry(NOW, None))], 3600),
    )
    assert backend.writes == [2]
    short = await backend.client.pttl(cache.key("police", "short"))
    long = await backend.client.pttl(cache.key("bank", "long"))
    assert 55_000 < short <= 60_000
    assert 3_595_000 < long <= 3_600_000


@pytest.mark.redis
async def test_entries_written_by_the_earlier_aiocache_version_are_still_read(counted):
    """Until December 2026 entries went through aiocache's JSON serializer (``json.dumps``,
    non-ASCII escaped): the same shape, so they are read, not dropped."""
    cache, backend = counted
    for agency, records in (await rich_records()).items():
        stored = {
            "fetchedAt": NOW.isoformat(),
            "records": {
                "type": type(records).__name__,
                "data": wire_adapter(type(records)).dump_python(
                    records, mode="json", by_alias=True
                ),
            },
        }
        await backend.client.set(cache.key(agency, "old"), json.dumps(stored))
        assert await cache.get_many(agency, ["old"]) == [CacheEntry(NOW, records)]


async def test_a_redis_outage_is_a_miss_and_an_entry_not_kept():
    backend = RedisBackend.from_url("redis://127.0.0.1:9/0")  # nothing listens on port 9
    cache = RecordCache(backend, serialize=True)
    assert await cache.get_many("police", ["a", "b"]) == [None, None]
    await cache.set_many("police", [("a", CacheEntry(NOW, None))], 60)  # logged, not raised
    assert not await cache.ping()
    await cache.aclose()


async def test_an_outage_is_logged_once_without_a_traceback_and_its_end_too(
    caplog: pytest.LogCaptureFixture,
):
    """Redis gone: each inquiry's nine reads and nine writes failed with a traceback each,
    about 870 log lines an inquiry. Now one line when the cache stops answering and one when
    it answers again."""
    failing = True

    class Flaky(DictBackend):
        async def multi_get(self, keys: list[str]) -> list[bytes | None]:
            if failing:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
            return await super().multi_get(keys)

        async def multi_set(self, pairs: list[tuple[str, bytes]], ttl: float) -> None:
            if failing:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
            await super().multi_set(pairs, ttl)

    cache = RecordCache(Flaky(), serialize=True)
    caplog.set_level("INFO", logger="gateway.services.cache")
    for agency in ("police", "land", "bank"):
        assert await cache.get_many(agency, ["a"]) == [None]
        await cache.set_many(agency, [("a", CacheEntry(NOW, None))], 60)
    assert [r.getMessage() for r in caplog.records] == [
        "the cache is unreachable (ConnectionError): agencies are asked until it answers again"
    ]
    assert all(r.exc_info is None for r in caplog.records)
    failing = False
    await cache.set_many("police", [("a", CacheEntry(NOW, None))], 60)
    assert await cache.get_many("police", ["a"]) == [CacheEntry(NOW, None)]
    assert caplog.records[-1].getMessage() == "the cache answers again"
    assert len(caplog.records) == 2


async def test_calls_made_together_are_sent_together_and_later_ones_next():
    sent: list[list[int]] = []
    first_sent = asyncio.Event()
    release = asyncio.Event()

    async def send(requests: list[int]) -> list[int]:
        sent.append(requests)
        first_sent.set()
        await release.wait()
        return [r * 10 for r in requests]

    grouped: Grouped[int, int] = Grouped(send)
    together = [asyncio.ensure_future(grouped(i)) for i in range(3)]
    await first_sent.wait()
    later = [asyncio.ensure_future(grouped(i)) for i in (3, 4)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*together, *later) == [0, 10, 20, 30, 40]
    assert sent == [[0, 1, 2], [3, 4]]


async def test_a_failed_send_fails_every_call_of_its_group_and_only_those():
    async def send(requests: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        if 0 in requests:
            raise ConnectionError("down")
        return requests

    grouped: Grouped[int, int] = Grouped(send)
    failing = [asyncio.ensure_future(grouped(i)) for i in (0, 1)]
    await asyncio.sleep(0.001)
    passing = asyncio.ensure_future(grouped(2))
    results = await asyncio.gather(*failing, passing, return_exceptions=True)
    assert [type(r) for r in results[:2]] == [ConnectionError, ConnectionError]
    assert results[2] == 2


async def test_a_caller_that_gives_up_leaves_the_others_their_results():
    async def send(requests: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        return requests

    grouped: Grouped[int, int] = Grouped(send)
    impatient = asyncio.ensure_future(grouped(1))
    patient = asyncio.ensure_future(grouped(2))
    await asyncio.sleep(0.001)
    impatient.cancel()
    assert await patient == 2
    assert impatient.cancelled()


async def test_calls_waiting_when_the_sender_is_cancelled_are_cancelled_not_left_waiting():
    async def send(requests: list[int]) -> list[int]:
        await asyncio.sleep(30)
        return requests

    grouped: Grouped[int, int] = Grouped(send)
    calls = [asyncio.ensure_future(grouped(i)) for i in range(2)]
    await asyncio.sleep(0.001)
    assert grouped._sender is not None
    grouped._sender.cancel()
    results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 1)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)


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
