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

from starlette.applications import Starlette

from gateway.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for forwarded headers, from ``settings.trusted_proxies``."""
    proxies = list(settings.trusted_proxies)
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or ""}


def worker_app() -> Starlette:
    """One worker of ``chakong serve --workers N``: the gateway built from the environment,
    the garbage collector and the thread switch interval tuned for it (``gateway.runtime``)."""
    from gateway.app import create_app
    from gateway.runtime import tune_gc, tune_threads

    settings = Settings()
    app = create_app(settings)
    tune_gc(freeze=settings.gc_freeze, young_threshold=settings.gc_young_threshold)
    tune_threads(switch_interval_ms=settings.switch_interval_ms)
    return app


async def migrate_once(database_url: str) -> None:
    """Bring the database's schema up to date before the workers start (each would otherwise
    try at once); a database that cannot be reached is left to the workers' ``/readyz``."""
    from gateway.app import database_ready
    from gateway.store import open_engine
    from gateway.store.migrate import upgrade

    engine = open_engine(database_url)
    try:
        if await database_ready(engine):
            await upgrade(engine)
    finally:
        await engine.dispose()
