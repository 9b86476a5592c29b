"""Per-caller rate limits: a token bucket per caller, in process.

Each caller (a token's subject and role; an address for anonymous callers) may send
``burst`` requests at once and ``per_minute`` on average. Buckets of callers idle long enough to
be full again are dropped, so memory stays bounded by the callers of the last minute or so.
With several gateway processes each keeps its own buckets: the effective limit is per process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._next_sweep = clock() + 60.0

    def acquire(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else seconds to wait."""
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _sweep(self, now: float) -> None:
        refill = self.burst / self.rate  # a bucket idle this long is full: forget it
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill}
        self._next_sweep = now + 60.0
