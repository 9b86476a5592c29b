"""The agency contract as a committed file: ``connectors/<agency>/openapi.json``.

The document is the contract connector owners implement and the mocks serve. Its schemas come
from the agency's one declaration (the envelope's pydantic models, the agency's ``@record``
classes with their '中文 / English' docs); its examples (a request and the answer an agency
gives) are data kept in the committed file. ``tests/connectors/test_contract.py`` fails when a
committed document is stale (regenerate it with ``chakong contract write``), checks that its
examples follow its schemas and that the connector reads its example answer; the mocks' tests
check the mocks' answers against it. Neither side imports the other.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from connectors.control import ControlAnswer, ControlBody
from connectors.envelope import InquiryRequest, InquiryResponse, Problem
from connectors.spec import AgencySpec
from gateway.domain.records import description, record_description

CONTRACT_VERSION = "1.0.0"
REF = "#/components/schemas/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
CONNECTORS_DIR = Path(__file__).resolve().parent


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
                "problem document." + _controls_description(spec)
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


def _controls_description(spec: AgencySpec[Any]) -> str:
    if not spec.controls:
        return ""
    actions = ", ".join(sorted(spec.controls))
    return (
        f"\n\n本机构接受的查控动作 / the controls this agency applies: {actions}. "
        "查控按 requestId 幂等 / controls are idempotent on requestId."
    )


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
    )
    found: dict[str, Any] = dict(top["$defs"])
    response = TypeAdapter(InquiryResponse[spec.records]).json_schema(  # type: ignore[name-defined]
        by_alias=True, ref_template=REF + "{model}"
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
        _describe_controls(result, spec)
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


# --- the control side ---------------------------------------------------------------------

DECIMAL = {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"}
CONTROL_TEXTS: dict[str, dict[str, str]] = {
    "ControlBody": {
        "": "查控请求：冻结、查封、扣划、解除、续行 / "
        "A control: freeze, seize, deduct, release, renew",
        "requestId": "网关的请求号；同号同内容为重复，返回首次结果 / The gateway's id: the same id "
        "and body is a repeat and gets the first answer",
        "action": "查控动作 / What to do",
        "caseNumber": "执行案号 / Enforcement case number",
        "rulingNumber": "执行裁定书文号 / Enforcement ruling number",
        "noticeNumber": "协助执行通知书文号 / Assistance notice number",
        "assetId": "财产标识，为查询答复中的标识 / The asset, as an inquiry answer names it",
        "amount": "金额（元，十进制字符串；证券持仓为数量），冻结不填则冻结全部可用，扣划必填 / "
        "Amount (yuan as a decimal string; a holding's quantity for securities); a freeze "
        "without it freezes all that is available; required for a deduction",
        "until": "冻结、查封或续行的截止日 / Last day of the freeze, seizure or renewal",
    },
    "ControlAnswer": {
        "": "查控结果 / The outcome of a control",
        "requestId": "请求中的 requestId / The request's requestId",
        "status": "applied 已执行；rejected 未执行 / applied, or rejected (not applied)",
        "reference": "机构的执行回执号 / The agency's reference",
        "reason": "未执行的原因 / Why it was not applied",
        "appliedAmount": "实际冻结、扣划或解除的金额（可用余额不足时少于请求） / What was "
        "actually frozen, deducted or released (less than asked when less was available)",
        "queuePosition": "轮候查封的顺位，1 为下一顺位；生效的查封无此字段 / A queued "
        "seizure's place in line (1: next); absent when in effect",
    },
}


def _describe_controls(schemas: dict[str, Any], spec: AgencySpec[Any]) -> None:
    schemas.pop("ControlAction", None)
    for name, texts in CONTROL_TEXTS.items():
        schema = schemas[name]
        schema["description"] = texts[""]
        for key, entry in schema["properties"].items():
            entry.pop("title", None)
            entry["description"] = texts[key]
    body, answer = schemas["ControlBody"]["properties"], schemas["ControlAnswer"]["properties"]
    body["action"] = {"type": "string", "enum": sorted(spec.controls), **body["action"]}
    body["action"].pop("$ref", None)
    for entry in (body["amount"], answer["appliedAmount"]):
        entry["anyOf"] = [DECIMAL, {"type": "null"}]


def control_paths(spec: AgencySpec[Any], examples: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/controls`` and ``GET /v1/controls/{requestId}``, for an agency with controls."""
    if not spec.controls:
        return {}
    requests, answers = control_examples(spec, examples)
    errors = {
        code: {"$ref": f"#/components/responses/{name}"}
        for code, name in (
            ("400", "BadRequest"),
            ("401", "Unauthorized"),
            ("429", "RateLimited"),
            ("500", "ServerError"),
            ("503", "Unavailable"),
        )
    }
    answer_content = {
        "application/json": {"schema": {"$ref": REF + "ControlAnswer"}, "examples": answers}
    }
    post = {
        "operationId": "createControl",
        "summary": "冻结、查封、扣划、解除、续行 / Apply a control",
        "description": (
            "按 requestId 幂等：同号同内容返回首次结果，同号不同内容为 409。规则不允许的查控"
            "答复 200 与 rejected 及原因。\n\nIdempotent on requestId: a repeat with the same "
            "body gets the first answer, another body under the same requestId is a 409. A "
            "control the agency's rules refuse is a 200 `rejected` with its reason."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF + "ControlBody"},
                    "examples": requests,
                }
            },
        },
        "responses": {
            "200": {"description": "查控结果 / the outcome", "content": answer_content},
            "409": {"$ref": "#/components/responses/Conflict"},
            **errors,
        },
    }
    get = {
        "operationId": "getControl",
        "summary": "查询查控结果 / The outcome of an earlier control",
        "description": (
            "与首次答复相同；未收到过该 requestId 为 404。\n\nThe same answer as the first "
            "one; 404 when the agency never received the requestId."
        ),
        "parameters": [
            {
                "name": "requestId",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 64},
            }
        ],
        "responses": {
            "200": {"description": "查控结果 / the outcome", "content": answer_content},
            "404": {"$ref": "#/components/responses/UnknownControl"},
            **{code: ref for code, ref in errors.items() if code != "400"},
        },
    }
    return {"/v1/controls": {"post": post}, "/v1/controls/{requestId}": {"get": get}}


# where the inquiry example's first controllable asset is, per agency (examples only)
_EXAMPLE_ASSET: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "bank": ("deposits", lambda r: str(r["accountNumber"])),
    "fund": ("accounts", lambda r: str(r["accountNumber"])),
    "land": ("realEstate", lambda r: str(r["unitNumber"])),
    "business": ("equityHoldings", lambda r: str(r.get("assetId") or r["uscc"])),
    "securities": ("holdings", lambda r: f"{r['accountNumber']}:{r['securityCode']}"),
}


def control_examples(
    spec: AgencySpec[Any], examples: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Named request and answer examples of ``POST /v1/controls``, on an asset the inquiry
    example returned."""
    asset_id = _example_asset(spec, examples["response"])
    base = {
        "caseNumber": "(2026)苏0812执123号",
        "rulingNumber": "(2026)苏0812执123号之一",
        "noticeNumber": "(2026)苏0812执123号协助执行通知书",
        "assetId": asset_id,
    }
    first = "seize" if "seize" in spec.controls else "freeze"
    money = "seize" not in spec.controls
    requests: dict[str, Any] = {}
    for number, action in enumerate(
        a for a in ("freeze", "seize", "deduct", "release", "renew") if a in spec.controls
    ):
        body: dict[str, Any] = {"requestId": f"example-{spec.name}-control-{number + 1}"}
        body |= {"action": action, **base}
        if action == first:
            body["until"] = "2027-06-30"
            if money:
                body["amount"] = "50000.00"
        elif action == "deduct":
            body["amount"] = "20000.00"
        elif action == "renew":
            body["until"] = "2028-06-30"
        requests[action] = {"summary": action, "value": body}
    request_id = requests[first]["value"]["requestId"]
    applied: dict[str, Any] = {
        "requestId": request_id,
        "status": "applied",
        "reference": f"{spec.name.upper()}-2026-000123",
    }
    answers: dict[str, Any] = {"applied": {"summary": "已执行 / applied", "value": applied}}
    if money:
        partial = applied | {"appliedAmount": "31250.00"}
        answers["partial"] = {
            "summary": "可用余额不足，冻结可用部分 / less available: what was available is frozen",
            "value": partial,
        }
        applied["appliedAmount"] = "50000.00"
    else:
        answers["queued"] = {
            "summary": "已有查封，轮候查封 / seized already: a queued seizure",
            "value": applied | {"queuePosition": 1},
        }
    answers["rejected"] = {
        "summary": "未执行 / rejected",
        "value": {
            "requestId": request_id,
            "status": "rejected",
            "reason": "查无此财产 / no such asset",
        },
    }
    return requests, answers


def _example_asset(spec: AgencySpec[Any], response: dict[str, Any]) -> str:
    key, identify = _EXAMPLE_ASSET.get(spec.name, ("", str))
    for result in response.get("results", []):
        items: list[dict[str, Any]] = (result.get("records") or {}).get(key, [])
        if items:
            return identify(items[0])
    return f"{spec.name}-asset-1"
