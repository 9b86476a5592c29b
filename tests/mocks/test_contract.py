"""The mocks keep the committed contract: their JSON checked against the agency's openapi.json.

The mocks build their answers from their own records (``mocks/<agency>/records.py``), never
from connector code, so these checks compare two things written apart: a field renamed on one
side only fails here (``test_a_renamed_field_breaks_the_contract`` shows that it would).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mocks.registry import MOCK_AGENCIES
from mocks.server import create_mock_app
from mocks.synthetic import Tier
from mocks.wire import SubjectKindName
from tests.mocks.helpers import (
    AUTH,
    EXAMPLES,
    TOKEN,
    client_for,
    contract_errors,
    inquiry,
    resident_ids,
    subject,
    uscc_ids,
)

AGENCIES = sorted(MOCK_AGENCIES)
BATCH = 60


def many_subjects() -> list[dict[str, Any]]:
    """Every example subject of both kinds and tiers, and 220 generated valid ids."""
    subjects = [subject(kind, tier) for kind in ("natural", "legal") for tier in Tier]
    subjects.append(subject("natural", Tier.RICH, name="王芳"))
    subjects += [
        {"kind": "natural", "id": i}
        for i in resident_ids(120, regions=("320812", "320826", "110101"), step_days=131)
    ]
    subjects += [{"kind": "legal", "id": i} for i in uscc_ids(100, prefix="91320811MA")]
    return subjects


async def answers(agency: str, subjects: list[dict[str, Any]]) -> list[Any]:
    found = []
    async with client_for(create_mock_app(agency, token=TOKEN)) as client:
        for start in range(0, len(subjects), BATCH):
            body = inquiry(*subjects[start : start + BATCH], request_id=f"contract-{start}")
            response = await client.post("/v1/inquiries", json=body, headers=AUTH)
            assert response.status_code == 200
            found.append(response.json())
    return found


@pytest.mark.parametrize("agency", AGENCIES)
async def test_the_answers_keep_the_committed_contract(agency: str) -> None:
    subjects = many_subjects()
    batches = await answers(agency, subjects)
    for answer in batches:
        assert contract_errors(agency, "InquiryResponse", answer) == []
    results = [result for answer in batches for result in answer["results"]]
    assert len(results) == len(subjects)
    found = [r for r in results if r["status"] == "found"]
    assert len(found) > len(subjects) / 3  # the records themselves were checked, many times


@pytest.mark.parametrize("agency", AGENCIES)
async def test_every_problem_keeps_the_committed_problem_schema(agency: str) -> None:
    app = create_mock_app(agency, token=TOKEN)
    one = inquiry(subject("natural", Tier.RICH))
    async with client_for(app) as client:
        responses = [
            await client.post("/v1/inquiries", json=one),  # 401
            await client.post("/v1/inquiries", content=b"{", headers=AUTH),  # 400
            await client.post("/v1/inquiries", json={**one, "subjects": []}, headers=AUTH),
            await client.post(
                "/v1/inquiries", json=inquiry(*[subject("natural", Tier.RICH)] * 1001), headers=AUTH
            ),  # 413
            await client.get("/nowhere"),  # 404
            await client.get("/v1/inquiries"),  # 405
            *[
                await client.post(
                    "/v1/inquiries", json=one, headers={**AUTH, "X-Mock-Fault": fault}
                )
                for fault in ("error", "unavailable", "rate-limit", "explode")
            ],
        ]
    statuses = [r.status_code for r in responses]
    assert statuses == [401, 400, 400, 413, 404, 405, 500, 503, 429, 400]
    for response in responses:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert contract_errors(agency, "Problem", response.json()) == []


def first_record(records: dict[str, Any]) -> dict[str, Any]:
    """The first record object in the records: a list's first (vehicles[0], ...) or a single one."""
    for value in records.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
        if isinstance(value, dict):
            return value
    raise AssertionError(f"no record object in {sorted(records)}")


@pytest.mark.parametrize("agency", AGENCIES)
async def test_a_renamed_field_breaks_the_contract(agency: str) -> None:
    """The independence proof, mock side: the document is not the mock's mirror."""
    kind: SubjectKindName = "natural"
    if kind not in MOCK_AGENCIES[agency].subject_kinds:
        kind = "legal"
    (answer,) = await answers(agency, [subject(kind, Tier.RICH)])
    assert contract_errors(agency, "InquiryResponse", answer) == []
    renamed = copy.deepcopy(answer)
    record = first_record(renamed["results"][0]["records"])
    field = next(iter(record))
    record[field + "Renamed"] = record.pop(field)
    errors = contract_errors(agency, "InquiryResponse", renamed)
    assert errors, f"{agency}: renaming {field!r} went unnoticed"
    assert any(field in error for error in errors), errors
    assert EXAMPLES[kind][Tier.RICH] == answer["results"][0]["id"]
