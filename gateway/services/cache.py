"""The per-source record cache: aiocache in memory (default) or Redis (shared by processes).

Entries are keyed by agency and subject, hold the answer (records, or ``None`` for "the agency
does not know this subject") and when it was fetched. In memory the objects are kept as they
are; in Redis they are the records' wire JSON (the agency's ``@record`` classes, validated back
by pydantic), never pickles. Stampede protection is
the fan-out's single-flight (``gateway.services.fanout``), which also covers batches.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pydantic
from aiocache import RedisCache, SimpleMemoryCache

from connectors.registry import spec
from gateway.domain.records import AgencyRecords, wire_adapter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    fetched_at: datetime.datetime
    records: AgencyRecords | None


class RecordCache:
    """Get and set many entries of one agency at once; failures of the cache are not fatal."""

    def __init__(self, backend: Any, *, serialize: bool, namespace: str = "chakong:v1") -> None:
        self._backend = backend
        self._serialize = serialize
        self._namespace = namespace

    @classmethod
    def from_url(cls, url: str) -> RecordCache:
        parts = urlsplit(url)
        if parts.scheme == "memory":
            return cls(SimpleMemoryCache(), serialize=False)
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
