"""The benchmark's two subprocesses: the mock agencies and the gateway (``chakong serve``)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from pydantic import SecretStr

from bench.fanout import queries

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def stop_process(proc: subprocess.Popen[str], timeout_s: float = 5.0) -> None:
    """Terminate ``proc``, then kill it if it is still there after ``timeout_s``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout_s)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), from ``/proc/<pid>/stat``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def thread_cpu_seconds(pid: int) -> float:
    """The CPU time of process ``pid``'s threads to the nanosecond (each one's time on a CPU,
    from ``/proc/<pid>/task/<tid>/schedstat``, the scheduler's own count, as ``time.process_time``
    reads it for this process): ``cpu_seconds`` counts clock ticks (10 ms), too coarse for a round
    of a few hundred milliseconds. A thread that ended between two readings is missing from the
    second: use it across spans in which the process starts and ends no thread."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended while the tasks were listed
    return total / 1e9


def voluntary_switches(pid: int) -> int:
    """How many times process ``pid``'s threads have gone off the CPU by themselves (waiting for
    the network, another thread, a lock or the GIL): the sum of ``voluntary_ctxt_switches`` in
    ``/proc/<pid>/task/<tid>/status``. Each is a sleep and a wake-up; on a virtual machine a
    wake-up costs tens to hundreds of microseconds of CPU (``bench/wakeup.py``). The same caveat
    as ``thread_cpu_seconds``: a thread that ended is missing from the next reading."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True, slots=True)
class Mocks:
    proc: subprocess.Popen[str]
    token: str
    urls: dict[str, str]  # agency name -> base URL


@contextlib.contextmanager
def mock_agencies(workdir: Path, latency_ms: float = 0.0) -> Iterator[Mocks]:
    """``python -m bench.fanout.mockproc`` in a subprocess; stopped on exit, whatever happens."""
    token = secrets.token_urlsafe(24)
    log = workdir / "mocks.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fanout.mockproc",
                # one argument each: a random token may start with "-"
                f"--token={token}",
                f"--latency-ms={latency_ms}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=_clean_env(),
        )
    try:
        line = _read_line(proc.stdout, STARTUP_TIMEOUT_S)
        if not line:
            raise RuntimeError(f"the mock agencies did not start:\n{_tail(log)}")
        announced = json.loads(line)
        yield Mocks(proc, token, dict(announced["urls"]))
    finally:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the mocks stop when their stdin closes
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(3.0)
        stop_process(proc)


def _read_line(stream: IO[str] | None, timeout_s: float) -> str:
    """One line of ``stream``, or "" if none comes within ``timeout_s``."""
    if stream is None:
        return ""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            return ""
    return stream.readline()


def _clean_env() -> dict[str, str]:
    """This process's environment without ``CHAKONG_*`` (the settings forbid unknown keys), with
    the repository on ``PYTHONPATH`` (the subprocesses import ``bench``, from any directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAKONG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@dataclass(frozen=True, slots=True)
class Gateway:
    proc: subprocess.Popen[str]
    url: str
    command: str
    log: Path
    judge_token: str  # a JUDGE of the example case's court, assigned to it (J001)
    system_token: str  # that court's COURT_SYSTEM, which registers the case


@dataclass(frozen=True, slots=True)
class Keys:
    """The gateway's secrets for one run: a token key (not the demo's) and an audit key."""

    key_id: str
    token_key: str
    audit_key: str

    @staticmethod
    def generate() -> Keys:
        return Keys("bench", secrets.token_urlsafe(36), secrets.token_urlsafe(36))

    def env(self) -> dict[str, str]:
        return {
            f"CHAKONG_AUTH__KEYS__{self.key_id}": self.token_key,
            "CHAKONG_AUTH__SIGNING_KEY": self.key_id,
            "CHAKONG_AUDIT_KEY": self.audit_key,
            # the benchmark sends thousands of requests a minute as one judge; the limiter
            # still runs on every request, it just never refuses
            "CHAKONG_LIMITS__RATE_PER_MINUTE": "10000000",
            "CHAKONG_LIMITS__RATE_BURST": "100000",
        }

    def tokens(self) -> tuple[str, str]:
        """(the judge's token, the court system's token), signed with the token key."""
        from gateway.auth.principal import Role
        from gateway.auth.tokens import TokenService
        from gateway.settings import AuthSettings

        service = TokenService(
            AuthSettings(keys={self.key_id: SecretStr(self.token_key)}, token_ttl_s=24 * 3600)
        )
        court, judge = queries.COURT, queries.JUDGE
        return (
            service.issue(Role.JUDGE, subject=f"judge:{judge}", court=court, judge=judge),
            service.issue(Role.COURT_SYSTEM, subject=f"system:{court}", court=court),
        )


def serve_command() -> list[str]:
    script = Path(sys.executable).with_name("chakong")
    if script.exists():
        return [str(script), "serve"]
    return [
        sys.executable,
        "-c",
        "import sys; from gateway.cli import main; sys.exit(main())",
        "serve",
    ]


@contextlib.contextmanager
def gateway(
    workdir: Path,
    mocks: Mocks,
    command: list[str] | None = None,
    stop_timeout_s: float = 5.0,
    settings: dict[str, str] | None = None,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[Gateway]:
    """``chakong serve`` (or ``command``) in a subprocess, configured by ``CHAKONG_*`` with keys
    of its own (not demo mode) and ``settings`` (more ``CHAKONG_*`` variables); ready when this
    yields (within ``startup_timeout_s``), stopped (SIGTERM, then SIGKILL after
    ``stop_timeout_s``) on exit."""
    port = free_port()
    keys = Keys.generate()
    env = _clean_env() | keys.env()
    env |= {
        "CHAKONG_HOST": "127.0.0.1",
        "CHAKONG_PORT": str(port),
        "CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
    }
    for agency, url in mocks.urls.items():
        env[f"CHAKONG_AGENCIES__{agency.upper()}__URL"] = url
        env[f"CHAKONG_AGENCIES__{agency.upper()}__TOKEN"] = mocks.token
    env |= settings or {}
    command = command or serve_command()
    log = workdir / "gateway.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=workdir,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log, startup_timeout_s)
        shown = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command))
        yield Gateway(proc, url, shown, log, *keys.tokens())
    finally:
        stop_process(proc, stop_timeout_s)


def _wait_ready(
    proc: subprocess.Popen[str], url: str, log: Path, timeout_s: float = STARTUP_TIMEOUT_S
) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the gateway exited ({proc.returncode}):\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError(f"the gateway was not ready in {timeout_s:g} s:\n{_tail(log)}")
