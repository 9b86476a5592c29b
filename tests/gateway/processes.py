"""The ``chakong`` command run as a user runs it: real processes, real ports, Ctrl-C to stop."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# the keys of a gateway run by `chakong serve` in the tests
SERVE_KEYS = {
    "CHAKONG_AUTH__KEYS__K2026": "serve-test-key-" + "k" * 32,
    "CHAKONG_AUDIT_KEY": "serve-test-audit-key-" + "a" * 32,
}


class Process:
    """A ``chakong`` command running in its own process group, its output read by a thread.

    The thread lets :meth:`wait_for` keep its deadline even while the process stays silent
    (a blocking ``readline`` would wait forever), and the group lets :meth:`stop` end the
    command's own children too (the workers of ``serve --workers``). SIGINT starts at its
    default, as at a terminal, even where the suite runs with it ignored (in the background).
    """

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *args],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: list[str] = []  # the lines wait_for has read so far
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._rest: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line)
        self._queue.put(None)  # end of output: every writer has gone

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                self._queue.put(None)  # later calls see the end too
                break
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def interrupt(self) -> int:
        """Ctrl-C: SIGINT to the command (only), its exit code once it has stopped."""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        finally:
            self.stop()

    def stop(self) -> None:
        """Kill whatever of the command's process group is still running; close its output."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(timeout=10)
        if self.proc.stdout is not None and not self._reader.is_alive():
            self.proc.stdout.close()

    def output(self) -> str:
        """Everything the process wrote (call after it stopped)."""
        self._reader.join(timeout=10)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self._queue.put(None)
                break
            self.lines.append(line)
        return "".join(self.lines)


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
