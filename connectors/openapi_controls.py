"""The control side of the committed contract: ``POST /v1/controls`` and
``GET /v1/controls/{requestId}`` for an agency whose spec has ``controls``, from the connector's
``ControlBody`` and ``ControlAnswer`` (``connectors.control``), with the agency's own actions,
bilingual descriptions and named examples on an asset the inquiry example returned.
``connectors.openapi`` puts them in the agency's document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.spec import AgencySpec

REF = "#/components/schemas/"


def controls_description(spec: AgencySpec[Any]) -> str:
    if not spec.controls:
        return ""
    actions = ", ".join(sorted(spec.controls))
    return (
        f"\n\n本机构接受的查控动作 / the controls this agency applies: {actions}. "
        "查控按 requestId 幂等 / controls are idempotent on requestId."
    )


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


def describe_controls(schemas: dict[str, Any], spec: AgencySpec[Any]) -> None:
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
