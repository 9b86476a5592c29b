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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.domain.errors import INTERNAL_ERROR_MESSAGE, ChakongError
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON

log = logging.getLogger(__name__)


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


def bad_request(code: str, message_zh: str, message_en: str) -> RefusedRequestError:
    return RefusedRequestError(400, code, message_zh, message_en)


def request_error(code: str, message_zh: str, message_en: str) -> ExecutionResult:
    """A request error of the view's own, answered as GraphQL's request errors are."""
    error = GraphQLError(
        f"{message_zh} / {message_en}",
        extensions={"code": code, "messageZh": message_zh, "messageEn": message_en},
    )
    return PreExecutionError(data=None, errors=[error])


def graphql_answer(result: ExecutionResult, media: str) -> tuple[dict[str, Any], int]:
    """The body and the status of an executed (or refused) GraphQL request."""
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
    return body, status


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
        return {"message": INTERNAL_ERROR_MESSAGE, "extensions": {"code": "INTERNAL_ERROR"}}
    parse_failed = isinstance(error, GraphQLSyntaxError)
    extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
    formatted["extensions"] = extensions
    return formatted


__all__ = ["RefusedRequestError", "bad_request", "graphql_answer", "request_error"]
