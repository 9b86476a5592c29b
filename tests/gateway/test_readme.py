"""The README's example is the one the explorer shows, and it works against the demo setup."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gateway.examples import EXAMPLE_QUERY, EXAMPLE_VARIABLES
from tests.conftest import Gateway

README = Path(__file__).resolve().parents[2] / "README.md"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_example_is_the_explorer_default():
    assert code_blocks("graphql")[0] == EXAMPLE_QUERY
    assert json.loads(code_blocks("json")[0]) == EXAMPLE_VARIABLES


async def test_readme_example_returns_three_agencies_and_seven_not_configured(gateway: Gateway):
    query = code_blocks("graphql")[0]
    variables = json.loads(code_blocks("json")[0])
    body = await gateway.query(query, variables)
    assert "errors" not in body
    debtor = body["data"]["debtor"]
    statuses = {s["agency"]: s["status"] for s in debtor["sources"]}
    assert {a for a, s in statuses.items() if s == "OK"} == {"POLICE", "LAND", "BANK"}
    assert sum(s == "NOT_CONFIGURED" for s in statuses.values()) == 7
    assert debtor["police"]["household"]["name"] == variables["subject"]["name"]
    for field in ("vehicles", "travelDocuments"):
        assert debtor["police"][field]
    for field in ("realEstate", "mortgages"):
        assert debtor["land"][field]
    for field in ("accounts", "cards", "deposits"):
        assert debtor["bank"][field]


async def test_readme_batch_example_runs(gateway: Gateway):
    batch = code_blocks("graphql")[1]
    body = await gateway.query(batch)
    assert "errors" not in body
    assert len(body["data"]["debtors"]) == 2
