"""``python -m bench.case_lookup`` runs end to end on a few lookups (on PostgreSQL too where it
is running), its two ways' answers checked equal, and writes nothing with ``--no-write``."""

from __future__ import annotations

import pytest

from bench import case_lookup
from bench.audit import postgres_running
from bench.fanout.results import RESULTS


async def test_the_benchmark_runs_and_leaves_the_results_alone(capsys: pytest.CaptureFixture[str]):
    before = RESULTS.read_text(encoding="utf-8")
    assert await case_lookup.main_async(5, write=False) == 0
    printed = capsys.readouterr().out
    assert "case lookup CPU, sqlite, the gateway's way / through SQLAlchemy" in printed
    if postgres_running():
        assert "case lookup CPU, postgresql" in printed
    assert RESULTS.read_text(encoding="utf-8") == before
