"""How uvicorn serves the gateway: forwarded headers believed only from the trusted proxies.

uvicorn believes ``X-Forwarded-For`` from loopback by default (``proxy_headers``,
``forwarded_allow_ips``): any local client, or anything relayed through a local process, could
then choose the address it is counted as. Both ``chakong serve`` and ``chakong demo`` run
uvicorn with ``uvicorn_options(settings)`` instead: proxy headers off unless
``settings.trusted_proxies`` names proxies, and then believed from those only.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn

from gateway.settings import Settings
from mocks.runner import AppServer


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for forwarded headers, from ``settings.trusted_proxies``."""
    proxies = list(settings.trusted_proxies)
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or ""}


class GatewayServer(AppServer):
    """The demo's gateway on an embedded uvicorn (``AppServer``), with ``uvicorn_options``."""

    def __init__(self, app: Any, settings: Settings) -> None:
        super().__init__(app, host=settings.host, port=settings.port)
        self.options = uvicorn_options(settings)

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        # AppServer builds the uvicorn configuration itself; it is loaded when serving starts
        for name, value in self.options.items():
            setattr(server.config, name, value)
        await super()._serve(server, sock)
