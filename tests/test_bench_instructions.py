"""``bench.instructions`` reads callgrind's dumps: the count is the ``totals:`` line that ends a
dump, not the ``summary:`` line that leads it (written before the counts are, so 0 in a dump)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.instructions import instructions


def dump(path: Path, summary: int, totals: int | None) -> None:
    lines = ["# callgrind format", "version: 1", "part: 2", "events: Ir", f"summary: {summary}"]
    lines += ["", "fn=(1) main", "16 20000"]
    if totals is not None:
        lines.append(f"totals: {totals}")
    path.write_text("\n".join(lines) + "\n")


def test_a_dump_is_read_by_its_totals(tmp_path):
    out = tmp_path / "gateway.callgrind"
    dump(out.with_name("gateway.callgrind.2"), summary=0, totals=1_234_567)
    assert instructions(out, 2) == 1_234_567


def test_a_dump_without_totals_is_an_error(tmp_path):
    out = tmp_path / "gateway.callgrind"
    dump(out.with_name("gateway.callgrind.1"), summary=99, totals=None)
    with pytest.raises(RuntimeError, match="no totals"):
        instructions(out, 1)
