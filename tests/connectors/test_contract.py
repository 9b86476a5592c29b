"""The committed agency contracts (``connectors/<agency>/openapi.json``) against the connectors.

The contract is a file, written once from the records' declaration and kept in git, so that a
change to either side shows up as a difference: a stale document fails here; the connector must
read the document's example answer; the mocks' answers are checked against the same document in
``tests/mocks``. The independence proof: rename one field in a copy of an answer and both the
document's schema and the connector refuse it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate

from connectors.base import AgencyEndpoint, Inquiry
from connectors.errors import MalformedResponseError
from connectors.http import HttpConnector
from connectors.openapi import (
    contract_path,
    document,
    examples_of,
    load_contract,
    render,
    request_example,
)
from connectors.registry import AGENCIES
from connectors.spec import AgencySpec
from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import Subject, SubjectKind
from tests.connectors.helpers import assert_same_as_wire, mock_answer, sent_count

SPECS = list(AGENCIES)
TOKEN = "contract-test-token-8d0e"


def schema_validator(contract: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    """A validator of ``#/components/schemas/<name>`` that resolves the document's refs."""
    root = {"$ref": f"#/components/schemas/{name}", "components": contract["components"]}
    return jsonschema.Draft202012Validator(root)


def subjects_of(request: dict[str, Any]) -> tuple[Subject, ...]:
    return tuple(Subject(SubjectKind(s["kind"]), s["id"]) for s in request["subjects"])


async def ask(spec: AgencySpec[Any], request: dict[str, Any], answer: dict[str, Any]) -> Any:
    """The connector's reading of ``answer``, sent by an agency for ``request``."""

    def agency(sent: httpx.Request) -> httpx.Response:
        assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
        assert json.loads(sent.content)["subjects"] == request["subjects"]
        return httpx.Response(200, json=answer)

    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:
        connector = HttpConnector(spec, AgencyEndpoint("http://agency.test", TOKEN), client)
        inquiry = Inquiry(
            request["requestId"],
            parse_case_number(request["caseNumber"]),
            request["court"],
            subjects_of(request),
        )
        return await connector.query(inquiry)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_committed_contract_is_current(spec: AgencySpec[Any]) -> None:
    committed = contract_path(spec).read_text(encoding="utf-8")
    regenerated = render(document(spec, examples_of(json.loads(committed))))
    assert committed == regenerated, (
        f"{contract_path(spec)} is stale: run `chakong contract write` and commit the result"
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_contract_is_valid_openapi_and_its_examples_follow_it(spec: AgencySpec[Any]) -> None:
    contract = load_contract(spec)
    validate(contract)
    examples = examples_of(contract)
    assert examples["request"] == request_example(spec)
    schema_validator(contract, "InquiryRequest").validate(examples["request"])
    schema_validator(contract, "InquiryResponse").validate(examples["response"])
    assert contract["info"]["x-subject-kinds"] == sorted(k.value for k in spec.subject_kinds)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
async def test_the_connector_reads_the_contracts_example_answer(spec: AgencySpec[Any]) -> None:
    examples = examples_of(load_contract(spec))
    answers = await ask(spec, examples["request"], examples["response"])
    results = examples["response"]["results"]
    assert set(answers) == {f"{r['kind']}:{r['id']}" for r in results}
    found = 0
    for result in results:
        records = answers[f"{result['kind']}:{result['id']}"]
        if result["status"] == "not_found":
            assert records is None
            continue
        found += 1
        assert type(records) is spec.records
        assert records.count() == sent_count(result["records"])
        assert_same_as_wire(result["records"], records)  # every field arrives, typed
        hash(records)  # frozen all the way down: usable as a cache value
    assert found > 0, "the example should show records"


def _rename_first_required(schemas: dict[str, Any], name: str, value: Any) -> str | None:
    """Rename, in ``value`` (JSON of schema ``name``), the first required field found at any
    depth; returns the renamed key's path, or None."""
    schema = schemas[name]
    if not isinstance(value, dict):
        return None
    for key in schema.get("required", []):
        if key in value:
            value[key + "Renamed"] = value.pop(key)
            return str(key)
    for key, item in value.items():
        ref = _ref_of(schema.get("properties", {}).get(key, {}))
        if ref is None:
            continue
        for element in item if isinstance(item, list) else [item]:
            renamed = _rename_first_required(schemas, ref, element)
            if renamed is not None:
                return f"{key}.{renamed}"
    return None


def _ref_of(schema: dict[str, Any]) -> str | None:
    for candidate in [schema, schema.get("items", {}), *schema.get("anyOf", [])]:
        ref: object = candidate.get("$ref") or candidate.get("items", {}).get("$ref")
        if ref:
            return str(ref).rsplit("/", 1)[1]
    return None


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
async def test_a_renamed_field_fails_both_the_contract_and_the_connector(
    spec: AgencySpec[Any],
) -> None:
    """The two sides are independent: if a mock (or an agency) renamed a field, the connector
    would not follow along silently."""
    contract = load_contract(spec)
    examples = examples_of(contract)
    answer = copy.deepcopy(examples["response"])
    found = next(r for r in answer["results"] if r["status"] == "found")
    schemas = contract["components"]["schemas"]
    renamed = _rename_first_required(schemas, spec.records.__name__, found["records"])
    assert renamed is not None, "every agency's records have a required field somewhere"

    errors = list(schema_validator(contract, "InquiryResponse").iter_errors(answer))
    assert errors, f"renaming {renamed} should break the contract"
    with pytest.raises(MalformedResponseError, match="contract"):
        await ask(spec, examples["request"], answer)
    # and the untouched example still passes both
    schema_validator(contract, "InquiryResponse").validate(examples["response"])
    await ask(spec, examples["request"], examples["response"])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
async def test_a_renamed_field_in_a_copy_of_the_mocks_answer_fails_the_connector(
    spec: AgencySpec[Any],
) -> None:
    """The same proof on the mock's live answer: the connector reads it as it is, and refuses a
    copy with one field renamed, so a mock that drifted from the contract would be caught."""
    request = request_example(spec)
    subjects = [(s["kind"], s["id"]) for s in request["subjects"]]
    answer = await mock_answer(spec.name, subjects)
    answer["requestId"] = request["requestId"]
    await ask(spec, request, answer)  # as it is: read
    renamed_copy = copy.deepcopy(answer)
    found = next(r for r in renamed_copy["results"] if r["status"] == "found")
    schemas = load_contract(spec)["components"]["schemas"]
    assert _rename_first_required(schemas, spec.records.__name__, found["records"]) is not None
    with pytest.raises(MalformedResponseError, match="contract"):
        await ask(spec, request, renamed_copy)
