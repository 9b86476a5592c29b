"""Each mock's OpenAPI document, the agency contract, is a valid OpenAPI 3.1 document."""

from __future__ import annotations

from operator import attrgetter

import pytest
from gateway.domain.agencies import Agency
from openapi_spec_validator import validate

from mocks.openapi import openapi_document
from mocks.registry import MOCK_AGENCIES, mock_spec

AGENCIES: list[Agency] = sorted(MOCK_AGENCIES, key=attrgetter("value"))


@pytest.mark.parametrize("agency", AGENCIES, ids=[a.value for a in AGENCIES])
def test_the_contract_document_is_valid_openapi(agency):
    document = openapi_document(mock_spec(agency))
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert "/v1/inquiries" in document["paths"]
