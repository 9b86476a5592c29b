"""The server's garbage-collector settings, applied in a process of their own (never this one:
the tests build many applications)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
from gateway.runtime import tune_gc
from gateway.settings import Settings
settings = Settings()
before = gc.get_threshold()[0]
tune_gc(freeze=settings.gc_freeze, young_threshold=settings.gc_young_threshold)
young, frozen = gc.get_threshold()[0], gc.get_freeze_count()
print(json.dumps({"before": before, "young": young, "frozen": frozen}))
"""


def probe(**env: str) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env},
    )
    result: dict[str, int] = json.loads(out.stdout)
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
