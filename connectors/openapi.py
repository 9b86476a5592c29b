"""The agency contract as a committed file: ``connectors/<agency>/openapi.json``.

The document is the contract connector owners implement and the mocks serve. Its schemas come
from the agency's one declaration (the envelope's pydantic models, the agency's ``@record``
classes with their '中文 / English' docs); its examples (a request and the answer an agency
gives) are data kept in the committed file. ``tests/connectors/test_contract.py`` fails when a
committed document is stale (regenerate it with ``chakong contract write``), checks that its
examples follow its schemas and that the connector reads its example answer; the mocks' tests
check the mocks' answers against it. Neither side imports the other. An agency that applies
controls also gets the control operations (``connectors.openapi_controls``), whose examples
are derived from the inquiry example.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.alias_generators import to_camel
from pydantic.json_schema import (
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import core_schema

from connectors.control import ControlAnswer, ControlBody
from connectors.envelope import InquiryRequest, InquiryResponse, Problem
from connectors.openapi_controls import (
    REF,
    control_paths,
    controls_description,
    describe_controls,
)
from connectors.spec import AgencySpec
from gateway.domain.records import DECIMAL_LIMIT, description, record_description

CONTRACT_VERSION = "1.0.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"
CONNECTORS_DIR = Path(__file__).resolve().parent
# a money field's text: a plain decimal, as the mocks write it ("1234.50", "0"); the
# connectors' ``Decimal`` fields also take a JSON number, and refuse "", "NaN" and words
DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
# the same within a record's bounds (``BoundedDecimal``: from 0, under 10^16): no sign, and 16
# digits before the point at most, as the number form's minimum and exclusiveMaximum say
BOUNDED_DECIMAL_PATTERN = r"^(0|[1-9][0-9]{0,15})(\.[0-9]+)?$"


class ContractSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with the string form of a ``Decimal`` (money, quantities) held
    to ``DECIMAL_PATTERN``: pydantic's own says any string, so a checker of the contract would
    pass "约一百万元" or "NaN", which the connectors refuse."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        json_schema = super().decimal_schema(schema)
        bounded = schema.get("lt") == DECIMAL_LIMIT and schema.get("ge") == 0
        pattern = BOUNDED_DECIMAL_PATTERN if bounded else DECIMAL_PATTERN
        for branch in json_schema.get("anyOf", [json_schema]):
            if branch.get("type") == "string":
                branch.setdefault("pattern", pattern)
        return json_schema


def contract_path(spec: AgencySpec[Any]) -> Path:
    """Where the agency's committed contract lives: beside its spec."""
    return CONNECTORS_DIR / spec.name / "openapi.json"


def load_contract(spec: AgencySpec[Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(contract_path(spec).read_text(encoding="utf-8"))
    return document


def render(document: dict[str, Any]) -> str:
    """The committed text of a document: stable key order, UTF-8, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def examples_of(document: dict[str, Any]) -> dict[str, Any]:
    """The request and response examples a committed document holds."""
    operation = document["paths"]["/v1/inquiries"]["post"]
    return {
        "request": operation["requestBody"]["content"]["application/json"]["example"],
        "response": operation["responses"]["200"]["content"]["application/json"]["example"],
    }


def request_example(spec: AgencySpec[Any]) -> dict[str, Any]:
    """The request of the contract's example: the spec's example subjects, one batch."""
    return {
        "requestId": f"example-{spec.name}-1",
        "caseNumber": "(2026)苏0812执123号",
        "court": "苏0812",
        "subjects": [
            {"kind": s.kind.value, "id": s.id, **({"name": s.name} if s.name else {})}
            for s in spec.examples
        ],
    }


def document(spec: AgencySpec[Any], examples: dict[str, Any]) -> dict[str, Any]:
    """The agency's OpenAPI 3.1 contract, with ``examples`` (``request`` and ``response``)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{spec.title_zh} / {spec.title_en}",
            "version": CONTRACT_VERSION,
            "description": (
                f"{spec.name_zh}查控接口约定：法院执行查控网关按批查询被执行人的财产信息。\n\n"
                f"The {spec.name} agency contract: the court enforcement gateway asks, in "
                "batches, what the agency knows about judgment debtors. Every error is an RFC 9457 "
                "problem document." + controls_description(spec)
            ),
            "x-agency": spec.name,
            "x-subject-kinds": sorted(k.value for k in spec.subject_kinds),
        },
        "servers": [{"url": "/", "description": "the agency's base URL / 机构接口地址"}],
        "security": [{"bearer": []}],
        "paths": {
            "/v1/inquiries": {"post": _inquiries_operation(examples)},
            **control_paths(spec, examples),
        },
        "components": {
            "schemas": schemas(spec),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "每个机构为网关签发的访问令牌 / the token the agency issued "
                    "to the gateway",
                }
            },
            "responses": _problem_responses(controls=bool(spec.controls)),
        },
    }


def schemas(spec: AgencySpec[Any]) -> dict[str, Any]:
    """JSON Schemas of the envelope and of every record type, with the records' descriptions."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (InquiryRequest, "validation"),
        (Problem, "validation"),
    ]
    if spec.controls:
        models += [(ControlBody, "validation"), (ControlAnswer, "validation")]
    _, top = models_json_schema(
        models,
        ref_template=REF + "{model}",
        by_alias=True,
        schema_generator=ContractSchema,
    )
    found: dict[str, Any] = dict(top["$defs"])
    response = TypeAdapter(InquiryResponse[spec.records]).json_schema(  # type: ignore[name-defined]
        by_alias=True, ref_template=REF + "{model}", schema_generator=ContractSchema
    )
    found.update(response.pop("$defs", {}))
    response["title"] = "InquiryResponse"
    found["InquiryResponse"] = response
    # InquiryResponse_BankRecords_ -> InquiryResponse: one records type per document
    generic = f"_{spec.records.__name__}_"
    text = json.dumps(found, ensure_ascii=False).replace(generic, "")
    result: dict[str, Any] = json.loads(text)
    for record in spec.record_types:
        _describe(result[record.__name__], record)
    if spec.controls:
        describe_controls(result, spec)
    return dict(sorted(result.items()))


def _describe(schema: dict[str, Any], record: type) -> None:
    schema["description"] = record_description(record)
    properties = schema.get("properties", {})
    for field in dataclasses.fields(record):
        text = description(field)
        entry = properties.get(to_camel(field.name))
        if entry is not None:
            entry.pop("title", None)  # pydantic's "Accountnumber": the description says it
            if text:
                entry["description"] = text


def _inquiries_operation(examples: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationId": "createInquiry",
        "summary": "批量查询被执行人财产 / Ask about a batch of subjects",
        "description": (
            "每个主体一条结果，顺序与请求相同；只读，可安全重试与对冲。\n\n"
            "One result per subject, in request order. Read-only: safe to retry and to hedge."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF + "InquiryRequest"},
                    "example": examples["request"],
                }
            },
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
                "content": {
                    "application/json": {
                        "schema": {"$ref": REF + "InquiryResponse"},
                        "example": examples["response"],
                    }
                },
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


def _problem_responses(*, controls: bool) -> dict[str, Any]:
    def problem(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF + "Problem"}}},
        }
        if headers:
            response["headers"] = headers
        return response

    responses = {
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
    if controls:
        responses["Conflict"] = problem(
            "同一 requestId 已用于内容不同的请求 / the requestId was used for another body"
        )
        responses["UnknownControl"] = problem(
            "未收到过该 requestId / no control with this requestId"
        )
    return responses
