"""How uvicorn serves the gateway: forwarded headers believed only from the trusted proxies.

uvicorn believes ``X-Forwarded-For`` from loopback by default (``proxy_headers``,
``forwarded_allow_ips``): any local client, or anything relayed through a local process, could
then choose the address it is counted as. Both ``chakong serve`` and ``chakong demo`` run
uvicorn with ``uvicorn_options(settings)`` instead: proxy headers off unless
``settings.trusted_proxies`` names proxies, and then believed from those only (the demo's
embedded server: ``gateway.demo.GatewayServer``).
"""

from __future__ import annotations

from typing import Any

from gateway.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for forwarded headers, from ``settings.trusted_proxies``."""
    proxies = list(settings.trusted_proxies)
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or ""}
