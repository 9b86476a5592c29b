"""The ``chakong`` command run as a user runs it: real processes, real ports, Ctrl-C to stop."""

from __future__ import annotations

import atexit
import contextlib
import json
import locale
import os
import queue
import re
import selectors
import signal
import socket
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


class CommandForks:
    """The test's end of :mod:`tests.gateway.command_forks`: one run at a time, each in a child
    forked from a process that has imported the command already (about a second saved a run)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.gateway.command_forks", str(theirs.fileno())],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.DEVNULL,
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self._channel = ours
        self._lock = threading.Lock()
        self.broken = False  # a run was interrupted (a test's timeout): start another
        ready = self._receive(timeout=120)
        if not ready.get("ready"):
            raise RuntimeError(f"the command's forks did not start: {ready}")

    def _receive(self, timeout: float | None) -> dict[str, object]:
        self._channel.settimeout(timeout)
        message = self._channel.recv(1 << 16)
        if not message:
            raise RuntimeError(f"the command's forks ended (status {self.proc.poll()})")
        answer: dict[str, object] = json.loads(message)
        return answer

    def run(
        self, args: list[str], *, cwd: Path, env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        with self._lock:
            if self.broken:
                raise RuntimeError("the command's forks were left mid-run by an earlier failure")
            self.broken = True  # until this run's last answer is in: the messages pair up
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            try:
                run = {"args": args, "cwd": str(cwd), "env": env}
                socket.send_fds(self._channel, [json.dumps(run).encode()], [out_w, err_w])
            finally:
                os.close(out_w)
                os.close(err_w)
            pid = int(str(self._receive(timeout=30)["pid"]))
            out, err, finished = _read_both(out_r, err_r, time.monotonic() + timeout)
            if not finished:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
            returncode = int(str(self._receive(timeout=None if finished else 30)["returncode"]))
            self.broken = False
        stdout, stderr = _text(out), _text(err)
        command = [sys.executable, "-m", "gateway.cli", *args]
        if not finished:
            raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    def close(self) -> None:
        self._channel.close()  # the forks' process sees an empty message and ends
        if self.broken:
            self.proc.kill()  # it may be waiting for a child still running
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _read_both(out: int, err: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Both pipes read to their end (every writer gone), or to ``deadline``: what was read, and
    whether both ended. Closes both."""
    chunks: dict[int, list[bytes]] = {out: [], err: []}
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map() and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(timeout=left):
                data = os.read(key.fd, 1 << 16)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
        finished = not selector.get_map()
    for fd in chunks:
        os.close(fd)
    return b"".join(chunks[out]), b"".join(chunks[err]), finished


def _text(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes: the locale's encoding, universal newlines."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


_forks: CommandForks | None = None


def _command_forks() -> CommandForks:
    global _forks
    if _forks is None or _forks.broken:
        if _forks is not None:
            _forks.close()
        _forks = CommandForks()
        atexit.register(_forks.close)
    return _forks


def run_cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``chakong ARGS`` run to its end, as ``subprocess.run(..., capture_output=True,
    text=True)`` would run it, in a child of :mod:`tests.gateway.command_forks`: the suite's
    environment with ``env`` over it and without the variables named in ``unset``."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in unset:
        environment.pop(name, None)
    return _command_forks().run(list(args), cwd=cwd, env=environment, timeout=timeout)


def issue(cwd: Path, *args: str) -> str:
    """A token from ``chakong token``, signed with the serve tests' key."""
    result = run_cli("token", *args, cwd=cwd, env=SERVE_KEYS)
    assert result.returncode == 0, result.stderr
    return str(result.stdout).strip()
