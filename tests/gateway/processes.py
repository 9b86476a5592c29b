"""The ``chakong`` command run as a user runs it: real processes, real ports, Ctrl-C to stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# the keys of a gateway run by `chakong serve` in the tests
SERVE_KEYS = {
    "CHAKONG_AUTH__KEYS__K2026": "serve-test-key-" + "k" * 32,
    "CHAKONG_AUDIT_KEY": "serve-test-audit-key-" + "a" * 32,
}


class Process:
    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *args],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()

    def output(self) -> str:
        """Everything the process wrote (call after it stopped)."""
        rest = self.proc.stdout.read() if self.proc.stdout else ""
        return "".join(self.lines) + rest


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def issue(cwd: Path, *args: str) -> str:
    """A token from ``chakong token``, signed with the serve tests' key."""
    result = run_cli("token", *args, cwd=cwd, env=SERVE_KEYS)
    assert result.returncode == 0, result.stderr
    return str(result.stdout).strip()
