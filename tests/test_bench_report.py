"""The sentences every benchmark section gives about the machine it ran on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.fanout import report


def test_the_steal_time_is_read_from_proc_stat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat.write_text("cpu  100 0 50 800 10 0 10 30 0 0\ncpu0 1 2 3\n")
    monkeypatch.setattr(report, "PROC_STAT", stat)
    monkeypatch.setattr(report, "_STARTED_TICKS", report._cpu_ticks())
    assert report._STARTED_TICKS == (30, 1000)
    stat.write_text("cpu  200 0 100 1500 10 0 20 170 0 0\n")  # 1000 ticks later, 140 of steal
    steal = report.steal_percent()
    assert steal == pytest.approx(14.0)
    assert "14.0% of the CPU time" in report.steal_sentence(steal)
    stat.write_text("intr 1 2 3\n")  # not the line expected: not guessed
    assert report.steal_percent() is None
    assert report.steal_sentence(None) == "Steal time: not readable here."


def test_a_run_with_much_steal_time_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    assert report.steal_warning(None) is None
    assert report.steal_warning(1.9) is None
    assert "not comparable" not in report.steal_sentence(1.9)
    warning = report.steal_warning(8.5)
    assert warning is not None
    assert warning.startswith("warning: steal time 8.5% while this ran.")
    assert report.steal_sentence(8.5).endswith("figures are not comparable to a quiet run's.")
    # and a benchmark that records its section prints it (``load_average``, which every
    # benchmark's section calls), from /proc/stat as it is then
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 50 800 10 0 10 30 0 0\n")
    monkeypatch.setattr(report, "PROC_STAT", stat)
    monkeypatch.setattr(report, "_STARTED_TICKS", report._cpu_ticks())
    stat.write_text("cpu  200 0 100 1500 10 0 20 170 0 0\n")  # 14% steal since the start
    printed: list[str] = []
    monkeypatch.setattr(
        report, "print", lambda *a, **k: printed.append(" ".join(map(str, a))), raising=False
    )
    results = tmp_path / "RESULTS.md"
    report.write_bench_section(
        name="x",
        title="X",
        command="python -m bench.x",
        load=((0.1, 0.1, 0.1), (0.2, 0.2, 0.2)),
        setup="Nothing.",
        figures=[report.Figure("x", "x", 1.0, "", None, "{:.1f}", "")],
        results=results,
    )
    assert printed == [report.steal_warning(14.0)]
    assert "14.0% of the CPU time. That is 2% or more" in " ".join(results.read_text().split())


def test_every_section_gives_the_load_and_the_steal_time():
    sentence = report.load_average((0.5, 0.25, 0.125), (1.0, 0.5, 0.25))
    assert sentence.startswith(
        "Load average (1, 5, 15 min) before: 0.50 0.25 0.12; after: 1.00 0.50 0.25. Steal time"
    )
    if Path("/proc/stat").exists():
        assert re.search(r"Steal time while it ran .*: \d+\.\d% of the CPU time\.", sentence)
