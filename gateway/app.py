"""The gateway application: ``create_app(settings)`` returns a Starlette app.

Shared resources (the HTTP client, the cache, the connectors, the database engine) are opened
in the lifespan and closed on exit; nothing connects at import time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from httpx_aiohttp import AiohttpTransport
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from connectors.base import AgencyEndpoint, SourceConnector
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from connectors.resilience import CircuitBreaker
from gateway import explorer
from gateway.auth.principal import ANONYMOUS
from gateway.auth.ratelimit import RateLimiter
from gateway.auth.tokens import TokenService, demo_auth
from gateway.http.middleware import PRINCIPAL, AuthMiddleware
from gateway.http.report import ReportEndpoint
from gateway.http.view import GatewayGraphQL
from gateway.schema.context import Context
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.cache import RecordCache
from gateway.services.cases import CaseRegister
from gateway.services.fanout import FanOut, Source, SourcePolicy
from gateway.services.inquiry import InquiryLimits, InquiryService
from gateway.settings import DEMO_SECRET, AgencySettings, AuthSettings, Settings
from gateway.store import configure_sqlite
from gateway.store.migrate import upgrade
from gateway.store.unit import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Resources:
    """What the lifespan opens; handlers reach it through ``app.state.resources``."""

    http: httpx.AsyncClient
    cache: RecordCache
    engine: AsyncEngine
    store: Store
    fanout: FanOut
    inquiries: InquiryService
    connectors: list[SourceConnector]
    cases: CaseRegister
    audit_log: AuditLog
    auditor: Auditor


def build_sources(
    settings: Settings, http: httpx.AsyncClient
) -> tuple[dict[str, Source], list[SourceConnector]]:
    """A source (connector, policies, breaker) for each agency that has a URL."""
    sources: dict[str, Source] = {}
    connectors: list[SourceConnector] = []
    for spec in AGENCIES:
        conf = settings.agency(spec.name)
        if not conf.url:
            continue  # NOT_CONFIGURED
        endpoint = AgencyEndpoint(conf.url, conf.token.get_secret_value(), conf.max_batch)
        connector = (spec.connector or HttpConnector)(spec, endpoint, http)
        connectors.append(connector)
        sources[spec.name] = Source(connector, _policy(conf), _breaker(conf))
    return sources, connectors


def inquiry_limits(settings: Settings) -> InquiryLimits:
    return InquiryLimits(
        default_deadline_ms=settings.default_deadline_ms,
        max_deadline_ms=settings.max_deadline_ms,
        max_batch_subjects=settings.max_batch_subjects,
    )


def _policy(conf: AgencySettings) -> SourcePolicy:
    return SourcePolicy(
        attempt_timeout_s=conf.attempt_timeout_s,
        max_attempts=conf.max_attempts,
        backoff_base_s=conf.backoff_base_s,
        cache_ttl_s=conf.cache_ttl_s,
        max_batch=conf.max_batch,
        hedge=conf.hedge,
    )


def _breaker(conf: AgencySettings) -> CircuitBreaker:
    return CircuitBreaker(conf.breaker_failures, conf.breaker_reset_s)


@contextlib.asynccontextmanager
async def open_resources(settings: Settings, key: bytes) -> AsyncIterator[Resources]:
    """The shared resources; ``key`` chains the audit log (see ``audit_key``)."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    http = httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=30.0)
    cache = RecordCache.from_url(settings.cache_url)
    engine = create_async_engine(settings.database_url)
    configure_sqlite(engine)
    if await database_ready(engine):
        await upgrade(engine)  # the register and the audit log's tables, idempotent
    else:
        log.warning("the database at %s is not reachable; /readyz reports it", engine.url)
    sources, connectors = build_sources(settings, http)
    fanout = FanOut(sources, cache)
    inquiries = InquiryService(fanout, inquiry_limits(settings))
    store = Store(engine)  # one per engine: its units share one writer lock
    audit_log = AuditLog(store, key)
    auditor = Auditor(audit_log)
    resources = Resources(
        http,
        cache,
        engine,
        store,
        fanout,
        inquiries,
        connectors,
        cases=CaseRegister(store, auditor),
        audit_log=audit_log,
        auditor=auditor,
    )
    try:
        yield resources
    finally:
        await fanout.aclose()
        for connector in connectors:
            await connector.aclose()
        await http.aclose()
        await cache.aclose()
        await engine.dispose()


async def database_ready(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        log.warning("database check failed", exc_info=True)
        return False
    return True


class ConfigurationError(ValueError):
    """The settings cannot run a gateway; the message says what to set."""


def auth_settings(settings: Settings) -> AuthSettings:
    """The token keys; the demo's fixed key in demo mode; none configured is an error."""
    if settings.auth.keys:
        return settings.auth
    if settings.demo:
        return demo_auth()
    raise ConfigurationError(
        "未配置令牌密钥：请设置 CHAKONG_AUTH__KEYS__<kid>（至少32个字符） / no token keys: set "
        "CHAKONG_AUTH__KEYS__<kid> (32 characters or more)"
    )


def audit_key(settings: Settings) -> bytes:
    key = settings.audit_key.get_secret_value()
    if key:
        return key.encode()
    if settings.demo:
        return DEMO_SECRET.get_secret_value().encode()
    raise ConfigurationError(
        "未配置审计密钥：请设置 CHAKONG_AUDIT_KEY / no audit key: set CHAKONG_AUDIT_KEY"
    )


def create_app(settings: Settings, *, explorer_headers: str = "") -> Starlette:
    """The gateway; ``explorer_headers`` (JSON) pre-fills the explorer's headers (the demo's
    judge token)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_resources(settings, key) as resources:
            app.state.resources = resources
            yield

    tokens = TokenService(auth_settings(settings))
    key = audit_key(settings)  # a missing key fails now, not at start-up or the first request
    limiter = RateLimiter(settings.limits.rate_per_minute, settings.limits.rate_burst)
    app = Starlette(lifespan=lifespan)

    async def context(request: Request) -> Context:
        resources: Resources = app.state.resources
        return Context(
            inquiries=resources.inquiries,
            principal=request.scope.get("state", {}).get(PRINCIPAL, ANONYMOUS),
            cases=resources.cases,
            auditor=resources.auditor,
            audit_log=resources.audit_log,
        )

    graphql = GatewayGraphQL(
        context, limits=settings.request_limits, explorer_headers=explorer_headers
    )
    guarded = AuthMiddleware(
        graphql, lambda: tokens, lambda: limiter, lambda: app.state.resources.auditor
    )
    report = AuthMiddleware(
        ReportEndpoint(context),
        lambda: tokens,
        lambda: limiter,
        lambda: app.state.resources.auditor,
    )
    app.router.routes.extend(
        [
            Route("/", _home),
            Route("/graphql", guarded, methods=["GET", "POST"]),
            Route("/report", report, methods=["GET"]),
            Route("/healthz", _healthz),
            Route("/readyz", _readyz),
            *explorer.explorer_routes(),
        ]
    )
    app.state.settings = settings
    return app


async def _home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


async def _healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _readyz(request: Request) -> JSONResponse:
    """Ready when the database and the cache answer; a down agency does not make us unready."""
    resources: Resources = request.app.state.resources
    checks = {"database": "ok" if await database_ready(resources.engine) else "down"}
    checks["cache"] = "ok" if await resources.cache.ping() else "down"
    breakers = {
        agency: source.breaker.state.value for agency, source in resources.fanout.sources.items()
    }
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks, "circuits": breakers}
    return JSONResponse(body, status_code=200 if ready else 503)
