"""Real HTTP servers on loopback, inside the running asyncio event loop.

``AppServer`` serves any ASGI app with uvicorn on a socket it binds itself (port 0: an
ephemeral port, known before the server starts). Several servers share one loop, so uvicorn
must not take over SIGINT/SIGTERM: the process that owns the loop owns the signals.
``MockServers`` starts the mock of each agency on its own port.

    async with MockServers(["police", "bank"], token="t") as mocks:
        mocks.urls["police"]   # http://127.0.0.1:54321
        await mocks.stop("police")   # the police are down; the bank is not
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import socket
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from mocks.faults import ControlFaultConfig, FaultConfig
from mocks.registry import MOCK_AGENCIES
from mocks.server import create_mock_app

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_POLL_S = 0.005


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone, and stops as soon as
    it is told to.

    uvicorn's own loop looks at ``should_exit`` every 0.1 s, and its shutdown waits 0.1 s
    after asking the connections to close, then again in steps of 0.1 s while any is open:
    made for a process that stops once. Servers embedded in a loop start and stop often (the
    test suite starts thousands, the demo stops eleven on Ctrl-C), and those waits were most
    of the time a stop took. Here ``exit()`` wakes the loop at once, and the shutdown takes
    the same steps as uvicorn's (stop accepting, ask every connection to close, wait for the
    connections and the requests' tasks within ``timeout_graceful_shutdown``, then cancel
    what is left, then the app's lifespan shutdown) but looks every few milliseconds.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def exit(self) -> None:
        """Stop serving: the main loop notices now, not at its next tick."""
        self.should_exit = True
        self._exit.set()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):  # the tick: the Date header, once a second
                    await self._exit.wait()
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle ones close now, busy ones after their answer
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                # uvicorn's sets of connections and tasks have no event to wait on
                while (state.connections or state.tasks) and not self.force_exit:  # noqa: ASYNC110
                    await asyncio.sleep(SHUTDOWN_POLL_S)
                for server in self.servers:
                    await server.wait_closed()
        except TimeoutError:
            logging.getLogger(__name__).error(
                "cancelling %d request(s) still running after the graceful shutdown's %s s",
                len(state.tasks),
                self.config.timeout_graceful_shutdown,
            )
            for task in state.tasks:
                task.cancel(msg="the graceful shutdown's time is up")
        if not self.force_exit:
            await self.lifespan.shutdown()


class AppServer:
    """One ASGI app served over HTTP on ``host``, in the current event loop.

    ``stop()`` is graceful but bounded: requests still running after ``shutdown_timeout``
    seconds (a hung request whose client never leaves) are cancelled.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        shutdown_timeout: float = 2.0,
        log_config: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.log_level = log_level
        self.shutdown_timeout = shutdown_timeout
        self.log_config = log_config  # None: leave the process's logging configuration alone
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running; await start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the server was already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket says TCP; without it every keep-alive answer waits ~40 ms (Nagle)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level=self.log_level,
            log_config=self.log_config,
            access_log=False,
            lifespan="auto",
            timeout_graceful_shutdown=max(1, math.ceil(self.shutdown_timeout)),
        )
        self._server = server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._serve(server, sock), name=f"uvicorn {self.url}")
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT_S):
                while not server.started:
                    if self._task.done():
                        break
                    await asyncio.sleep(0.01)
        except TimeoutError:
            await self.stop()
            raise RuntimeError(f"the server at {self.url} did not start in time") from None
        if not server.started:
            sock.close()
            failure = self._task.exception() if not self._task.cancelled() else None
            raise RuntimeError(f"the server at {self.url} failed to start") from failure

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            await server.serve(sockets=[sock])
        except SystemExit as exc:
            # uvicorn exits the process when the app's startup fails; here that would take
            # down the event loop and every other server in it
            raise RuntimeError(f"uvicorn stopped with exit status {exc.code}") from None

    async def stop(self) -> None:
        """Stop serving: close the socket, let running requests finish, within bounds."""
        server, task = self._server, self._task
        if server is None or task is None or task.done():
            return
        server.exit()
        try:
            async with asyncio.timeout(self.shutdown_timeout + 1.0):
                await asyncio.shield(task)
        except TimeoutError:
            logging.getLogger(__name__).warning("forcing %s to stop", self.url)
            server.force_exit = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


def _agency_seed(seed: int, agency: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{agency}".encode()).digest()[:8], "big")


class MockServers:
    """The mocks of several agencies, each on its own loopback port.

    Each agency once (``ValueError`` for a duplicate). ``token``, ``faults`` and
    ``control_faults`` are one for all or one per agency;
    ``fault_seed`` seeds each agency's fault draws differently (agencies do not fail in
    lockstep), reproducibly. ``apps[agency].state.mock.ledger`` is an agency's ledger.
    """

    def __init__(
        self,
        agencies: Iterable[str] | None = None,
        *,
        token: str | Mapping[str, str],
        faults: FaultConfig | Mapping[str, FaultConfig] | None = None,
        fault_seed: int | None = None,
        control_faults: ControlFaultConfig | Mapping[str, ControlFaultConfig] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.agencies = tuple(MOCK_AGENCIES if agencies is None else agencies)
        named = [agency.lower() for agency in self.agencies]
        if twice := sorted({agency for agency in named if named.count(agency) > 1}):
            # one app and one server per agency: a second would replace the first, unseen
            raise ValueError(f"单位重复 / duplicate agency: {', '.join(twice)}")
        self.apps: dict[str, Starlette] = {}
        self.servers: dict[str, AppServer] = {}
        for agency in self.agencies:
            self.apps[agency] = create_mock_app(
                agency,
                token=token if isinstance(token, str) else token[agency],
                faults=faults.get(agency) if isinstance(faults, Mapping) else faults,
                fault_seed=None if fault_seed is None else _agency_seed(fault_seed, agency),
                control_faults=(
                    control_faults.get(agency)
                    if isinstance(control_faults, Mapping)
                    else control_faults
                ),
            )
            self.servers[agency] = AppServer(self.apps[agency], host=host)

    @property
    def urls(self) -> dict[str, str]:
        return {agency: server.url for agency, server in self.servers.items()}

    async def start(self) -> None:
        """Start every agency's server, together; if any fails, stop the others and raise."""
        started = await asyncio.gather(
            *(server.start() for server in self.servers.values()), return_exceptions=True
        )
        failed = [result for result in started if isinstance(result, BaseException)]
        if failed:
            await self.aclose()
            raise failed[0]

    async def stop(self, agency: str) -> None:
        """Take one agency down; its URL then refuses connections."""
        self.apps[agency].state.mock.stopping = True  # end its hung requests now
        await self.servers[agency].stop()

    async def aclose(self) -> None:
        await asyncio.gather(*(self.stop(agency) for agency in self.servers))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
