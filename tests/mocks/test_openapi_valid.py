"""Each committed agency contract document is a valid OpenAPI 3.1 document."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from mocks.documents import contract_document
from mocks.registry import MOCK_AGENCIES

AGENCIES = sorted(MOCK_AGENCIES)


@pytest.mark.parametrize("agency", AGENCIES)
def test_the_contract_document_is_valid_openapi(agency: str) -> None:
    document = contract_document(agency)
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert "/v1/inquiries" in document["paths"]
