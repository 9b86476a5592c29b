"""Which status and which error body an answer gets.

* a request error (the document does not parse or validate, the variables do not coerce, a
  request limit is exceeded) has no ``data`` key: 400 under ``application/graphql-response+json``,
  200 under legacy ``application/json``; a refusal before execution whose error wraps a
  ``ChakongError`` with an ``http_status`` (401, 403) has that status on both.
* a response with ``data`` is 200, even ``null`` after a field error, except where every error is
  a gateway refusal with a status (a case-scoped 403, a 503): then nothing was answered, and the
  status says why.
* a request refused before GraphQL runs (``RefusedRequestError``) has its own status.

Every error body is GraphQL-shaped, ``{"errors": [{"message", "extensions": {"code"}}]}``, and
never carries a stack trace: an unexpected failure is logged and answered with a masked message.
A refusal's headers (``WWW-Authenticate`` on every 401) come from ``gateway.http.challenge``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.domain.errors import INTERNAL_ERROR_MESSAGE, ChakongError
from gateway.http.challenge import refusal_headers
from gateway.http.graphql_messages import bilingual
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON
from gateway.logs import mask_identifiers

log = logging.getLogger(__name__)

# the headers of an answer that may hold personal data (a debtor's assets, an error quoting an
# input): kept by no proxy or browser cache, and never read by a browser as another type
PRIVATE_ANSWER = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class RefusedRequestError(Exception):
    """A request the view answers without running GraphQL: a status and a coded error."""

    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        headers: Mapping[str, str] | None = None,
        *,
        cause: ChakongError | None = None,
    ) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.cause = cause  # the gateway's error refused, if any: it decides the challenge
        self.headers = {**refusal_headers(status, cause), **(headers or {})}

    @classmethod
    def from_error(cls, exc: ChakongError, status: int) -> RefusedRequestError:
        return cls(status, exc.code, exc.message_zh, exc.message_en, cause=exc)

    def error(self) -> dict[str, Any]:
        return masked_error(
            {
                "message": str(self),
                "extensions": {
                    "code": self.code,
                    "messageZh": self.message_zh,
                    "messageEn": self.message_en,
                },
            }
        )


def masked_error(error: dict[str, Any]) -> dict[str, Any]:
    """``error`` (a GraphQL-shaped error) with the ID numbers in its messages masked in
    whichever form they are written, as the log masks them (``gateway.logs.mask_identifiers``):
    a message quotes a refused value, and ``3208-1219-8203-1512-56`` is one ID number (its
    normal form drops the dashes) that masking the plain forms alone leaves whole. The last
    masking on the way out, whoever wrote the message."""
    masked = dict(error)
    if isinstance(masked.get("message"), str):
        masked["message"] = mask_identifiers(masked["message"])
    extensions = masked.get("extensions")
    if isinstance(extensions, dict):
        masked["extensions"] = {
            key: mask_identifiers(value) if key in _MESSAGES and isinstance(value, str) else value
            for key, value in extensions.items()
        }
    return masked


_MESSAGES = ("messageZh", "messageEn")  # the extensions that hold a message


# what the router refuses before any endpoint runs (an unknown path, a method a route does not
# take), answered in the same coded shape as every other refusal
_ROUTER_REFUSALS = {
    404: ("NOT_FOUND", "没有这个地址", "there is nothing at this path"),
    405: ("METHOD_NOT_ALLOWED", "该地址不接受此请求方法", "this path does not take this method"),
}


async def http_exception(request: Request, exc: Exception) -> Response:
    """The application's handler of Starlette's ``HTTPException`` (404, 405 with ``Allow``)."""
    if not isinstance(exc, HTTPException):
        raise exc
    code, zh, en = _ROUTER_REFUSALS.get(
        exc.status_code,
        ("HTTP_ERROR", "请求无法处理", f"the request cannot be served ({exc.detail})"),
    )
    refused = RefusedRequestError(exc.status_code, code, zh, en, exc.headers)
    return JSONResponse(
        {"errors": [refused.error()]},
        exc.status_code,
        refused.headers,
        "application/json; charset=utf-8",
    )


def bad_request(code: str, message_zh: str, message_en: str) -> RefusedRequestError:
    return RefusedRequestError(400, code, message_zh, message_en)


def request_error(code: str, message_zh: str, message_en: str) -> ExecutionResult:
    """A request error of the view's own, answered as GraphQL's request errors are."""
    error = GraphQLError(
        f"{message_zh} / {message_en}",
        extensions={"code": code, "messageZh": message_zh, "messageEn": message_en},
    )
    return PreExecutionError(data=None, errors=[error])


def graphql_answer(
    result: ExecutionResult, media: str
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The body, the status and the headers of an executed (or refused) GraphQL request."""
    errors = result.errors or []
    request_error = isinstance(result, PreExecutionError) or (
        result.data is None and bool(errors) and all(e.path is None for e in errors)
    )
    body: dict[str, Any] = {}
    if not request_error:
        body["data"] = result.data
    if errors:
        body["errors"] = [masked_error(_formatted(e, request_error)) for e in errors]
    if result.extensions:
        body["extensions"] = result.extensions
    status = 400 if request_error and media == GRAPHQL_RESPONSE_JSON else 200
    refusal = _refusal(errors)
    if refusal is not None and (
        # a refusal before execution (401, 403, 429) keeps the status of the error raised
        request_error
        # nothing was answered because the caller may not have it (a case-scoped 403, an
        # unavailable audit log's 503): the status says so, the body keeps `data: null`
        or (_nothing_answered(result.data) and _all_refusals(errors))
    ):
        status = refusal.http_status or status
        return body, status, refusal_headers(status, refusal)
    return body, status, {}


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


def _refusal(errors: list[GraphQLError]) -> ChakongError | None:
    """The first gateway error behind ``errors`` that names an HTTP error status, if any."""
    for error in errors:
        found = _gateway_error(error)
        if found is not None and isinstance(found.http_status, int):
            return found if 400 <= found.http_status < 600 else None
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
        return {"message": INTERNAL_ERROR_MESSAGE, "extensions": {"code": "INTERNAL_ERROR"}}
    parse_failed = isinstance(error, GraphQLSyntaxError)
    extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
    zh, en = bilingual(error.message, parse_failed=parse_failed)
    formatted["message"] = f"{zh} / {en}"
    extensions["messageZh"], extensions["messageEn"] = zh, en
    formatted["extensions"] = extensions
    return formatted


__all__ = [
    "PRIVATE_ANSWER",
    "RefusedRequestError",
    "bad_request",
    "graphql_answer",
    "http_exception",
    "masked_error",
    "request_error",
]
