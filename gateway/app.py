"""The gateway application: ``create_app(settings)`` returns a Starlette app.

Shared resources (the HTTP client, the cache, the connectors, the database engine) are opened
in the lifespan and closed on exit; nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from connectors.base import AgencyEndpoint, Connector, ControlConnector, SourceConnector
from connectors.client import ReadClient
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from connectors.resilience import CircuitBreaker
from connectors.wire import WireReads
from gateway import explorer
from gateway.auth.principal import ANONYMOUS
from gateway.auth.ratelimit import RateLimiter
from gateway.auth.tokens import TokenService, demo_auth
from gateway.domain.calendar import CalendarOverrides, DayUnit, Deadline, WorkingCalendar
from gateway.domain.control_rules import ControlLimits
from gateway.domain.deadlines import PROFILES, DeadlineKind, ProfileName
from gateway.domain.errors import ChakongError
from gateway.domain.lifecycle import Rules
from gateway.http.clients import TrustedProxies
from gateway.http.middleware import PRINCIPAL, AuthMiddleware
from gateway.http.report import ReportEndpoint
from gateway.http.status import http_exception
from gateway.http.view import GatewayGraphQL
from gateway.schema.context import Context
from gateway.services.audit import AuditLog
from gateway.services.audit_checkpoint import (
    CheckpointError,
    CheckpointSigner,
    CheckpointWriter,
    load_private_key,
    seeded_private_key,
)
from gateway.services.auditing import Auditor
from gateway.services.cache import RecordCache
from gateway.services.cases import CaseRegister
from gateway.services.controls import ControlPolicy, ControlService
from gateway.services.fanout import FanOut, Source, SourcePolicy
from gateway.services.freezes import FreezeDesk
from gateway.services.inquiry import InquiryLimits, InquiryService
from gateway.services.listing import ListingService
from gateway.services.reconciler import reconcile_forever
from gateway.settings import DEMO_SECRET, AgencySettings, AuthSettings, ListingSettings, Settings
from gateway.store import DatabaseURLError, checked_database_url, open_direct_engine, open_engine
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
    listing: ListingService
    controls: ControlService
    freezes: FreezeDesk


# the agencies' connections: at most this many in use at once, an idle one kept this long; a
# connection is given this long to open, and an answer may fall silent this long (backstops:
# the fan-out's deadline bounds every read, and the control policy every control)
AGENCY_CONNECTIONS = 200
AGENCY_KEEPALIVE_S = 5.0
AGENCY_CONNECT_TIMEOUT_S = 30.0
AGENCY_READ_TIMEOUT_S = 30.0


def agency_http() -> tuple[httpx.AsyncClient, aiohttp.ClientSession]:
    """The gateway's HTTP to the agencies for everything but the reads (controls, status
    look-ups): an httpx client over one aiohttp session. No cookies are kept between calls.
    Closing the httpx client closes the session. Call it in a running event loop."""
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=AGENCY_CONNECTIONS, keepalive_timeout=AGENCY_KEEPALIVE_S, ssl=agency_tls()
        ),
        timeout=aiohttp.ClientTimeout(
            total=None, sock_connect=AGENCY_CONNECT_TIMEOUT_S, sock_read=AGENCY_READ_TIMEOUT_S
        ),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    http = httpx.AsyncClient(
        # the session's connector does the TLS; the transport would otherwise build a context
        # of its own (loading a CA bundle, about 30 ms) that it never uses with a session given
        transport=AiohttpTransport(client=session, verify=agency_tls()),
        timeout=AGENCY_READ_TIMEOUT_S,
    )
    return http, session


@functools.cache
def agency_tls() -> ssl.SSLContext:
    """The TLS of every connection to an agency, reads (``agency_reads``) and controls
    (``agency_http``) alike: certificates and host names verified against the machine's CA
    store (where a court's IT adds the CA of the government network), or the bundle
    ``SSL_CERT_FILE`` names (``tests/gateway/test_agency_tls.py``). Built once per process:
    loading the CAs takes about 30 ms."""
    return ssl.create_default_context()


def agency_reads() -> WireReads:
    """The read side's ``POST /v1/inquiries``, on the gateway's own HTTP/1.1 connections
    (``connectors.wire``): about half the CPU of aiohttp's per call. Call it in a running event
    loop; ``close()`` it when done."""
    return WireReads(
        ssl_context=agency_tls(),
        limit=AGENCY_CONNECTIONS,
        keepalive_s=AGENCY_KEEPALIVE_S,
        connect_timeout_s=AGENCY_CONNECT_TIMEOUT_S,
        read_timeout_s=AGENCY_READ_TIMEOUT_S,
    )


def build_sources(
    settings: Settings, http: httpx.AsyncClient, reads: ReadClient | None = None
) -> tuple[dict[str, Source], list[SourceConnector]]:
    """A source (connector, policies, breaker) for each agency that has a URL; the connectors
    read through ``reads`` (by default through ``http``)."""
    sources: dict[str, Source] = {}
    connectors: list[SourceConnector] = []
    for spec in AGENCIES:
        conf = settings.agency(spec.name)
        if not conf.url:
            continue  # NOT_CONFIGURED
        endpoint = AgencyEndpoint(conf.url, conf.token.get_secret_value(), conf.max_batch)
        connector = (spec.connector or HttpConnector)(spec, endpoint, http, reads)
        connectors.append(connector)
        sources[spec.name] = Source(connector, _policy(conf), _breaker(conf))
    return sources, connectors


def inquiry_limits(settings: Settings) -> InquiryLimits:
    return InquiryLimits(
        default_deadline_ms=settings.default_deadline_ms,
        max_deadline_ms=settings.max_deadline_ms,
        max_batch_subjects=settings.max_batch_subjects,
    )


def control_connectors(connectors: list[SourceConnector]) -> dict[str, ControlConnector]:
    """The connectors of the agencies that take controls, by agency."""
    return {
        c.agency: c
        for c in connectors
        if isinstance(c, Connector) and AGENCIES.spec(c.agency).controls
    }


def control_policy(settings: Settings) -> ControlPolicy:
    conf = settings.controls
    return ControlPolicy(
        limits=ControlLimits(excess_margin=conf.excess_margin),
        approval_above=conf.approval_above,
        idempotency_days=conf.idempotency_days,
        attempt_timeout_s=conf.attempt_timeout_s,
        pending_grace_s=conf.pending_grace_s,
        reconcile_batch=conf.reconcile_batch,
    )


def _policy(conf: AgencySettings) -> SourcePolicy:
    return SourcePolicy(
        attempt_timeout_s=conf.attempt_timeout_s,
        attempt_timeout_per_subject_s=conf.attempt_timeout_per_subject_s,
        max_attempts=conf.max_attempts,
        backoff_base_s=conf.backoff_base_s,
        cache_ttl_s=conf.cache_ttl_s,
        max_batch=conf.max_batch,
        hedge=conf.hedge,
    )


def _breaker(conf: AgencySettings) -> CircuitBreaker:
    return CircuitBreaker(conf.breaker_failures, conf.breaker_reset_s)


@contextlib.asynccontextmanager
async def open_resources(
    settings: Settings, key: bytes, signer: CheckpointSigner | None = None
) -> AsyncIterator[Resources]:
    """The shared resources; ``key`` chains the audit log (see ``audit_key``); with a
    ``signer`` and ``audit_checkpoint_dir``, signed checkpoints are written on a schedule. The
    agencies' HTTP session and connections are closed however the rest fails to open (a
    database URL with no driver, say), so they are never left for the collector to complain
    about."""
    http, session = agency_http()
    reads = agency_reads()
    try:
        async with _open_resources(settings, key, signer, http, reads) as resources:
            yield resources
    finally:
        await reads.close()
        await http.aclose()
        await session.close()


@contextlib.asynccontextmanager
async def _open_resources(
    settings: Settings,
    key: bytes,
    signer: CheckpointSigner | None,
    http: httpx.AsyncClient,
    reads: ReadClient,
) -> AsyncIterator[Resources]:
    cache = RecordCache.from_url(settings.cache_url, max_entries=settings.cache_max_entries)
    engine = open_engine(settings.database_url)
    if await database_ready(engine):
        await upgrade(engine)  # the register and the audit log's tables, idempotent
    else:
        log.warning("the database at %s is not reachable; /readyz reports it", engine.url)
    sources, connectors = build_sources(settings, http, reads)
    fanout = FanOut(sources, cache)
    inquiries = InquiryService(fanout, inquiry_limits(settings))
    # one per engine: its units share one writer lock; on a SQLite file, audit groups are
    # written in one go on its writer thread (``open_direct_engine``)
    store = Store(engine, open_direct_engine(settings.database_url))
    audit_log = AuditLog(store, key)
    auditor = Auditor(audit_log, store)
    controls = ControlService(
        store, auditor, control_connectors(connectors), control_policy(settings)
    )
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
        listing=ListingService(
            store,
            auditor,
            listing_rules(settings.listing),
            higher_courts=settings.listing.higher_courts,
            lead_after_days=settings.listing.lead_after_days,
        ),
        controls=controls,
        freezes=FreezeDesk(store, controls, limits=controls.policy.limits),
    )
    interval = settings.controls.reconcile_interval_s
    reconciler = (
        asyncio.create_task(reconcile_forever(controls, interval), name="reconciler")
        if interval > 0
        else None
    )
    checkpoints = None
    if signer is not None and settings.audit_checkpoint_dir:
        checkpoints = CheckpointWriter(
            audit_log,
            signer,
            settings.audit_checkpoint_dir,
            settings.audit_checkpoint_interval_s,
        )
        checkpoints.start()
    try:
        yield resources
    finally:
        if checkpoints is not None:
            await checkpoints.stop()
        if reconciler is not None:
            reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reconciler
        await auditor.aclose()  # the entries still queued are written before the store closes
        await fanout.aclose()
        for connector in connectors:
            await connector.aclose()
        await cache.aclose()
        await store.aclose()
        await engine.dispose()


async def database_ready(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # the kind is enough: a traceback here is noise for an operator
        log.warning("database check failed: %s", type(exc).__name__)
        return False
    return True


class ConfigurationError(ValueError):
    """The settings cannot run a gateway; the message says what to set."""


def check_database_url(database_url: str) -> None:
    """``ConfigurationError`` when ``database_url`` cannot work (``checked_database_url``), said
    before the server starts rather than as the lifespan's traceback."""
    try:
        checked_database_url(database_url)
    except DatabaseURLError as exc:
        raise ConfigurationError(str(exc)) from None


def listing_rules(settings: ListingSettings) -> Rules:
    """The list's deadlines (the profile, with the configured overrides) and its calendar."""
    overrides: dict[DeadlineKind, Deadline | None] = {}
    for name, conf in settings.deadlines.items():
        try:
            kind = DeadlineKind(name.upper())
        except ValueError:
            known = ", ".join(k.value for k in DeadlineKind)
            raise ConfigurationError(
                f"未知的名单期限 {name!r}；可用：{known} / "
                f"unknown list deadline {name!r}; known: {known}"
            ) from None
        overrides[kind] = (
            None if conf is None else Deadline(conf.days, DayUnit(conf.unit), conf.source)
        )
    profile = PROFILES[ProfileName(settings.profile)].with_overrides(overrides)
    try:
        calendar = (
            CalendarOverrides.load(settings.calendar_file)
            if settings.calendar_file
            else CalendarOverrides()
        )
    except ChakongError as exc:
        raise ConfigurationError(str(exc)) from None
    return Rules(profile, WorkingCalendar(calendar))


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


# the demo's checkpoint key: derived from its public secret, so as public as it
DEMO_CHECKPOINT_SEED = b"chakong demo checkpoint key\n" + DEMO_SECRET.get_secret_value().encode()


def checkpoint_signer(settings: Settings, *, required: bool = False) -> CheckpointSigner | None:
    """The signer of the audit log's checkpoints: ``audit_signing_key_file``, else the demo's
    fixed key in demo mode. ``ConfigurationError`` when the key file cannot be read, or when
    none is set and a signer is ``required`` or checkpoints are to be written on a schedule."""
    path = settings.audit_signing_key_file
    if path:
        try:
            key = load_private_key(path)
        except CheckpointError as exc:
            raise ConfigurationError(str(exc)) from None
        return CheckpointSigner(key, settings.audit_log_name)
    if settings.demo:
        return CheckpointSigner(seeded_private_key(DEMO_CHECKPOINT_SEED), settings.audit_log_name)
    if required or settings.audit_checkpoint_dir:
        raise ConfigurationError(
            "未配置检查点签名密钥：请设置 CHAKONG_AUDIT_SIGNING_KEY_FILE（用 chakong audit keygen "
            "生成） / no checkpoint signing key: set CHAKONG_AUDIT_SIGNING_KEY_FILE (make one "
            "with chakong audit keygen)"
        )
    return None


def create_app(settings: Settings, *, explorer_headers: str = "") -> Starlette:
    """The gateway; ``explorer_headers`` (JSON) pre-fills the explorer's headers (the demo's
    judge token)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_resources(settings, key, signer) as resources:
            app.state.resources = resources
            yield

    tokens = TokenService(auth_settings(settings))
    key = audit_key(settings)  # a missing key fails now, not at start-up or the first request
    signer = checkpoint_signer(settings)
    listing_rules(settings.listing)  # so does a bad deadline or calendar file
    check_database_url(settings.database_url)  # and a database URL that cannot work
    limiter = RateLimiter(settings.limits.rate_per_minute, settings.limits.rate_burst)
    # the router's own refusals (404, 405) answered in the coded shape of every other refusal
    app = Starlette(lifespan=lifespan, exception_handlers={HTTPException: http_exception})

    async def context(request: Request) -> Context:
        resources: Resources = app.state.resources
        return Context(
            inquiries=resources.inquiries,
            principal=request.scope.get("state", {}).get(PRINCIPAL, ANONYMOUS),
            cases=resources.cases,
            auditor=resources.auditor,
            audit_log=resources.audit_log,
            listing=resources.listing,
            controls=resources.controls,
            freezes=resources.freezes,
        )

    graphql = GatewayGraphQL(
        context, limits=settings.request_limits, explorer_headers=explorer_headers
    )
    proxies = TrustedProxies(settings.trusted_proxies)  # whose X-Forwarded-For is believed
    guarded = AuthMiddleware(
        graphql, lambda: tokens, lambda: limiter, lambda: app.state.resources.auditor, proxies
    )
    report = AuthMiddleware(
        ReportEndpoint(context),
        lambda: tokens,
        lambda: limiter,
        lambda: app.state.resources.auditor,
        proxies,
    )
    app.router.routes.extend(
        [
            Route("/", _home),
            # every method reaches the view, which answers its own coded 405 (Allow: GET, POST)
            Route("/graphql", guarded),
            # GET only, not the HEAD Starlette adds to it: a HEAD would run the whole inquiry
            # (audit entries, every agency asked, a PDF printed) to send no body; the router
            # answers it, before the token is read, with the coded 405 and `Allow: GET`
            _get_only(Route("/report", report, methods=["GET"])),
            Route("/healthz", _healthz),
            Route("/readyz", _readyz),
            *explorer.explorer_routes(),
        ]
    )
    app.state.settings = settings
    return app


def _get_only(route: Route) -> Route:
    route.methods = {"GET"}  # Route() adds HEAD to every GET route
    return route


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
