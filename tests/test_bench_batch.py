"""The batch benchmark's measure of the floor's own memory, in a worker process of its own."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.batch import floor_memory, reset_peak_rss


def test_the_floors_memory_grows_with_the_batch_it_answers():
    small, large = floor_memory(5), floor_memory(40)
    for measured in (small, large):
        assert measured["answer_mb"] > 0
        assert measured["before_mb"] > 0
        # NaN only where the peak mark cannot be reset (see the test below)
        assert math.isnan(measured["peak_mb"]) or measured["peak_mb"] >= measured["before_mb"]
        # the answer's bytes are counted beside the result they were encoded from
        assert measured["traced_mb"] > measured["result_mb"] > 0
    assert large["answer_mb"] > 4 * small["answer_mb"]
    assert large["result_mb"] > 4 * small["result_mb"]
    assert large["traced_mb"] > 4 * small["traced_mb"]


def test_a_peak_mark_that_cannot_be_reset_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch):
    def refused(self: Path, data: str) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refused)
    assert reset_peak_rss() is False
