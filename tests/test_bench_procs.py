"""The benchmark's readings of another process, taken here on this one."""

from __future__ import annotations

import os
import time

from bench.fanout.procs import voluntary_switches


def test_voluntary_switches_count_each_sleep_of_a_thread():
    before = voluntary_switches(os.getpid())
    for _ in range(20):
        time.sleep(0.001)  # off the CPU by itself, then woken: one voluntary switch each
    assert voluntary_switches(os.getpid()) - before >= 20
