"""``run_cli`` (a child forked from a pre-imported command) says what a fresh interpreter says."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.gateway.processes import ROOT, run_cli


@pytest.mark.parametrize(
    "args",
    [
        ("migrate",),  # argparse's error, exit 2
        ("audit", "verify", "--database-url", "garbage"),  # the command's own, exit 2
        ("schema",),  # standard output, exit 0
    ],
)
def test_a_forked_run_says_what_a_fresh_interpreter_says(tmp_path, args):
    forked = run_cli(*args, cwd=tmp_path, env={"CHAKONG_DEMO": "true"})
    fresh = subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CHAKONG_DEMO": "true"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode,
        fresh.stdout,
        fresh.stderr,
    )


def test_a_run_past_its_timeout_is_killed_and_the_next_run_works(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        run_cli("mocks", "--agencies", "bank", "--port", "0", cwd=tmp_path, timeout=5)
    assert "Mock agencies are running" in str(raised.value.stdout)  # what it said before
    after = run_cli("migrate", cwd=tmp_path)
    assert after.returncode == 2
    assert "invalid choice: 'migrate'" in after.stderr
