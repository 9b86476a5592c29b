"""``bench.before_after`` reads the fan-out benchmark's table by its labels: they must be the
labels ``bench.fanout`` prints (with its defaults: 200 ms mocks, 200-debtor batches), or every
comparison fails."""

from __future__ import annotations

from pathlib import Path

from bench.before_after import FIGURES, parse

SOURCE = Path(__file__).resolve().parents[1] / "bench" / "fanout" / "figures.py"


def test_every_compared_figure_is_one_the_fanout_benchmark_prints():
    printed = (
        SOURCE.read_text(encoding="utf-8")
        .replace("{mock}", "200 ms")
        .replace("{batch['subjects']}", "200")
    )
    assert [label for label in FIGURES if f'"{label}"' not in printed] == []


def test_a_printed_table_is_read_by_its_labels():
    width = max(len(label) for label in FIGURES) + 2
    table = "\n".join(
        f"{label:{width}}{index + 1.5:.3f}  <= 1.10  PASS" for index, label in enumerate(FIGURES)
    )
    assert parse(table) == {label: index + 1.5 for index, label in enumerate(FIGURES)}
