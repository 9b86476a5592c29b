"""The ``chakong`` command, imported once and forked for each run: what ``run_cli`` runs.

A fresh ``python -m gateway.cli`` spends about a second importing before it reads its first
argument (the gateway's schema, SQLAlchemy, alembic, aiohttp), and the suite runs the command
well over a hundred times. This module is a process that imports all of that once, then, for
each run, forks a child that becomes the command: its own session (its process group is
killed on a timeout), the run's working directory and environment, its standard output and
error on pipes the test reads, standard input from ``/dev/null``, and then
``gateway/cli.py`` executed as ``__main__``, exactly as ``python -m gateway.cli`` does, to its
exit status (``sys.exit``'s code, 1 and a traceback for an uncaught exception, the interpreter's
exit handlers run). What a child does not share with a fresh interpreter is only what was
decided while importing: nothing of the gateway's reads the environment then (its settings are
read when a command runs), and the locale and the standard streams' encoding are the suite's.
The commands that stay up (``serve``, ``demo``, ``mocks``, interrupted with Ctrl-C) run as
fresh processes (``processes.Process``), and so prove the real start-up.

The protocol, over a ``SOCK_SEQPACKET`` pair (one message each): the test sends the run as
JSON (``args``, ``cwd``, ``env``) with its two pipe ends; this process answers ``{"pid": n}``
once forked, then ``{"returncode": n}`` (negative for a signal, as ``subprocess``) once the
child has ended. An empty message (the test process gone) ends it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import runpy
import signal
import socket
import sys
import threading
import traceback
from typing import Any, NoReturn

MAX_MESSAGE = 1 << 20

# what the commands import when they run (gateway/cli.py imports them lazily, for a fast --help)
PRELOAD = (
    "gateway.cli",  # what it imports stays; the module itself is run afresh as __main__
    "gateway.app",
    "gateway.api",
    "gateway.cli_audit",
    "gateway.cli_controls",
    "gateway.cli_inquire",
    "gateway.server",
    "gateway.demo",
    "gateway.demo_list",
    "gateway.store.migrate",
    "connectors.openapi",
    "mocks.server",
    "mocks.runner",
    "mocks.registry",
    "mocks.faults",
    "mocks.contract.kit",
    "uvicorn",
    "httpx",
    "rich.progress",
)


def _exit_code(exc: SystemExit) -> int:
    """The status ``sys.exit(code)`` gives, printing a message as the interpreter does."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def _become_the_command(run: dict[str, Any], out: int, err: int) -> NoReturn:
    code = 1
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (null, out, err):
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(run["cwd"])
        os.environ.clear()
        os.environ.update(run["env"])
        sys.argv = ["-m", *run["args"]]  # runpy puts the module's path first, as -m does
        # as in a fresh ``python -m gateway.cli``: the module runs as __main__ only (runpy warns
        # of a copy imported before, and a later ``import gateway.cli`` makes its own)
        sys.modules.pop("gateway.cli", None)
        with contextlib.suppress(AttributeError):
            delattr(sys.modules["gateway"], "cli")
        try:
            runpy.run_module("gateway.cli", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:  # the interpreter's own last word on an uncaught exception
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def serve(channel: socket.socket) -> None:
    for name in PRELOAD:
        __import__(name)
    if threading.active_count() != 1:  # a fork copies no other thread: say so, do not hang
        channel.send(json.dumps({"error": "a thread was started while importing"}).encode())
        return
    channel.send(json.dumps({"ready": True}).encode())
    while True:
        message, fds, _flags, _address = socket.recv_fds(channel, MAX_MESSAGE, 2)
        if not message:
            return
        run = json.loads(message)
        pid = os.fork()
        if pid == 0:
            channel.close()
            _become_the_command(run, *fds)
        for fd in fds:
            os.close(fd)
        channel.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        channel.send(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode())


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
