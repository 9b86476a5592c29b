"""The mock app in process: the contract, auth, problems, admin, the committed document."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import pytest

from mocks.faults import FaultConfig
from mocks.registry import MOCK_AGENCIES, UnknownMockError, mock_spec
from mocks.server import MAX_HARNESS_BYTES, MockState, create_mock_app
from mocks.synthetic import Tier
from mocks.wire import SubjectKindName
from tests.asgi import raw_post
from tests.mocks.helpers import (
    AUTH,
    EXAMPLES,
    TOKEN,
    assert_problem,
    client_for,
    contract_errors,
    inquiry,
    subject,
)

AGENCIES = list(MOCK_AGENCIES)


@pytest.mark.parametrize("agency", AGENCIES)
async def test_one_result_per_subject_in_request_order(agency: str) -> None:
    plan: list[tuple[SubjectKindName, Tier]] = [
        ("legal", Tier.RICH),
        ("natural", Tier.UNKNOWN),
        ("natural", Tier.RICH),
        ("natural", Tier.EMPTY),
        ("legal", Tier.UNKNOWN),
        ("legal", Tier.EMPTY),
    ]
    subjects = [subject(kind, tier) for kind, tier in plan]
    async with client_for(create_mock_app(agency, token=TOKEN)) as client:
        response = await client.post("/v1/inquiries", json=inquiry(*subjects), headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req-0001"
    answer = response.json()
    assert contract_errors(agency, "InquiryResponse", answer) == []
    assert answer["requestId"] == "req-0001"
    assert answer["agency"] == agency
    results = answer["results"]
    assert [(r["kind"], r["id"]) for r in results] == [(s["kind"], s["id"]) for s in subjects]
    served = MOCK_AGENCIES[agency].subject_kinds  # whom the agency keeps records on
    expected = [
        "found" if tier is not Tier.UNKNOWN and kind in served else "not_found"
        for kind, tier in plan
    ]
    assert "found" in expected  # every agency serves some kind of subject
    assert [r["status"] for r in results] == expected
    for result, status in zip(results, expected, strict=True):
        assert (result["records"] is not None) == (status == "found")


async def test_two_app_instances_answer_byte_for_byte_the_same() -> None:
    body = inquiry(*(subject(kind, tier) for kind in ("natural", "legal") for tier in Tier))
    contents = []
    for _ in range(2):
        for agency in AGENCIES:
            async with client_for(create_mock_app(agency, token=TOKEN)) as client:
                contents.append(
                    (await client.post("/v1/inquiries", json=body, headers=AUTH)).content
                )
    assert len(contents) == 2 * len(AGENCIES)
    assert contents[: len(AGENCIES)] == contents[len(AGENCIES) :]
    assert len(set(contents[: len(AGENCIES)])) == len(AGENCIES)  # each agency its own answer


async def test_request_id_header_is_safe_for_any_request_id() -> None:
    async with client_for(create_mock_app("bank", token=TOKEN)) as client:
        response = await client.post(
            "/v1/inquiries", json=inquiry(request_id="查控-1\r\nX: y"), headers=AUTH
        )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "%E6%9F%A5%E6%8E%A7-1%0D%0AX%3A%20y"
    assert response.json()["requestId"] == "查控-1\r\nX: y"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-that-must-not-come-back"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/inquiries"),
        ("GET", "/_mock/stats"),
        ("POST", "/_mock/reset"),
        ("GET", "/_mock/faults"),
        ("PUT", "/_mock/faults"),
    ],
)
async def test_wrong_or_missing_token_is_401_without_echo(
    method: str, path: str, headers: dict[str, str]
) -> None:
    app = create_mock_app("police", token=TOKEN)
    async with client_for(app) as client:
        response = await client.request(method, path, json=inquiry(), headers=headers)
    assert_problem(response, 401, "police")
    assert response.headers["www-authenticate"].startswith('Bearer realm="police"')
    everything = response.text + json.dumps(dict(response.headers))
    assert TOKEN not in everything
    assert "wrong-token" not in everything
    assert "Basic" not in everything
    assert app.state.mock.stats.inquiries == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"requestId": "r", "subjects": [',
        b"[]",
        json.dumps({**inquiry(), "subjects": []}).encode(),
        json.dumps({**inquiry(), "subjects": [{"kind": "robot", "id": "1"}]}).encode(),
        json.dumps({**inquiry(), "subjects": [{"kind": "natural", "id": "1" * 33}]}).encode(),
        json.dumps({k: v for k, v in inquiry().items() if k != "requestId"}).encode(),
    ],
)
async def test_a_body_that_breaks_the_contract_is_a_400_problem(body: bytes) -> None:
    app = create_mock_app("land", token=TOKEN)
    async with client_for(app) as client:
        response = await client.post("/v1/inquiries", content=body, headers=AUTH)
    problem = assert_problem(response, 400, "land")
    assert "error" in problem["detail"]
    assert app.state.mock.stats.inquiries == 0


async def test_too_many_subjects_or_bytes_is_a_413_problem() -> None:
    app = create_mock_app("land", token=TOKEN)
    many = inquiry(*[subject("natural", Tier.ORDINARY)] * 1001)
    huge = inquiry(subject("natural", Tier.ORDINARY, name="名" * 2_000_000))
    async with client_for(app) as client:
        exactly_1000 = inquiry(*[subject("natural", Tier.ORDINARY)] * 1000)
        assert (await client.post("/v1/inquiries", json=exactly_1000, headers=AUTH)).is_success
        assert_problem(await client.post("/v1/inquiries", json=many, headers=AUTH), 413, "land")
        assert_problem(await client.post("/v1/inquiries", json=huge, headers=AUTH), 413, "land")
    assert app.state.mock.stats.inquiries == 1


async def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"requestId": "r", "subjects": [{"kind": "natural", "id": "'
        while sent < 50 * 1024 * 1024:
            sent += 64 * 1024
            yield b"1" * 64 * 1024

    async with client_for(create_mock_app("land", token=TOKEN)) as client:
        response = await client.post("/v1/inquiries", content=endless(), headers=AUTH)
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "land")
    assert sent < 4 * 1024 * 1024


async def test_unknown_paths_and_methods_are_problems() -> None:
    async with client_for(create_mock_app("bank", token=TOKEN)) as client:
        assert_problem(await client.get("/v2/nothing"), 404, "bank")
        response = await client.get("/v1/inquiries")
    assert_problem(response, 405, "bank")
    assert response.headers["allow"] == "POST"


async def test_healthz_needs_no_token() -> None:
    async with client_for(create_mock_app("bank", token=TOKEN)) as client:
        response = await client.get("/healthz")
    assert response.json() == {"status": "ok", "agency": "bank"}


async def test_stats_count_answered_and_faulted_inquiries_and_reset() -> None:
    app = create_mock_app("police", token=TOKEN)
    state: MockState = app.state.mock
    async with client_for(app) as client:
        two = inquiry(subject("natural", Tier.RICH), subject("legal", Tier.RICH))
        await client.post("/v1/inquiries", json=two, headers=AUTH)
        await client.post(
            "/v1/inquiries", json=inquiry(), headers={**AUTH, "X-Mock-Fault": "error"}
        )
        await client.post("/v1/inquiries", json=inquiry())  # 401: not counted
        await client.post("/v1/inquiries", content=b"{", headers=AUTH)  # 400: not counted
        bad_header = {**AUTH, "X-Mock-Fault": "explode"}
        await client.post("/v1/inquiries", json=inquiry(), headers=bad_header)  # 400
        assert (await client.get("/_mock/stats", headers=AUTH)).json() == {
            "inquiries": 2,
            "subjects": 3,
            "controlFaults": {},
        }
        assert (state.stats.inquiries, state.stats.subjects) == (2, 3)
        assert (await client.post("/_mock/reset", headers=AUTH)).status_code == 200
        assert (await client.get("/_mock/stats", headers=AUTH)).json() == {
            "inquiries": 0,
            "subjects": 0,
            "controlFaults": {},
        }


async def test_faults_can_be_read_and_replaced_over_http_and_in_process() -> None:
    app = create_mock_app("police", token=TOKEN, faults=FaultConfig(latency_ms=5))
    async with client_for(app) as client:
        assert (await client.get("/_mock/faults", headers=AUTH)).json()["latency_ms"] == 5
        put = await client.put("/_mock/faults", json={"error_rate": 1.0}, headers=AUTH)
        assert put.status_code == 200
        assert app.state.mock.faults == FaultConfig(error_rate=1.0)
        assert (await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)).status_code == 500
        app.state.mock.faults = FaultConfig()
        assert (
            await client.get("/_mock/faults", headers=AUTH)
        ).json() == FaultConfig().model_dump()
        assert (await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)).status_code == 200
        for bad in ({"error_rate": 2}, {"unavailable_rate": 0.6, "error_rate": 0.6}, {"nope": 1}):
            assert_problem(await client.put("/_mock/faults", json=bad, headers=AUTH), 400, "police")
        assert_problem(await client.put("/_mock/faults", content=b"[", headers=AUTH), 400, "police")
    assert app.state.mock.faults == FaultConfig()


CONTROL = {
    "requestId": "ctl-1",
    "action": "freeze",
    "caseNumber": "(2026)苏0812执77号",
    "rulingNumber": "(2026)苏0812执77号之一",
    "noticeNumber": "(2026)苏0812执77号协字第1号",
    "assetId": "6222000000000001",
}


@pytest.mark.parametrize(
    ("method", "path", "body", "zh", "en"),
    [
        (
            "POST",
            "/v1/inquiries",
            inquiry(subject("natural", Tier.RICH)) | {"requestId": 7, "court": None},
            ["requestId：应为字符串", "court：应为字符串"],
            ["requestId: must be a string", "court: must be a string"],
        ),
        (
            "POST",
            "/v1/inquiries",
            {k: v for k, v in inquiry({"kind": "robot", "id": ""}).items() if k != "court"},
            ["court：缺少此字段", "subjects.0.kind：应为 'natural'、'legal' 之一", "至少 1 个字符"],
            ["court: required", "subjects.0.kind: must be 'natural' or 'legal'", "at least 1"],
        ),
        (
            "POST",
            "/v1/controls",
            CONTROL | {"amount": "1e5"},
            ['amount：金额应为十进制数字串，如 "12.50"'],
            ['amount: amount must be a decimal string such as "12.50"'],
        ),
        (
            "PUT",
            "/_mock/faults",
            {"error_rate": 2, "bogus": 1},
            ["error_rate：应不大于 1", "bogus：不接受此字段"],
            ["error_rate: must be at most 1", "bogus: not an accepted field"],
        ),
        (
            "PUT",
            "/_mock/control-faults",
            {"lost_rate": 0.6, "late_rate": 0.6},
            ["body：各控制故障比例之和超过 1"],
            ["body: the control fault rates add up to more than 1"],
        ),
        (
            "PUT",
            "/_mock/clock",
            {"today": "2026-02-30"},
            ["today：应为日期"],
            ["today: must be a date"],
        ),
        ("PUT", "/_mock/faults", "[", ["body：不是有效的 JSON"], ["body: not valid JSON"]),
    ],
    ids=["types", "missing-kind-length", "amount", "faults", "rates", "clock", "not-json"],
)
async def test_a_400_says_where_and_why_in_both_languages_not_in_pydantics_words(
    method: str, path: str, body: Any, zh: list[str], en: list[str]
) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    async with client_for(create_mock_app("bank", token=TOKEN)) as client:
        response = await client.request(method, path, content=content, headers=AUTH)
    detail_zh, detail_en = assert_problem(response, 400, "bank")["detail"].split(" / ")
    assert all(words in detail_zh for words in zh), detail_zh
    assert all(words in detail_en for words in en), detail_en
    for pydantics in ("Input should", "Field required", "Extra inputs", "Value error", "Invalid"):
        assert pydantics not in detail_zh + detail_en


@pytest.mark.parametrize("path", ["/_mock/faults", "/_mock/control-faults", "/_mock/clock"])
async def test_a_harness_put_past_the_cap_is_a_413_problem(path: str) -> None:
    app = create_mock_app("bank", token=TOKEN)
    state: MockState = app.state.mock
    before = (state.faults, state.control_faults, state.ledger.fixed_today)
    body = b'{"today": null}' if path == "/_mock/clock" else b"{}"
    async with client_for(app) as client:
        fits = body + b" " * (MAX_HARNESS_BYTES - len(body))
        assert (await client.put(path, content=fits, headers=AUTH)).status_code == 200
        response = await client.put(path, content=fits + b" ", headers=AUTH)
    problem = assert_problem(response, 413, "bank")
    assert problem["type"].endswith("too-large")
    assert str(MAX_HARNESS_BYTES) in problem["detail"]
    assert (state.faults, state.control_faults, state.ledger.fixed_today) == before


def records_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``InquiryResponse.results[].records``, references followed."""

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        for key in ("anyOf", "oneOf"):  # records: the object, or null
            if key in node:
                (node,) = [n for n in node[key] if n.get("type") != "null"]
                return resolve(node)
        return node

    response = resolve(document["components"]["schemas"]["InquiryResponse"])
    result = resolve(resolve(response["properties"]["results"])["items"])
    return resolve(result["properties"]["records"])


@pytest.mark.parametrize("agency", AGENCIES)
async def test_openapi_document_is_the_committed_agency_contract(agency: str) -> None:
    async with client_for(create_mock_app(agency, token=TOKEN)) as client:
        response = await client.get("/openapi.json")
        rich = inquiry(subject("natural", Tier.RICH), subject("legal", Tier.RICH))
        answer = (await client.post("/v1/inquiries", json=rich, headers=AUTH)).json()
    assert response.headers["content-type"] == "application/json"
    committed = resources.files("connectors") / agency / "openapi.json"
    assert response.content == committed.read_bytes()  # served as committed, not rebuilt
    document = response.json()
    assert document["openapi"] == "3.1.0"
    title = document["info"]["title"]
    assert any("\u4e00" <= c <= "\u9fff" for c in title)
    assert " / " in title
    operation = document["paths"]["/v1/inquiries"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InquiryRequest"
    }
    assert set(operation["responses"]) >= {"200", "400", "401", "413", "429", "500", "503"}
    components = document["components"]
    bearer = components["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert " / " in bearer["description"]  # Chinese / English
    assert any("\u4e00" <= c <= "\u9fff" for c in bearer["description"])
    assert document["security"] == [{"bearer": []}]
    schemas = components["schemas"]
    assert {"InquiryRequest", "InquiryResponse", "Problem"} <= set(schemas)
    # the records object the mock answers has the keys the document declares, no more or less
    found = [r["records"] for r in answer["results"] if r["records"] is not None]
    assert found
    declared = records_schema(document)["properties"].keys()
    for records in found:
        assert records.keys() == declared
    assert schemas["InquiryRequest"]["properties"]["subjects"]["maxItems"] == 1000
    assert {"title", "status"} <= set(schemas["Problem"]["required"])
    # every reference resolves inside the document
    text = json.dumps(document)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = document
        for part in ref.split("/"):
            node = node[part]


def test_unknown_agencies_fail_loudly() -> None:
    known = ", ".join(MOCK_AGENCIES)
    expected = f"no mock for agency 'weather'; known: {known}"
    with pytest.raises(UnknownMockError) as raised:
        create_mock_app("weather", token=TOKEN)
    assert str(raised.value) == expected
    with pytest.raises(UnknownMockError, match="'nowhere'"):
        mock_spec("nowhere")
    with pytest.raises(UnknownMockError, match="known: "):
        mock_spec("")
    assert mock_spec("POLICE").agency == "police"
    with pytest.raises(ValueError, match="token"):
        create_mock_app("police", token="")


async def test_records_answered_are_the_generators_records() -> None:
    ref = subject("natural", Tier.RICH, name="李四")
    async with client_for(create_mock_app("police", token=TOKEN)) as client:
        response = await client.post("/v1/inquiries", json=inquiry(ref), headers=AUTH)
    records = response.json()["results"][0]["records"]
    assert records["household"]["name"] == "李四"
    assert records["household"]["birthDate"] == (
        f"{EXAMPLES['natural'][Tier.RICH][6:10]}-{EXAMPLES['natural'][Tier.RICH][10:12]}-"
        f"{EXAMPLES['natural'][Tier.RICH][12:14]}"
    )


@pytest.mark.parametrize("declared", ["²", "¹²³"])
@pytest.mark.parametrize("path", ["/v1/inquiries", "/v1/controls"])
async def test_a_content_length_of_other_digits_is_not_an_internal_error(
    declared: str, path: str
) -> None:
    app = create_mock_app("bank", token=TOKEN)
    status, body = await raw_post(app, path, declared, b"{}", headers=AUTH)
    assert status == 400, body  # the empty object is refused for what it is
    assert json.loads(body)["status"] == 400
