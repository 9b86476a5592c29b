"""The examples of the README and the docs are the explorer's, and they work against the demo.

The README's first ``graphql`` / ``json`` blocks are the explorer's example inquiry and its
variables; the batch example is in ``docs/http-api.md``, the ``saveCase`` and audit log examples
in ``docs/security.md``. Those are found by what they contain, so moving text around a document
does not break the tests, but losing an example does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gateway.auth.policy import ROOT_FIELDS
from gateway.examples import EXAMPLE_DEBTOR, EXAMPLE_QUERY, EXAMPLE_VARIABLES
from gateway.settings import (
    AgencySettings,
    AuthSettings,
    ControlSettings,
    LimitSettings,
    ListingSettings,
    Settings,
)
from mocks.synthetic import example_subjects
from tests.conftest import CASE, Gateway, example_debtors

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HTTP_API = ROOT / "docs" / "http-api.md"
SECURITY = ROOT / "docs" / "security.md"
OPERATIONS = ROOT / "docs" / "operations.md"
# bytes: the README keeps the pitch, the two commands, the first inquiry and the map of the docs
README_LIMIT = 14_000
AGENCIES = {
    "POLICE",
    "LAND",
    "FUND",
    "BUSINESS",
    "TAX",
    "CIVIL",
    "BANK",
    "SECURITIES",
    "INSURANCE",
    "PERMITS",
}


def read(doc: Path = README) -> str:
    return doc.read_text(encoding="utf-8")


def code_blocks(language: str, doc: Path = README) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", read(doc), re.S)


def find_block(language: str, doc: Path, containing: str) -> str:
    """The one ``language`` block of ``doc`` that contains ``containing``."""
    found = [block for block in code_blocks(language, doc) if containing in block]
    assert len(found) == 1, (doc.name, containing, len(found))
    return found[0]


def save_case_example() -> tuple[str, dict]:
    return find_block("graphql", SECURITY, "saveCase("), json.loads(
        find_block("json", SECURITY, '"parties"')
    )


def statuses(profile: dict) -> dict[str, str]:
    return {s["agency"]: s["status"] for s in profile["sources"]}


def test_readme_example_is_the_explorer_default():
    assert code_blocks("graphql")[0] == EXAMPLE_QUERY
    assert json.loads(code_blocks("json")[0]) == EXAMPLE_VARIABLES


async def test_readme_example_shows_every_agency_the_summary_and_both_leads(gateway: Gateway):
    # the demo's case: the example debtor is a debtor of it (the fixture adds the mocks' examples)
    await gateway.register([*example_debtors(), EXAMPLE_DEBTOR])
    query = code_blocks("graphql")[0]
    variables = json.loads(code_blocks("json")[0])
    body = await gateway.query(query, variables)
    assert "errors" not in body, body
    debtor = body["data"]["debtor"]
    assert debtor["relation"] == "DEBTOR"
    # a natural person: every agency answers but the permit offices, which keep no such records
    assert statuses(debtor) == {a: "OK" for a in AGENCIES - {"PERMITS"}} | {
        "PERMITS": "NOT_APPLICABLE"
    }
    assert debtor["police"]["household"]["name"] == variables["subject"]["name"]
    non_empty = {
        "police": "vehicles",
        "land": "realEstate",
        "fund": "accounts",
        "business": "enterprises",
        "tax": "registration",
        "bank": "accounts",
        "securities": "holdings",
        "insurance": "policies",
    }
    for agency, field in non_empty.items():
        assert debtor[agency][field], (agency, field)
    assert debtor["civil"]["currentSpouse"]
    classes = debtor["summary"]["classes"]
    assert classes
    assert all(c["complete"] for c in classes)
    assert any(c["count"] for c in classes)
    # the leads the README describes: the spouse (from civil affairs) and a controlled enterprise
    spouse = debtor["spouse"]
    assert spouse["relation"] == "SPOUSE"
    assert spouse["subject"]["id"] == debtor["civil"]["currentSpouse"]["idNumber"]
    enterprises = debtor["controlledEnterprises"]
    assert enterprises
    for enterprise in enterprises:
        assert enterprise["relation"] == "CONTROLLED_ENTERPRISE"
        assert enterprise["subject"]["kind"] == "LEGAL"
        found = statuses(enterprise)
        assert found["FUND"] == found["CIVIL"] == "NOT_APPLICABLE"  # as the status table says
    assert "NOT_CONFIGURED" not in json.dumps(body)


async def test_http_api_batch_example_runs(gateway: Gateway):
    batch = find_block("graphql", HTTP_API, "debtors(")
    body = await gateway.query(batch)
    assert "errors" not in body, body
    asked = re.findall(r'id: "([0-9A-Z]+)"', batch)
    assert [d["subject"]["id"] for d in body["data"]["debtors"]] == asked
    assert len(asked) == 2


async def test_batch_is_refused_until_the_save_case_example_adds_the_debtors(
    gateway: Gateway,
):
    # the demo's case has one debtor, the example's: the batch asks about two others
    await gateway.register([EXAMPLE_DEBTOR])
    batch = find_block("graphql", HTTP_API, "debtors(")
    refused = await gateway.post(batch)
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_A_DEBTOR"

    save, variables = save_case_example()
    assert variables["case"]["caseNumber"] == CASE
    saved = await gateway.query(save, variables, who="system")
    assert "errors" not in saved, saved
    debtors = {
        p["subject"]["id"] for p in saved["data"]["saveCase"]["parties"] if p["role"] == "DEBTOR"
    }
    assert EXAMPLE_DEBTOR["id"] in debtors

    body = await gateway.query(batch)
    assert "errors" not in body, body
    example = await gateway.query(code_blocks("graphql")[0], json.loads(code_blocks("json")[0]))
    assert "errors" not in example, example


async def test_security_audit_log_query_runs_as_admin(gateway: Gateway):
    await gateway.register([*example_debtors(), EXAMPLE_DEBTOR])
    await gateway.query(code_blocks("graphql")[0], json.loads(code_blocks("json")[0]))
    audit = find_block("graphql", SECURITY, "auditLog(caseNumber")
    body = await gateway.query(audit, who="admin")
    assert "errors" not in body, body
    entries = body["data"]["auditLog"]
    relations = {e["relation"] for e in entries}
    assert {"debtor", "spouse", "controlled_enterprise"} <= relations
    assert EXAMPLE_DEBTOR["id"] not in json.dumps(body)  # ID numbers are masked
    refused = await gateway.post(audit, who="judge")
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_OPERATION"


def test_readme_lists_the_example_subjects():
    text = read()
    assert EXAMPLE_DEBTOR["id"] in text
    for tiers in example_subjects().values():
        for subject_id in tiers.values():
            assert f"`{subject_id}`" in text, subject_id


def test_security_lists_every_refusal_code():
    text = read(SECURITY)
    codes = [
        "UNAUTHENTICATED",
        "TOKEN_EXPIRED",
        "TOKEN_INVALID",
        "FORBIDDEN_OPERATION",
        "CASE_NOT_REGISTERED",
        "FORBIDDEN_COURT",
        "NOT_ASSIGNED",
        "CASE_NOT_OPEN",
        "NOT_A_DEBTOR",
        "RATE_LIMITED",
    ]
    for code in codes:
        assert f"| `{code}` |" in text, code


def test_docs_document_every_root_field_and_setting():
    roles = read(SECURITY)  # the roles table names every root field a role may use
    for name in ROOT_FIELDS:
        field = name.split(".")[1]
        if not field.startswith("__"):
            assert f"`{field}" in roles, name
    configuration = read(OPERATIONS)
    for field in LimitSettings.model_fields:
        assert f"__{field.upper()}" in configuration, f"CHAKONG_LIMITS__{field.upper()}"
    for field in AuthSettings.model_fields:
        assert f"CHAKONG_AUTH__{field.upper()}" in configuration, field
    for variable in ("CHAKONG_AUDIT_KEY", "CHAKONG_DEMO"):
        assert variable in configuration
    for field in AgencySettings.model_fields:  # as CHAKONG_AGENCIES__<AGENCY>__<FIELD>
        assert f"__{field.upper()}" in configuration, f"CHAKONG_AGENCIES__<AGENCY>__{field.upper()}"
    for field in ControlSettings.model_fields:  # a row may name several: `__PENDING_GRACE_S`
        assert f"__{field.upper()}" in configuration, f"CHAKONG_CONTROLS__{field.upper()}"
    for field in ListingSettings.model_fields:
        assert f"CHAKONG_LISTING__{field.upper()}" in configuration, field
    nested = {"agencies", "auth", "limits", "listing", "controls"}
    for field in Settings.model_fields.keys() - nested:
        assert f"CHAKONG_{field.upper()}" in configuration, field


def test_readme_is_short_and_maps_every_doc():
    assert len(README.read_bytes()) < README_LIMIT, "move detail from the README into docs/"
    text = read()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{doc.name})" in text, f"the README's map does not link docs/{doc.name}"
