"""Helpers for the HTTP tests: a view in process, a client for it, and error-body checks.

The view runs in process (httpx's ASGI transport) with no agency configured, so every
inquiry is a fast NOT_CONFIGURED; ``make_view`` lets a test choose the caller.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from gateway.auth.principal import ANONYMOUS, Principal, Role
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON
from gateway.http.view import GatewayGraphQL
from gateway.schema.context import Context
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut
from gateway.services.inquiry import InquiryLimits, InquiryService
from gateway.services.persisted import PersistedOperations
from gateway.settings import LimitSettings

CASE = "(2026)苏0802执123号"
GR = GRAPHQL_RESPONSE_JSON
JUDGE = Principal(Role.JUDGE, subject="judge-7", court="苏0802", judge="j7")

DEBTOR = """
query Debtor($subject: SubjectInput!, $case: String!) {
  debtor(subject: $subject, caseNumber: $case, agencies: [POLICE]) {
    subject { id }
    sources { agency status }
  }
}
"""


def service() -> InquiryService:
    return InquiryService(FanOut({}, RecordCache.from_url("memory://")), InquiryLimits())


def make_view(
    principal: Principal = ANONYMOUS,
    *,
    limits: LimitSettings | None = None,
    persisted: PersistedOperations | None = None,
    refuse: Exception | None = None,
) -> GatewayGraphQL:
    inquiries = service()

    async def context(request: Request) -> Context:
        if refuse is not None:
            raise refuse
        return Context(inquiries=inquiries, principal=principal)

    return GatewayGraphQL(context, limits=limits, persisted=persisted)


def asgi_client(view: GatewayGraphQL) -> httpx.AsyncClient:
    # every method reaches the view, so its own 405 can be checked
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    app = Starlette(routes=[Route("/graphql", view, methods=methods)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def post(client: httpx.AsyncClient, body: Any, accept: str | None = GR, **headers: str):
    if accept is not None:
        headers["accept"] = accept
    return client.post("/graphql", json=body, headers=headers)


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def assert_error_body(response: httpx.Response, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert "data" not in body
    assert code_of(response) == code
    message = body["errors"][0]["message"]
    assert " / " in message  # 中文 / English
    return body
