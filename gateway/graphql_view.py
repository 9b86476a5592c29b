"""The GraphQL endpoint: GraphQL over HTTP, with a typed context and our own explorer page.

The view follows the GraphQL-over-HTTP specification on both media types:

* the answer's media type comes from ``Accept``: ``application/graphql-response+json`` when the
  caller names it (and prefers it), ``application/json`` otherwise, including for ``*/*`` and a
  missing ``Accept``; 406 when neither is acceptable. ``Content-Type`` always says utf-8.
* a POST body must be ``application/json`` (415 otherwise) holding one JSON object; bad JSON,
  a missing ``query`` or wrongly typed parameters are 400. GET may not run a mutation (405,
  ``Allow: POST``).
* a request error (the document does not parse or validate, the variables do not coerce, a
  request limit is exceeded) has no ``data`` key: 400 under ``application/graphql-response+json``,
  200 under legacy ``application/json``; a refusal before execution whose error wraps a
  ``ChakongError`` with an ``http_status`` (401, 403) has that status on both. A response with
  ``data`` is 200, even ``null`` after a field error, except where every error is a gateway
  refusal with a status (a case-scoped 403, a 503): then nothing was answered, and the status
  says why.

Every error body is GraphQL-shaped, ``{"errors": [{"message", "extensions": {"code"}}]}``, and
never carries a stack trace: an unexpected failure is logged and answered with a masked message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from gateway import explorer
from gateway.auth.principal import Principal, Role
from gateway.domain.errors import ChakongError
from gateway.examples import EXAMPLE_QUERY, example_variables_json
from gateway.resolvers.context import Context
from gateway.schema import build_schema
from gateway.schema.limits import limit_extensions
from gateway.services.persisted import PersistedOperations
from gateway.settings import LimitSettings

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1 << 20  # a batch of 500 debtors is about 40 KB
INTERNAL_MESSAGE = "网关内部错误 / internal gateway error"


class RefusedRequestError(Exception):
    """A request the view answers without running GraphQL: a status and a coded error."""

    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.headers = dict(headers or {})

    @classmethod
    def from_error(cls, exc: ChakongError, status: int) -> RefusedRequestError:
        headers = getattr(exc, "http_headers", None)  # e.g. WWW-Authenticate for a 401
        return cls(
            status,
            exc.code,
            exc.message_zh,
            exc.message_en,
            headers if isinstance(headers, Mapping) else None,
        )

    def error(self) -> dict[str, Any]:
        return {
            "message": str(self),
            "extensions": {
                "code": self.code,
                "messageZh": self.message_zh,
                "messageEn": self.message_en,
            },
        }


def _bad_request(code: str, message_zh: str, message_en: str) -> RefusedRequestError:
    return RefusedRequestError(400, code, message_zh, message_en)


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The GraphQL-over-HTTP request parameters, checked for their JSON types."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    document_id: str | None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> GraphQLParams:
        return cls(
            query=_optional(data, "query", str, "字符串", "a string"),
            operation_name=_optional(data, "operationName", str, "字符串", "a string"),
            variables=_optional(data, "variables", dict, "对象", "an object"),
            extensions=_optional(data, "extensions", dict, "对象", "an object"),
            document_id=_optional(data, "documentId", str, "字符串", "a string"),
        )


def _optional(data: Mapping[str, Any], key: str, kind: type, zh: str, en: str) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise _bad_request(
            "INVALID_REQUEST", f"参数 {key} 应为{zh}或 null", f"`{key}` must be {en} or null"
        )
    return value


# --- media types ----------------------------------------------------------------------------------


def _media_ranges(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 0."""
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> tuple[float, int]:
    """The q-value ``Accept`` gives ``media`` and how specific its matching range is (2 named,
    1 ``type/*``, 0 ``*/*``, -1 not acceptable)."""
    kind = media.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for candidate, q in ranges:
        if candidate == media:
            specificity = 2
        elif candidate == f"{kind}/*":
            specificity = 1
        elif candidate == "*/*":
            specificity = 0
        else:
            continue
        best = max(best, (specificity, q), key=lambda sq: sq[0])
    specificity, q = best
    return (q, specificity) if q > 0 else (0.0, -1)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or ``None`` (406).

    No header means ``application/json``; so does a wildcard, for older clients. A caller that
    names ``application/graphql-response+json`` gets it unless it prefers ``application/json``.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges = _media_ranges(accept)
    graphql_q, graphql_named = _quality(ranges, GRAPHQL_RESPONSE_JSON)
    json_q, _ = _quality(ranges, JSON)
    if graphql_q == 0 and json_q == 0:
        return None
    if graphql_q > json_q or (graphql_q == json_q and graphql_named == 2):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def accepts_html(accept: str | None) -> bool:
    if not accept:
        return False
    return any(m == "text/html" and q > 0 for m, q in _media_ranges(accept))


def _content_type(header: str | None) -> tuple[str, dict[str, str]]:
    media, *params = (header or "").split(";")
    values = {}
    for param in params:
        name, _, value = param.partition("=")
        values[name.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), values


# --- the view ----------------------------------------------------------------------------------


class GatewayGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP for the gateway's schema, with its request limits and allow-list.

    ``context(request)`` is the application's: it authenticates the caller and builds the
    request's ``Context``. A ``ChakongError`` it raises that has an ``http_status`` (401 for a
    bad token) is answered with that status and a coded error (and any ``http_headers``).
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
            params = await self._params(request)
            context = await self._request_context(request)
            query = self._query(params, context.principal)
            result = await self._execute(request.method, query, params, context)
            # nothing leaves before its audit entries are committed
            failure = await context.settle()
            if failure is not None:
                raise RefusedRequestError.from_error(failure, failure.http_status or 503)
        except RefusedRequestError as refused:
            return self._refusal(refused, media)
        except Exception:
            log.exception("unexpected failure answering a GraphQL request")
            internal = RefusedRequestError(
                500, "INTERNAL_ERROR", "网关内部错误", "internal gateway error"
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

    async def _params(self, request: Request) -> GraphQLParams:
        if request.method == "GET":
            data: dict[str, Any] = dict(request.query_params)
            for key in ("variables", "extensions"):
                if data.get(key):
                    data[key] = self._decode(data[key].encode("utf-8", "surrogatepass"), key)
                else:
                    data.pop(key, None)
            return GraphQLParams.from_mapping(data)
        media, options = _content_type(request.headers.get("content-type"))
        if media != JSON or options.get("charset", "utf-8") != "utf-8":
            raise RefusedRequestError(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                "请求体应为 application/json（utf-8）",
                "the request body must be application/json (utf-8)",
            )
        body = self._decode(await self._body(request), "body")
        if isinstance(body, list):
            raise _bad_request(
                "BATCHING_NOT_SUPPORTED", "不支持批量请求", "batched requests are not supported"
            )
        if not isinstance(body, dict):
            raise _bad_request(
                "INVALID_REQUEST", "请求体应为 JSON 对象", "the request body must be a JSON object"
            )
        return GraphQLParams.from_mapping(body)

    async def _body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise self._too_large()
                chunks.append(chunk)
        except ClientDisconnect:
            raise _bad_request(
                "INVALID_REQUEST", "请求体不完整", "the request body is incomplete"
            ) from None
        return b"".join(chunks)

    def _too_large(self) -> RefusedRequestError:
        limit = self.max_body_bytes
        return RefusedRequestError(
            413,
            "PAYLOAD_TOO_LARGE",
            f"请求体超过 {limit} 字节",
            f"the request body is larger than {limit} bytes",
        )

    @staticmethod
    def _decode(raw: bytes, what: str) -> object:
        try:
            return json.loads(raw, parse_constant=_not_json)
        except (ValueError, RecursionError):  # bad JSON or encoding; absurdly deep nesting
            raise _bad_request(
                "INVALID_JSON", f"{what} 不是有效的 JSON", f"{what} is not valid JSON"
            ) from None

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
            raise _bad_request(
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
            return _request_error(
                "OPERATION_TYPE_NOT_ALLOWED",
                f"不支持该类操作：{exc.operation_type.value}",
                f"{exc.operation_type.value} operations are not supported here",
            )
        except CannotGetOperationTypeError:
            return _request_error(
                "OPERATION_NOT_FOUND",
                "无法确定要执行的操作：请检查 operationName",
                "cannot tell which operation to run: check operationName",
            )
        except MissingQueryError:
            raise _bad_request(
                "MISSING_QUERY", "请求中没有 GraphQL 查询", "the request has no GraphQL query"
            ) from None

    # --- answers ----------------------------------------------------------------------------

    def _answer(self, result: ExecutionResult, media: str) -> Response:
        errors = result.errors or []
        request_error = isinstance(result, PreExecutionError) or (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        body: dict[str, Any] = {}
        if not request_error:
            body["data"] = result.data
        if errors:
            body["errors"] = [_formatted(e, request_error) for e in errors]
        if result.extensions:
            body["extensions"] = result.extensions
        status = 400 if request_error and media == GRAPHQL_RESPONSE_JSON else 200
        if request_error:
            # a refusal before execution (401, 403, 429) keeps the status of the error raised
            refusal = _refusal_status(errors)
            status = refusal or status
        elif errors and _nothing_answered(result.data) and _all_refusals(errors):
            # nothing was answered because the caller may not have it (a case-scoped 403, an
            # unavailable audit log's 503): the status says so, the body keeps `data: null`
            status = _refusal_status(errors) or status
        return self._response(body, status, media)

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
            content = self.encode_json(body).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates the caller sent, echoed in a message
            content = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        return Response(
            content,
            status_code=status,
            headers=dict(headers or {}),
            media_type=f"{media}; charset=utf-8",
        )


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")  # NaN, Infinity: Python's, not JSON's


def _request_error(code: str, message_zh: str, message_en: str) -> ExecutionResult:
    error = GraphQLError(
        f"{message_zh} / {message_en}",
        extensions={"code": code, "messageZh": message_zh, "messageEn": message_en},
    )
    return PreExecutionError(data=None, errors=[error])


def _gateway_error(error: GraphQLError) -> ChakongError | None:
    """The gateway's own error behind a GraphQL error (graphql-core wraps a resolver's
    ``GraphQLError`` once more to give it a path)."""
    original: BaseException | None = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original if isinstance(original, ChakongError) else None


def _nothing_answered(data: dict[str, Any] | None) -> bool:
    return data is None or all(value is None for value in data.values())


def _all_refusals(errors: list[GraphQLError]) -> bool:
    """Every error is a gateway refusal that names its HTTP status."""
    for error in errors:
        found = _gateway_error(error)
        if found is None or found.http_status is None:
            return False
    return True


def _refusal_status(errors: list[GraphQLError]) -> int | None:
    """The ``http_status`` of a gateway error behind the first of ``errors``, if any."""
    for error in errors:
        found = _gateway_error(error)
        if found is not None and isinstance(found.http_status, int):
            return found.http_status if 400 <= found.http_status < 600 else None
    return None


def _formatted(error: GraphQLError, request_error: bool) -> dict[str, Any]:
    """The error as JSON; request errors always get a code, and an exception that escaped into
    a request error (a bug, not the caller's fault) is masked."""
    formatted: dict[str, Any] = dict(error.formatted)
    if not request_error:
        return formatted
    extensions = dict(formatted.get("extensions") or {})
    if "code" in extensions:
        return formatted
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("unexpected error before execution", exc_info=original)
        return {"message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL_ERROR"}}
    parse_failed = isinstance(error, GraphQLSyntaxError)
    extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
    formatted["extensions"] = extensions
    return formatted


__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "GatewayGraphQL", "accepts_html", "negotiate"]
