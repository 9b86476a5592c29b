"""Insurance JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.insurance.models import InsuranceRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.insurance import InsuranceRecords


def to_domain(model: InsuranceRecordsModel) -> InsuranceRecords:
    return build(InsuranceRecords, model)
