"""The GraphQL-over-HTTP request parameters, read from a GET's query string or a POST's body.

A POST body must be ``application/json`` in utf-8 (415 otherwise) holding one JSON object, no
larger than the view's limit (413); bad JSON (UTF-16 included), a batch, a missing ``query`` or
wrongly typed parameters are 400. On GET, ``variables`` and ``extensions`` are JSON in the query
string, and each parameter is given once: a repeated one is 400, not its last value taken
(``repeated``, as for ``/report``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect, Request

from gateway.http.negotiation import JSON, content_type
from gateway.http.status import RefusedRequestError, bad_request

MAX_BODY_BYTES = 1 << 20  # a batch of 500 debtors is about 40 KB

# the GraphQL-over-HTTP parameters, as a GET's query string names them
PARAMETERS = ("query", "operationName", "variables", "extensions", "documentId")


def repeated(params: QueryParams, names: Iterable[str]) -> list[str]:
    """Those of ``names`` the query string gives more than once (``a=1&a=2``), in order: which
    value the caller meant is not for the gateway to guess (Starlette keeps the last)."""
    return [name for name in names if len(params.getlist(name)) > 1]


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
        raise bad_request(
            "INVALID_REQUEST", f"参数 {key} 应为{zh}或 null", f"`{key}` must be {en} or null"
        )
    return value


async def read_params(request: Request, max_body_bytes: int) -> GraphQLParams:
    """The request's parameters; a ``RefusedRequestError`` (400, 413, 415) if they are not."""
    if request.method == "GET":
        twice = repeated(request.query_params, PARAMETERS)
        if twice:
            names = ", ".join(twice)
            raise bad_request(
                "INVALID_REQUEST", f"参数重复：{names}", f"parameter given more than once: {names}"
            )
        data: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):
            if data.get(key):
                data[key] = _decode(data[key].encode("utf-8", "surrogatepass"), key)
            else:
                data.pop(key, None)
        return GraphQLParams.from_mapping(data)
    media, options = content_type(request.headers.get("content-type"))
    if media != JSON or options.get("charset", "utf-8") != "utf-8":
        raise RefusedRequestError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "请求体应为 application/json（utf-8）",
            "the request body must be application/json (utf-8)",
        )
    body = _decode(await _body(request, max_body_bytes), "body")
    if isinstance(body, list):
        raise bad_request(
            "BATCHING_NOT_SUPPORTED", "不支持批量请求", "batched requests are not supported"
        )
    if not isinstance(body, dict):
        raise bad_request(
            "INVALID_REQUEST", "请求体应为 JSON 对象", "the request body must be a JSON object"
        )
    return GraphQLParams.from_mapping(body)


async def _body(request: Request, max_body_bytes: int) -> bytes:
    declared = request.headers.get("content-length", "")
    # ASCII digits only: str.isdigit() accepts "²" and "３", which int() then refuses or reads
    if declared.isascii() and declared.isdigit() and int(declared) > max_body_bytes:
        raise _too_large(max_body_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise _too_large(max_body_bytes)
            chunks.append(chunk)
    except ClientDisconnect:
        raise bad_request(
            "INVALID_REQUEST", "请求体不完整", "the request body is incomplete"
        ) from None
    return b"".join(chunks)


def _too_large(limit: int) -> RefusedRequestError:
    return RefusedRequestError(
        413,
        "PAYLOAD_TOO_LARGE",
        f"请求体超过 {limit} 字节",
        f"the request body is larger than {limit} bytes",
    )


def _decode(raw: bytes, what: str) -> object:
    try:
        # UTF-8, as the media type says: json.loads of the bytes would guess UTF-16 or UTF-32
        # from them; a byte order mark is ignored (RFC 8259 8.1), lone surrogates are kept for
        # the text rule to name (``INVALID_TEXT``)
        text = raw.decode("utf-8-sig", "surrogatepass")
        return json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):  # bad JSON or encoding; absurdly deep nesting
        raise bad_request(
            "INVALID_JSON", f"{what} 不是有效的 JSON", f"{what} is not valid JSON"
        ) from None


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")  # NaN, Infinity: Python's, not JSON's


__all__ = ["MAX_BODY_BYTES", "PARAMETERS", "GraphQLParams", "read_params", "repeated"]
