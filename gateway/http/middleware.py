"""Who is calling, decided once per request before GraphQL sees it: token, then rate limit.

A request without a token runs as the anonymous ``PUBLIC`` principal (the permission table
decides what that may see); a request with a bad token is refused with 401 at once; a caller
over its rate gets 429 with ``Retry-After``. The principal is left in ``scope["state"]``.
Anonymous callers are counted by address: the peer's, or the one the operator's trusted proxies
forwarded (``gateway.http.clients``), never one a client wrote itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Protocol

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.ratelimit import RateLimiter
from gateway.auth.tokens import TokenInvalidError, TokenService, bearer_token
from gateway.domain.errors import AuthenticationError, ChakongError, RateLimitedError
from gateway.http.challenge import refusal_headers
from gateway.http.clients import TrustedProxies
from gateway.http.status import masked_error

PRINCIPAL = "principal"  # key in scope["state"]


class RefusalAuditor(Protocol):
    async def refused(
        self, principal: Principal, request_id: str, exc: ChakongError, *, action: str
    ) -> None: ...


class AuthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        tokens: Callable[[], TokenService],
        limiter: Callable[[], RateLimiter],
        auditor: Callable[[], RefusalAuditor | None] = lambda: None,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.app = app
        self.proxies = proxies or TrustedProxies()
        self._tokens = tokens  # built by the lifespan, after the routes
        self._limiter = limiter
        self._auditor = auditor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            principal = self._authenticate(headers)
        except AuthenticationError as exc:
            # bad tokens count against the address's rate, and each refusal is audited
            wait = self._limiter().acquire(self._caller_key(ANONYMOUS, scope))
            if wait > 0:
                await _refuse(RateLimitedError(wait), headers, send)
                return
            auditor = self._auditor()
            if auditor is not None:
                await auditor.refused(ANONYMOUS, uuid.uuid4().hex, exc, action="authenticate")
            await _refuse(exc, headers, send)
            return
        wait = self._limiter().acquire(self._caller_key(principal, scope))
        if wait > 0:
            await _refuse(RateLimitedError(wait), headers, send)
            return
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await self.app(scope, receive, send)

    def _authenticate(self, headers: Headers) -> Principal:
        given = headers.getlist("authorization")
        if len(given) > 1:
            # which one would speak for the caller? Not the first by chance (RFC 9110 5.3:
            # Authorization is not a list)
            raise TokenInvalidError(
                "请求含有多个 Authorization 头：只能带一个令牌",
                "the request has several Authorization headers: send one token",
            )
        token = bearer_token(given[0] if given else None)
        if token is None:
            return ANONYMOUS
        return self._tokens().verify(token)

    def _caller_key(self, principal: Principal, scope: Scope) -> str:
        if principal.authenticated:
            return f"{principal.role.value}:{principal.subject}"
        return f"ip:{self.proxies.client(scope)}"


def error_body(exc: ChakongError) -> bytes:
    """A GraphQL-shaped error document, as every refusal before execution is answered."""
    error = {
        "message": str(exc),
        "extensions": {"code": exc.code, "messageZh": exc.message_zh, "messageEn": exc.message_en},
    }
    return json.dumps({"errors": [masked_error(error)]}, ensure_ascii=False).encode()


def response_media_type(headers: Headers) -> str:
    """``application/graphql-response+json`` if the client accepts it, else the legacy type."""
    accept = headers.get("accept", "")
    if "application/graphql-response+json" in accept:
        return "application/graphql-response+json"
    return "application/json"


async def _refuse(exc: ChakongError, headers: Headers, send: Send) -> None:
    body = error_body(exc)
    status = exc.http_status or 400
    extra = [(k.lower().encode(), v.encode()) for k, v in refusal_headers(status, exc).items()]
    media = response_media_type(headers)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", f"{media}; charset=utf-8".encode()),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
