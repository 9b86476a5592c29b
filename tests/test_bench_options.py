"""The benchmarks refuse a count or a duration out of range before setting anything up: argparse's
one-line message and exit status 2, not a Python error after the start (a median of no samples)."""

from __future__ import annotations

import argparse
import importlib
import sys

import pytest

from bench.options import at_least, milliseconds, seconds

# every benchmark's entry point, each with an option that must be positive
ENTRY_POINTS = [
    ("bench.agency_calls", "--rounds", "0"),
    ("bench.audit", "--inquiries", "0"),
    ("bench.batch", "--runs", "0"),
    ("bench.before_after", "--runs", "-1"),
    ("bench.chaos_controls", "--concurrency", "0"),
    ("bench.fanout.mockproc", "--latency-ms", "-5"),
    ("bench.fanout.profile", "--stage-queries", "0"),
    ("bench.fanout.run", "--rounds", "0"),
    ("bench.gc", "--batch", "0"),
    ("bench.hedging", "--tail-ms", "nan"),
    ("bench.instructions", "--cpu-queries", "0"),
    ("bench.listing", "--queries", "0"),
    ("bench.paired_cpu", "--rounds", "0"),
    ("bench.report", "--runs", "0"),
    ("bench.throughput", "--seconds", "0"),
    ("bench.transport", "--requests", "0"),
    ("bench.wakeup", "--rounds", "0"),
]


@pytest.mark.parametrize(("module", "option", "value"), ENTRY_POINTS)
def test_a_benchmark_refuses_a_number_out_of_range(
    module: str, option: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys
):
    main = importlib.import_module(module).main
    monkeypatch.setattr(sys, "argv", [module, option, value])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: " in err
    assert "Traceback" not in err


def test_at_least_takes_whole_numbers_from_its_minimum():
    assert at_least(1)("3") == 3
    assert at_least(0)("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="at least 1, not 0"):
        at_least(1)("0")
    with pytest.raises(argparse.ArgumentTypeError, match="not a whole number"):
        at_least(1)("2.5")


def test_durations_are_finite_and_not_negative():
    assert milliseconds("0") == 0.0
    assert milliseconds("12.5") == 12.5
    assert seconds("0.5") == 0.5
    for text in ("-1", "inf", "nan", "abc"):
        with pytest.raises(argparse.ArgumentTypeError):
            milliseconds(text)
    with pytest.raises(argparse.ArgumentTypeError, match="more than zero"):
        seconds("0")
