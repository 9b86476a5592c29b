"""The OpenAPI 3.1 document of one agency's contract, as its mock serves it at /openapi.json.

The schemas come from the same pydantic models the connectors validate with (request,
response with the agency's records, problem), so the document cannot drift from the code.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from connectors.envelope import InquiryRequest, Problem
from mocks.problems import PROBLEM_MEDIA_TYPE
from mocks.registry import MockSpec

CONTRACT_VERSION = "1.0.0"
REF = "#/components/schemas/"


def openapi_document(spec: MockSpec[Any]) -> dict[str, Any]:
    """The agency contract of ``spec.agency``: what connector owners implement."""
    _, top = models_json_schema(
        [
            (InquiryRequest, "validation"),
            (spec.response_model, "validation"),
            (Problem, "validation"),
        ],
        ref_template=REF + "{model}",
        by_alias=True,
    )
    # InquiryResponse_PoliceRecordsModel_ -> InquiryResponse: one records model per document
    generic = f"_{spec.records_model.__name__}_"
    schemas = json.loads(json.dumps(top["$defs"]).replace(generic, ""))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{spec.title_zh} / {spec.title_en}",
            "version": CONTRACT_VERSION,
            "description": (
                f"{spec.agency.name_zh}查控接口约定：法院执行查控网关按批查询被执行人的财产信息。\n\n"
                f"The {spec.agency.value} agency contract: the court enforcement gateway asks, in "
                "batches, what the agency knows about judgment debtors. Every error is an RFC 9457 "
                "problem document."
            ),
        },
        "servers": [{"url": "/", "description": "this mock / 本模拟服务"}],
        "security": [{"bearer": []}],
        "paths": {"/v1/inquiries": {"post": _inquiries_operation()}},
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "每个机构为网关签发的访问令牌 / the token the agency issued "
                    "to the gateway",
                }
            },
            "responses": _problem_responses(),
        },
    }


def _inquiries_operation() -> dict[str, Any]:
    return {
        "operationId": "createInquiry",
        "summary": "批量查询被执行人财产 / Ask about a batch of subjects",
        "description": (
            "每个主体一条结果，顺序与请求相同；只读，可安全重试与对冲。\n\n"
            "One result per subject, in request order. Read-only: safe to retry and to hedge."
        ),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF + "InquiryRequest"}}},
        },
        "responses": {
            "200": {
                "description": "查询结果 / the answer",
                "headers": {
                    "X-Request-Id": {
                        "description": "请求中的 requestId / the request's requestId",
                        "schema": {"type": "string"},
                    }
                },
                "content": {"application/json": {"schema": {"$ref": REF + "InquiryResponse"}}},
            },
            **{
                code: {"$ref": f"#/components/responses/{name}"}
                for code, name in (
                    ("400", "BadRequest"),
                    ("401", "Unauthorized"),
                    ("413", "TooManySubjects"),
                    ("429", "RateLimited"),
                    ("500", "ServerError"),
                    ("503", "Unavailable"),
                )
            },
        },
    }


def _problem_responses() -> dict[str, Any]:
    def problem(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF + "Problem"}}},
        }
        if headers:
            response["headers"] = headers
        return response

    return {
        "BadRequest": problem("请求体不符合约定 / the body breaks the contract"),
        "Unauthorized": problem(
            "缺少或无效的令牌 / missing or wrong bearer token",
            **{"WWW-Authenticate": {"schema": {"type": "string"}, "example": "Bearer"}},
        ),
        "TooManySubjects": problem("一次最多 1000 个主体 / at most 1000 subjects per request"),
        "RateLimited": problem(
            "请求过于频繁 / too many requests",
            **{"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
        ),
        "ServerError": problem("服务端错误 / server error"),
        "Unavailable": problem("服务暂不可用 / temporarily unavailable"),
    }
