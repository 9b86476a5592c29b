"""The mock agencies in their own process, for the fan-out benchmark.

    python -m bench.fanout.mockproc --token T --latency-ms 200

Starts ``MockServers`` (every agency with a mock) on ephemeral loopback ports, prints one JSON
line on stdout, ``{"token": ..., "urls": {"police": "http://127.0.0.1:...", ...}}``, then serves
until stdin is closed (the parent went away) or SIGTERM/SIGINT arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence

from bench.options import milliseconds
from mocks.faults import FaultConfig
from mocks.runner import MockServers


async def _stdin_closed() -> None:
    """Return once stdin reaches end of file."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    try:
        while await reader.read(4096):
            pass
    finally:
        transport.close()


async def serve(token: str, latency_ms: float) -> None:
    faults = FaultConfig(latency_ms=latency_ms)
    async with MockServers(token=token, faults=faults) as mocks:
        urls = dict(mocks.urls)
        print(json.dumps({"token": token, "urls": urls}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(_stdin_closed())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            for waiter in waiters:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await waiter


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout.mockproc")
    parser.add_argument("--token", required=True, help="bearer token every mock expects")
    parser.add_argument(
        "--latency-ms", type=milliseconds, default=0.0, help="fixed latency per call"
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.token, args.latency_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
