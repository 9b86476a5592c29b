"""The storage a benchmark's gateway runs on, as its ``CHAKONG_*`` settings.

``sqlite``: a SQLite file in the gateway's own directory and the in-process cache (the
defaults, what ``bench.fanout.procs.gateway`` gives). ``postgresql``: a database of its own on
the local PostgreSQL (127.0.0.1:5432, created for the run and dropped after it). And
``postgresql+redis``: that, with the record cache on the local Redis (127.0.0.1:6379), in a
logical database of its own (15, then 14, ...), whose entries of the gateway's namespace are
deleted after the run.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator

import redis.asyncio as redis

from bench.audit import PG, database, listening, postgres_running
from gateway.services.cache import NAMESPACE

BACKENDS = ("sqlite", "postgresql", "postgresql+redis")
# each as the results describe it
STORAGE = {
    "sqlite": "a SQLite file and the in-process cache",
    "postgresql": "a PostgreSQL database and the in-process cache",
    "postgresql+redis": "a PostgreSQL database and the record cache on Redis",
}
REDIS = ("127.0.0.1", 6379)
CACHE_KEYS = f"{NAMESPACE}:*"  # every key the record cache writes

_redis_dbs = itertools.count(15, -1)


def missing(backend: str) -> str | None:
    """Why ``backend`` cannot be measured here, or ``None``."""
    if backend != "sqlite" and not postgres_running():
        return f"PostgreSQL is not running at {PG[0]}:{PG[1]}"
    if backend.endswith("+redis") and not listening(REDIS):
        return f"Redis is not running at {REDIS[0]}:{REDIS[1]}"
    return None


@contextlib.asynccontextmanager
async def backend_settings(backend: str) -> AsyncIterator[dict[str, str]]:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: one of {', '.join(BACKENDS)}")
    if (why := missing(backend)) is not None:
        raise RuntimeError(why)
    if backend == "sqlite":
        yield {}
        return
    async with database("postgresql") as url:
        settings = {"CHAKONG_DATABASE_URL": url}
        if not backend.endswith("+redis"):
            yield settings
            return
        db = next(_redis_dbs)
        try:
            yield settings | {"CHAKONG_CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{db}"}
        finally:
            client = redis.Redis(host=REDIS[0], port=REDIS[1], db=db)
            try:
                async for key in client.scan_iter(match=CACHE_KEYS, count=1000):
                    await client.delete(key)
            finally:
                await client.aclose()
