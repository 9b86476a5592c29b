"""The GraphQL endpoint: GraphQL over HTTP, with a typed context and our own explorer page.

The view follows the GraphQL-over-HTTP specification on both media types. One request, in order:
only GET and POST (405 otherwise); a browser's GET without a query gets the explorer; the answer's
media type is negotiated (``gateway.http.negotiation``); the parameters are read
(``gateway.http.params``); the application's context authenticates the caller; the allow-list
gives the query; GraphQL runs it, and GET may not run a mutation (405, ``Allow: POST``); the
request's audit entries are settled; the status and body follow the rules of
``gateway.http.status``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway import explorer
from gateway.api import build_schema
from gateway.auth.principal import Principal, Role
from gateway.domain.errors import INTERNAL_ERROR_EN, INTERNAL_ERROR_ZH, ChakongError
from gateway.examples import EXAMPLE_QUERY, example_variables_json
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON, JSON, accepts_html, negotiate
from gateway.http.params import MAX_BODY_BYTES, GraphQLParams, read_params
from gateway.http.status import (
    PRIVATE_ANSWER,
    RefusedRequestError,
    bad_request,
    graphql_answer,
    request_error,
)
from gateway.schema.context import Context
from gateway.schema.limits import limit_extensions
from gateway.services.persisted import PersistedOperations
from gateway.settings import LimitSettings

log = logging.getLogger(__name__)


class GatewayGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP for the gateway's schema, with its request limits and allow-list.

    ``context(request)`` is the application's: it authenticates the caller and builds the
    request's ``Context``. A ``ChakongError`` it raises that has an ``http_status`` (401 for a
    bad token) is answered with that status, a coded error and the refusal's headers
    (``gateway.http.challenge``).
    """

    def __init__(
        self,
        context: Callable[[Request], Awaitable[Context]],
        *,
        limits: LimitSettings | None = None,
        persisted: PersistedOperations | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        explorer_headers: str = "",
    ) -> None:
        self.limits = limits or LimitSettings()
        super().__init__(build_schema(limit_extensions(self.limits)))
        self._context = context  # the application's: who is calling, with which services
        if persisted is None:
            file = self.limits.persisted_file
            persisted = PersistedOperations.from_file(file) if file else PersistedOperations({})
        self.persisted = persisted
        self.max_body_bytes = max_body_bytes
        self._page = explorer.explorer_page(
            endpoint="/graphql",
            default_query=EXAMPLE_QUERY,
            default_variables=example_variables_json(),
            default_headers=explorer_headers,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: Response | None) -> Context:  # type: ignore[override]
        return await self._context(request)

    def encode_json(self, data: object) -> str:
        # readable Chinese in raw responses (court systems log them), and a little faster
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)

    # --- one HTTP request -----------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        media = JSON  # until the caller's Accept is known
        try:
            if request.method not in ("GET", "POST"):
                raise RefusedRequestError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "仅支持 GET 与 POST",
                    "only GET and POST are supported",
                    {"Allow": "GET, POST"},
                )
            accept = request.headers.get("accept")
            if request.method == "GET" and self._wants_explorer(request, accept):
                return await self.render_graphql_ide(request)
            negotiated = negotiate(accept)
            if negotiated is None:
                raise RefusedRequestError(
                    406,
                    "NOT_ACCEPTABLE",
                    f"仅能以 {GRAPHQL_RESPONSE_JSON} 或 {JSON} 答复",
                    f"responses are {GRAPHQL_RESPONSE_JSON} or {JSON} only",
                )
            media = negotiated
            params = await read_params(request, self.max_body_bytes)
            context = await self._request_context(request)
            try:
                query = self._query(params, context.principal)
                result = await self._execute(request.method, query, params, context)
                # nothing leaves before its audit entries are committed
                failure = await context.settle()
            finally:
                context.release()
            if failure is not None:
                raise RefusedRequestError.from_error(failure, failure.http_status or 503)
        except RefusedRequestError as refused:
            return self._refusal(refused, media)
        except Exception:
            log.exception("unexpected failure answering a GraphQL request")
            internal = RefusedRequestError(
                500, "INTERNAL_ERROR", INTERNAL_ERROR_ZH, INTERNAL_ERROR_EN
            )
            return self._refusal(internal, media)
        return self._answer(result, media)

    def _wants_explorer(self, request: Request, accept: str | None) -> bool:
        named = ("query", "documentId", "extensions")
        params = request.query_params
        return (
            self.graphql_ide is not None
            and not any(k in params for k in named)
            and (accepts_html(accept))
        )

    async def _request_context(self, request: Request) -> Context:
        try:
            return await self._context(request)
        except ChakongError as exc:
            status = getattr(exc, "http_status", None)
            if isinstance(status, int) and 400 <= status < 600:
                raise RefusedRequestError.from_error(exc, status) from None
            raise

    def _query(self, params: GraphQLParams, principal: Principal) -> str:
        restricted = self.limits.persisted_only and principal.role is Role.COURT_SYSTEM
        try:
            query = self.persisted.resolve(
                params.query, params.extensions, params.document_id, restricted=restricted
            )
        except ChakongError as exc:
            raise RefusedRequestError.from_error(exc, getattr(exc, "http_status", 400)) from None
        if query is None:
            raise bad_request(
                "MISSING_QUERY", "请求中没有 GraphQL 查询", "the request has no GraphQL query"
            )
        return query

    async def _execute(
        self, method: str, query: str, params: GraphQLParams, context: Context
    ) -> ExecutionResult:
        allowed = {OperationType.QUERY}
        if method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            return await self.schema.execute(
                query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as exc:
            if method == "GET" and exc.operation_type is OperationType.MUTATION:
                raise RefusedRequestError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "变更操作只能用 POST 发送",
                    "mutations must be sent with POST",
                    {"Allow": "POST"},
                ) from None
            return request_error(
                "OPERATION_TYPE_NOT_ALLOWED",
                f"不支持该类操作：{exc.operation_type.value}",
                f"{exc.operation_type.value} operations are not supported here",
            )
        except CannotGetOperationTypeError:
            return request_error(
                "OPERATION_NOT_FOUND",
                "无法确定要执行的操作：请检查 operationName",
                "cannot tell which operation to run: check operationName",
            )
        except MissingQueryError:
            raise bad_request(
                "MISSING_QUERY", "请求中没有 GraphQL 查询", "the request has no GraphQL query"
            ) from None

    # --- answers ----------------------------------------------------------------------------

    def _answer(self, result: ExecutionResult, media: str) -> Response:
        body, status, headers = graphql_answer(result, media)
        return self._response(body, status, media, headers)

    def _refusal(self, refused: RefusedRequestError, media: str) -> Response:
        return self._response({"errors": [refused.error()]}, refused.status, media, refused.headers)

    def _response(
        self,
        body: dict[str, Any],
        status: int,
        media: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        try:
            content = orjson.dumps(body)  # UTF-8, compact, as encode_json's but in C
        except (orjson.JSONEncodeError, TypeError):  # what orjson will not write
            try:
                content = self.encode_json(body).encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates the caller sent, echoed in a message
                content = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        return Response(
            content,
            status_code=status,
            # an answer holds a debtor's assets, as a report does: never kept by a cache
            headers={**PRIVATE_ANSWER, **(headers or {})},
            media_type=f"{media}; charset=utf-8",
        )


__all__ = ["GatewayGraphQL"]
