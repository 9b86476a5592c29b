"""The per-source record cache: in process (default, capped) or Redis (shared by processes).

Entries are keyed by agency and subject, hold the answer (records, or ``None`` for "the agency
does not know this subject") and when it was fetched. In memory the objects are kept as they
are, in a ``MemoryBackend`` that holds at most ``max_entries`` of them and evicts the least
recently used; in Redis (aiocache) they are the records' wire JSON (the agency's ``@record``
classes, validated back by pydantic), never pickles, and Redis's own ``maxmemory`` policy
bounds them. Stampede protection is the fan-out's single-flight (``gateway.services.fanout``),
which also covers batches.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pydantic
from aiocache import RedisCache

from connectors.registry import spec
from gateway.domain.records import AgencyRecords, wire_adapter
from gateway.settings import DEFAULT_CACHE_MAX_ENTRIES

log = logging.getLogger(__name__)

# the default cap of the in-process cache; ``Settings.cache_max_entries`` explains the number
MEMORY_MAX_ENTRIES = DEFAULT_CACHE_MAX_ENTRIES


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


class RecordCache:
    """Get and set many entries of one agency at once; failures of the cache are not fatal."""

    def __init__(self, backend: Any, *, serialize: bool, namespace: str = "chakong:v1") -> None:
        self._backend = backend
        self._serialize = serialize
        self._namespace = namespace

    @classmethod
    def from_url(cls, url: str, *, max_entries: int = MEMORY_MAX_ENTRIES) -> RecordCache:
        """A cache at ``url``: ``memory://`` (in process, at most ``max_entries`` entries, the
        least recently used evicted) or ``redis://host:port/db`` (``rediss://`` for TLS), which
        ignores ``max_entries``: Redis's own ``maxmemory`` policy bounds it."""
        parts = urlsplit(url)
        if parts.scheme == "memory":
            return cls(MemoryBackend(max_entries), serialize=False)
        if parts.scheme in ("redis", "rediss"):
            db = int(parts.path.lstrip("/") or 0)
            backend = RedisCache(
                endpoint=parts.hostname or "127.0.0.1",
                port=parts.port or 6379,
                db=db,
                password=parts.password,
                ssl=parts.scheme == "rediss",
                timeout=1,
            )
            return cls(backend, serialize=True)
        raise ValueError(
            f"unsupported cache URL scheme {parts.scheme!r}: use memory:// or redis://"
        )

    def key(self, agency: str, subject_key: str) -> str:
        return f"{self._namespace}:{agency}:{subject_key}"

    async def get_many(self, agency: str, subject_keys: Sequence[str]) -> list[CacheEntry | None]:
        if not subject_keys:
            return []
        keys = [self.key(agency, k) for k in subject_keys]
        try:
            values = await self._backend.multi_get(keys)
        except Exception:  # a cache outage degrades to asking the agency, never fails a query
            log.warning("cache read failed for %s", agency, exc_info=True)
            return [None] * len(keys)
        return [self._decode(agency, v) for v in values]

    async def set_many(
        self, agency: str, entries: Sequence[tuple[str, CacheEntry]], ttl_s: float
    ) -> None:
        if not entries or ttl_s <= 0:
            return
        pairs = [(self.key(agency, k), self._encode(e)) for k, e in entries]
        try:
            await self._backend.multi_set(pairs, ttl=ttl_s)
        except Exception:
            log.warning("cache write failed for %s", agency, exc_info=True)

    async def clear(self) -> None:
        with contextlib.suppress(Exception):
            await self._backend.clear()

    async def ping(self) -> bool:
        try:
            await self._backend.exists(f"{self._namespace}:ping")
        except Exception:
            return False
        return True

    async def aclose(self) -> None:
        client = getattr(self._backend, "client", None)
        if client is not None:
            # aiocache's close() calls redis-py's deprecated close(); close the client itself
            await client.aclose()
        else:
            await self._backend.close()

    def _encode(self, entry: CacheEntry) -> Any:
        if not self._serialize:
            return entry
        records = entry.records
        if records is None:
            return {"fetchedAt": entry.fetched_at.isoformat(), "records": None}
        data = wire_adapter(type(records)).dump_python(records, mode="json", by_alias=True)
        return {
            "fetchedAt": entry.fetched_at.isoformat(),
            "records": {"type": type(records).__name__, "data": data},
        }

    def _decode(self, agency: str, value: Any) -> CacheEntry | None:
        if value is None or isinstance(value, CacheEntry):
            return value
        try:
            fetched_at = datetime.datetime.fromisoformat(value["fetchedAt"])
            stored = value["records"]
            if stored is None:
                return CacheEntry(fetched_at, None)
            declared = spec(agency).records
            if stored["type"] != declared.__name__:  # another version's or agency's records
                raise ValueError(f"cached {stored['type']}, expected {declared.__name__}")
            return CacheEntry(fetched_at, wire_adapter(declared).validate_python(stored["data"]))
        except (KeyError, TypeError, ValueError, pydantic.ValidationError):
            log.warning("ignoring an unreadable cache entry")
            return None
