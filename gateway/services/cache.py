"""The per-source record cache: in process (default, capped) or Redis (shared by processes).

Entries are keyed by agency and subject, hold the answer (records, or ``None`` for "the agency
does not know this subject") and when it was fetched. In memory the objects are kept as they
are, in a ``MemoryBackend`` that holds at most ``max_entries`` of them and evicts the least
recently used; in Redis (``RedisBackend``, redis-py's asyncio client) they are the records' wire
JSON (the agency's ``@record`` classes, validated back by pydantic), never pickles, and Redis's
own ``maxmemory`` policy bounds them. Stampede protection is the fan-out's single-flight
(``gateway.services.fanout``), which also covers batches.

An inquiry reads and writes the entries of nine agencies, each agency on its own. On Redis,
the reads and the writes that concurrent callers make go together, one round trip for all
(``Grouped``): a round trip through redis-py costs 0.1 to 0.2 ms of CPU. Through aiocache,
which this module used before, an inquiry's nine writes (nine transactions) cost 2.4 ms of
CPU, where the rest of the inquiry costs 4 to 6 ms (``python -m bench.backends``).

A group is bounded by ``REDIS_TIMEOUT_S`` as a whole. A 1,000-debtor batch's writes (up to
25 KB of JSON per debtor) can go in one group: on a slow link to Redis they may time out
together, and the batch's entries are then not kept (the batch's answer is not affected).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import pydantic
import redis.asyncio as redis

from connectors.registry import spec
from gateway.domain.records import AgencyRecords, wire_adapter
from gateway.settings import DEFAULT_CACHE_MAX_ENTRIES

log = logging.getLogger(__name__)

# the default cap of the in-process cache; ``Settings.cache_max_entries`` explains the number
MEMORY_MAX_ENTRIES = DEFAULT_CACHE_MAX_ENTRIES
# the prefix of every key the record cache writes (``RecordCache.key``)
NAMESPACE = "chakong:v1"
# the longest a read or a write of Redis may take before it counts as failed (a miss, or an
# entry not kept): the inquiry goes on without the cache
REDIS_TIMEOUT_S = 1.0

_In = TypeVar("_In")
_Out = TypeVar("_Out")


@dataclass(frozen=True, slots=True)
class CacheEntry:
    fetched_at: datetime.datetime
    records: AgencyRecords | None


class MemoryBackend:
    """The in-process backend: at most ``max_entries`` entries, each kept until its ttl.

    It offers what ``RecordCache`` calls on a backend (``multi_get``, ``multi_set``,
    ``exists``, ``clear``, ``close``), each O(1) per key. An expired entry is a miss and is
    dropped when it is asked for; one never asked for again stays until it is the least
    recently used, so expired entries never hold more than the cap. Reading or writing an entry
    makes it the most recently used; a write past the cap evicts the least recently used.
    Values are kept as they are (no copy, no serialisation): callers must not mutate them.
    """

    def __init__(
        self, max_entries: int = MEMORY_MAX_ENTRIES, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self._clock = clock
        # key -> (expiry on the clock, value), least recently used first
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def multi_get(self, keys: Sequence[str]) -> list[Any]:
        now = self._clock()
        return [self._get(key, now) for key in keys]

    async def multi_set(self, pairs: Sequence[tuple[str, Any]], ttl: float) -> None:
        expires_at = self._clock() + ttl
        entries = self._entries
        for key, value in pairs:
            entries[key] = (expires_at, value)
            entries.move_to_end(key)
            if len(entries) > self.max_entries:
                entries.popitem(last=False)

    async def exists(self, key: str) -> bool:
        found = self._entries.get(key)
        return found is not None and found[0] > self._clock()

    async def clear(self) -> None:
        self._entries.clear()

    async def close(self) -> None:
        return None

    def _get(self, key: str, now: float) -> Any:
        found = self._entries.get(key)
        if found is None:
            return None
        expires_at, value = found
        if expires_at <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value


class Grouped(Generic[_In, _Out]):
    """Calls of one kind from concurrent callers, sent together: ``send`` takes the requests of
    a group and returns their results in the same order.

    A call waits for its result. The first call starts a sender task, which runs once the
    callers already scheduled have made their calls (the nine agencies' reads of an inquiry,
    started together, go in one group); calls made while a group is on its way go together in
    the next. When ``send`` raises, every call of its group raises the same error; when the
    sender is cancelled (at shutdown), so is every call still waiting."""

    def __init__(self, send: Callable[[list[_In]], Awaitable[Sequence[_Out]]]) -> None:
        self._send = send
        self._queue: list[tuple[_In, asyncio.Future[_Out]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def __call__(self, request: _In) -> _Out:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Out] = loop.create_future()
        self._queue.append((request, waiter))
        if self._sender is None:
            self._sender = loop.create_task(self._send_all())
        return await waiter

    async def drain(self) -> None:
        """Wait until every call made so far has been sent (or has failed)."""
        if self._sender is not None:
            await asyncio.shield(self._sender)

    async def _send_all(self) -> None:
        group: list[tuple[_In, asyncio.Future[_Out]]] = []
        try:
            while self._queue:
                group, self._queue = self._queue, []
                try:
                    results = await self._send([request for request, _ in group])
                except Exception as error:
                    for _, waiter in group:
                        if not waiter.done():
                            waiter.set_exception(error)
                else:
                    for (_, waiter), result in zip(group, results, strict=True):
                        if not waiter.done():
                            waiter.set_result(result)
                group = []
        finally:
            self._sender = None
            for _, waiter in group + self._queue:  # cancelled mid-way: none waits forever
                waiter.cancel()
            self._queue = []


class RedisBackend:
    """Redis through redis-py's asyncio client; values are bytes (the entries' JSON).

    It offers what ``RecordCache`` calls on a backend (``multi_get``, ``multi_set``,
    ``exists``, ``close``). Concurrent ``multi_get`` calls are one ``MGET``, and concurrent
    ``multi_set`` calls one pipeline of ``SET ... PX`` (each entry with its own ttl, no
    transaction: each entry stands alone), each group bounded by ``timeout_s``."""

    def __init__(self, client: redis.Redis, *, timeout_s: float = REDIS_TIMEOUT_S) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self._reads: Grouped[Sequence[str], list[bytes | None]] = Grouped(self._get_all)
        self._writes: Grouped[tuple[Sequence[tuple[str, bytes]], float], None] = Grouped(
            self._set_all
        )

    @classmethod
    def from_url(cls, url: str) -> RedisBackend:
        """``redis://[user:password@]host[:port][/db]``, or ``rediss://`` for TLS."""
        return cls(redis.Redis.from_url(url))

    async def multi_get(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self._reads(keys)

    async def multi_set(self, pairs: Sequence[tuple[str, bytes]], ttl: float) -> None:
        await self._writes((pairs, ttl))

    async def exists(self, key: str) -> bool:
        async with asyncio.timeout(self.timeout_s):
            return bool(await self.client.exists(key))

    async def close(self) -> None:
        await self._writes.drain()
        await self.client.aclose()

    async def _get_all(self, asked: list[Sequence[str]]) -> list[list[bytes | None]]:
        keys = [key for keys in asked for key in keys]
        async with asyncio.timeout(self.timeout_s):
            # bytes, or None for a key Redis does not hold (the client decodes no responses)
            values: list[Any] = await self.client.mget(keys)
        found, start = [], 0
        for some in asked:
            found.append(values[start : start + len(some)])
            start += len(some)
        return found

    async def _set_all(self, writes: list[tuple[Sequence[tuple[str, bytes]], float]]) -> list[None]:
        async with asyncio.timeout(self.timeout_s):
            async with self.client.pipeline(transaction=False) as pipe:
                for pairs, ttl in writes:
                    milliseconds = max(1, round(ttl * 1000))
                    for key, value in pairs:
                        pipe.set(key, value, px=milliseconds)
                await pipe.execute()
        return [None] * len(writes)


class RecordCache:
    """Get and set many entries of one agency at once; failures of the cache are not fatal."""

    def __init__(self, backend: Any, *, serialize: bool, namespace: str = NAMESPACE) -> None:
        self._backend = backend
        self._serialize = serialize
        self._namespace = namespace
        # since the backend last failed (and until it next answers): its failures are said once,
        # not one traceback for each agency's read and write of every inquiry
        self._failing = False

    @classmethod
    def from_url(cls, url: str, *, max_entries: int = MEMORY_MAX_ENTRIES) -> RecordCache:
        """A cache at ``url``: ``memory://`` (in process, at most ``max_entries`` entries, the
        least recently used evicted) or ``redis://host:port/db`` (``rediss://`` for TLS), which
        ignores ``max_entries``: Redis's own ``maxmemory`` policy bounds it."""
        scheme = url.partition("://")[0]
        if scheme == "memory":
            return cls(MemoryBackend(max_entries), serialize=False)
        if scheme in ("redis", "rediss"):
            return cls(RedisBackend.from_url(url), serialize=True)
        raise ValueError(f"unsupported cache URL scheme {scheme!r}: use memory:// or redis://")

    def key(self, agency: str, subject_key: str) -> str:
        return f"{self._namespace}:{agency}:{subject_key}"

    async def get_many(self, agency: str, subject_keys: Sequence[str]) -> list[CacheEntry | None]:
        if not subject_keys:
            return []
        keys = [self.key(agency, k) for k in subject_keys]
        try:
            values = await self._backend.multi_get(keys)
        except Exception as exc:  # a cache outage degrades to asking the agency, never fails
            self._failed(exc)
            return [None] * len(keys)
        self._answered()
        return [self._decode(agency, v) for v in values]

    async def set_many(
        self, agency: str, entries: Sequence[tuple[str, CacheEntry]], ttl_s: float
    ) -> None:
        if not entries or ttl_s <= 0:
            return
        pairs = [(self.key(agency, k), self._encode(e)) for k, e in entries]
        try:
            await self._backend.multi_set(pairs, ttl=ttl_s)
        except Exception as exc:
            self._failed(exc)
        else:
            self._answered()

    def _failed(self, exc: Exception) -> None:
        """Say that the cache stopped answering, once until it answers again: the kind of
        error only (its text could name the server; the URL may hold a password)."""
        if not self._failing:
            self._failing = True
            log.warning(
                "the cache is unreachable (%s): agencies are asked until it answers again",
                type(exc).__name__,
            )

    def _answered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("the cache answers again")

    async def ping(self) -> bool:
        try:
            await self._backend.exists(f"{self._namespace}:ping")
        except Exception:
            return False
        return True

    async def aclose(self) -> None:
        """Close the backend, once the writes on their way have been sent."""
        await self._backend.close()

    def _encode(self, entry: CacheEntry) -> Any:
        if not self._serialize:
            return entry
        records = entry.records
        stored = None
        if records is not None:
            data = wire_adapter(type(records)).dump_json(records, by_alias=True)
            stored = {"type": type(records).__name__, "data": orjson.Fragment(data)}
        return orjson.dumps({"fetchedAt": entry.fetched_at.isoformat(), "records": stored})

    def _decode(self, agency: str, value: Any) -> CacheEntry | None:
        if value is None or isinstance(value, CacheEntry):
            return value
        try:
            found = orjson.loads(value)
            fetched_at = datetime.datetime.fromisoformat(found["fetchedAt"])
            stored = found["records"]
            if stored is None:
                return CacheEntry(fetched_at, None)
            declared = spec(agency).records
            if stored["type"] != declared.__name__:  # another version's or agency's records
                raise ValueError(f"cached {stored['type']}, expected {declared.__name__}")
            return CacheEntry(fetched_at, wire_adapter(declared).validate_python(stored["data"]))
        except (KeyError, TypeError, ValueError, pydantic.ValidationError):
            log.warning("ignoring an unreadable cache entry")
            return None
