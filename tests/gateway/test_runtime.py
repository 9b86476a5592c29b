"""The server's garbage-collector and thread-switching settings, applied in a process of their
own (never this one: the tests build many applications)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
from gateway.runtime import tune_gc, tune_threads
from gateway.settings import Settings
settings = Settings()
before, switch_before = gc.get_threshold()[0], sys.getswitchinterval()
tune_gc(freeze=settings.gc_freeze, young_threshold=settings.gc_young_threshold)
tune_threads(switch_interval_ms=settings.switch_interval_ms)
young, frozen = gc.get_threshold()[0], gc.get_freeze_count()
print(json.dumps({"before": before, "young": young, "frozen": frozen,
                  "switch_before": switch_before, "switch": sys.getswitchinterval()}))
"""


def probe(**env: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env},
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def test_the_defaults_freeze_the_start_up_heap_and_raise_the_young_threshold():
    seen = probe()
    assert seen["before"] == 700  # Python's own
    assert seen["young"] == 50_000
    assert seen["frozen"] > 10_000  # the modules imported so far


@pytest.mark.parametrize(
    ("env", "young", "frozen"),
    [
        ({"CHAKONG_GC_YOUNG_THRESHOLD": "0", "CHAKONG_GC_FREEZE": "false"}, 700, False),
        ({"CHAKONG_GC_YOUNG_THRESHOLD": "2000"}, 2000, True),
    ],
)
def test_the_settings_choose(env: dict[str, str], young: int, frozen: bool):
    seen = probe(**env)
    assert seen["young"] == young
    assert (seen["frozen"] > 0) is frozen


def test_the_thread_switch_interval_is_one_ms_unless_set():
    """A thread waiting for the GIL (the audit's writer, while the loop completes a batch) has
    it after 1 ms, not Python's 5; 0 keeps Python's; a bad value is refused before any use."""
    seen = probe()
    assert seen["switch_before"] == pytest.approx(0.005)  # Python's own
    assert seen["switch"] == pytest.approx(0.001)
    assert probe(CHAKONG_SWITCH_INTERVAL_MS="0")["switch"] == pytest.approx(0.005)
    assert probe(CHAKONG_SWITCH_INTERVAL_MS="2.5")["switch"] == pytest.approx(0.0025)
    with pytest.raises(subprocess.CalledProcessError):
        probe(CHAKONG_SWITCH_INTERVAL_MS="-1")
